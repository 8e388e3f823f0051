import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer } from './child-server.js';
import type { ServerChild } from './child-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * This process's environment without the developer's own Shipline or database settings, plus
 * `settings` (a setting left undefined is absent, even if this process has it): what a Shipline
 * child (server or CLI) started by a test or benchmark should see.
 */
export function shiplineEnv(settings: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SHIPLINE_') && key !== 'DATABASE_URL') env[key] = value;
  }
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** How the server child is configured; everything else comes from a cleaned copy of this process's env. */
export interface ServerOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  adminToken: string;
  /** How long to wait for the "listening" line before giving up; default 20 s. */
  readyTimeoutMs?: number;
  /** The name failure messages give it; default "Shipline". */
  name?: string;
  /** More settings, e.g. SHIPLINE_ALLOW_HOSTS for reactions that call a local sink. */
  env?: Record<string, string | undefined>;
  /** The built checkout to run (its `bin/shipline` and `dist/`); default this one. A benchmark compares two builds so. */
  root?: string;
  /**
   * Runs `bin/shipline` as a program, as a user does (`./bin/shipline start`, `npm start`), with
   * this process's Node first on PATH, instead of `node bin/shipline`: the Node flags its first
   * lines give apply then. Benchmarks measure what users run so.
   */
  asProgram?: boolean;
}

export type { ChildExit as ServerExit, ServerChild as ServerProcess } from './child-server.js';

// One write prints the whole line, store included, so readyLine names the store too.
const READY = /Shipline listening on (http:\/\/\S+) \(store: [^)\n]*\)/;

/**
 * Starts `bin/shipline start` (the compiled CLI, so run `npm run build` first) and resolves once
 * it prints its listening line. If it exits or stays silent past the deadline, the child is
 * killed and the promise rejects with its output.
 */
export function startServer(options: ServerOptions): Promise<ServerChild> {
  const root = options.root === undefined ? ROOT : `${options.root.replace(/\/+$/, '')}/`;
  if (!fs.existsSync(`${root}dist/cli/index.js`)) {
    return Promise.reject(new Error(`${root}dist/ is missing: run \`npm run build\` there first (npm test does)`));
  }
  return spawnServer({
    name: options.name ?? 'Shipline',
    ...(options.asProgram ? { command: `${root}bin/shipline`, args: ['start'] } : { args: [`${root}bin/shipline`, 'start'] }),
    cwd: root,
    env: shiplineEnv({
      ...(options.asProgram ? { PATH: nodeFirstOnPath() } : {}),
      SHIPLINE_PORT: '0',
      SHIPLINE_HOST: '127.0.0.1',
      SHIPLINE_DATA_DIR: options.dataDir,
      SHIPLINE_ADMIN_TOKEN: options.adminToken,
      SHIPLINE_LOG_LEVEL: 'warn',
      DATABASE_URL: options.databaseUrl,
      ...options.env,
    }),
    ready: READY,
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
  });
}

/** PATH with the directory of the Node running this process first, so a program's `node` is this one. */
export function nodeFirstOnPath(): string {
  return [path.dirname(process.execPath), process.env.PATH ?? ''].filter(Boolean).join(path.delimiter);
}

/** What `bin/shipline` run as a program gives Node: the flags and the environment defaults of its sh line. */
export interface ProgramLaunch {
  /** `exec node <flags> "$0" "$@"`. */
  flags: string[];
  /** `NAME="${NAME:-value}"` before `exec`: set to `value` unless the environment has NAME already. */
  envDefaults: Record<string, string>;
}

/**
 * How `bin/shipline` of `root` starts Node when run as a program (its sh line
 * `":" //; [NAME="${NAME:-value}" ...] exec node <flags> "$0" "$@"`); nothing for a checkout whose
 * bin/shipline has no such line. For a start that needs flags of its own on Node's command line
 * (`--cpu-prof` is refused in NODE_OPTIONS).
 */
export function programLaunch(root: string): ProgramLaunch {
  const text = fs.readFileSync(path.join(root, 'bin', 'shipline'), 'utf8');
  const line = /^":" \/\/; (.*?)exec node (.*?) "\$0" "\$@"$/m.exec(text);
  if (!line) return { flags: [], envDefaults: {} };
  const envDefaults: Record<string, string> = {};
  for (const [, name, value] of line[1]!.matchAll(/(\w+)="\$\{\1:-([^}]*)\}"/g)) envDefaults[name!] = value!;
  return { flags: line[2]!.split(' ').filter(Boolean), envDefaults };
}
