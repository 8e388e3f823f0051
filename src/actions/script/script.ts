import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { Action, ActionContext, Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { Duration, requireDuration } from '../../core/duration.js';
import { createLineSplitter, createTail, parseOutputLine } from './output-lines.js';
import { runInProcessGroup } from './process-group.js';
import { assertCannotRead, scriptUser } from './script-user.js';
import type { ScriptUser } from './script-user.js';
import { errorMessage } from '../../core/error-message.js';
import { checkOwnEnv, connectionVariableProblems, connectionVariables, ENV_NAME, envNameProblems, eventVariables } from './variables.js';
/** How connections are named (the store's rule). */
const CONNECTION_NAME = '^[a-z0-9][a-z0-9_-]{0,62}$';

export const ScriptConfig = Type.Object(
  {
    run: Type.String({
      title: 'Command',
      minLength: 1,
      description:
        'The command (or, with shell: node, the JavaScript) to run, exactly as written: no templates (pass event values through env or args)',
    }),
    shell: Type.Optional(
      Type.Enum(['sh', 'bash', 'pwsh', 'node'], { title: 'Shell', description: 'Default sh (with -e); bash runs with -e -o pipefail' }),
    ),
    timeout: Type.Optional(
      Duration('Stop the script (and everything it started) after this long; default 5m', { title: 'Script timeout', placeholder: '5m' }),
    ),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: ENV_NAME.source }), Type.String(), {
        title: 'Environment variables',
        additionalProperties: false,
        description: 'Environment variables (values may be templates): read them as "$NAME", never spliced into run',
      }),
    ),
    args: Type.Optional(
      Type.Array(Type.String(), {
        title: 'Arguments',
        description: 'Arguments (templates allowed): "$1", "$2"… in sh and bash, process.argv.slice(1) in node; not with pwsh',
      }),
    ),
    connections: Type.Optional(
      Type.Array(Type.String({ pattern: CONNECTION_NAME, description: 'A connection name' }), {
        title: 'Connections',
        uniqueItems: true,
        maxItems: 20,
        description:
          'Connections whose variables the script gets for this run (e.g. OCTOPUS_URL, OCTOPUS_API_KEY, OCTOPUS_SPACE): names as written, no templates; at most one of each type',
      }),
    ),
  },
  { additionalProperties: false },
);

export type ScriptConfig = Static<typeof ScriptConfig>;

export interface ScriptActionOptions {
  /** SHIPLINE_SCRIPTS: when false, every run fails without retry. */
  enabled: boolean;
  /** The directory holding the `shipline` CLI, put first on PATH; default: this installation's `bin/`. */
  binDir?: string;
  /** SHIPLINE_SCRIPT_USER: who scripts run as when Shipline runs as root; default `nobody`. */
  user?: string | undefined;
  /** Paths the script user must not be able to read (the data directory, secret files): checked before each run. */
  privatePaths?: readonly string[];
}

/**
 * This installation's `bin/` (holding the `shipline` CLI): the nearest above this module. It is
 * three folders up from src/ and dist/actions/script/, but two from the bundled server (dist/bundle/).
 */
export const CLI_BIN_DIR = nearestBinDir(dirname(fileURLToPath(import.meta.url)));

function nearestBinDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'shipline'))) return join(dir, 'bin');
    if (dirname(dir) === dir) return join(from, '../../../bin');
  }
}

/** Why `run` takes no templates, and what to do instead: the validation and run-time message. */
export const RUN_IS_LITERAL =
  "templates are not allowed in a script's run (event values would become shell code); pass them as data with " +
  'with.env (e.g. env: { ENVIRONMENT: "{{ data.environment }}" } and "$ENVIRONMENT" in run) or with.args ("$1", "$2"…)';

/** Why `connections` takes no templates: the validation and run-time message. */
export const CONNECTIONS_ARE_LITERAL =
  "templates are not allowed in a script's connections (event data could pick which connection's keys the script gets); " +
  'list the connection names as written, e.g. connections: [prod-octopus]';

const DEFAULT_TIMEOUT = '5m';
/** How much of stderr the failed output keeps. */
const STDERR_TAIL_CHARS = 64 * 1024;
/** How much output goes to the step log; the rest is dropped (still scanned for ::output). */
const MAX_LOGGED_CHARS = 1024 * 1024;
// Only these are passed on from the server's environment, which may hold DATABASE_URL or
// SHIPLINE_MASTER_KEY: a script sees what it is given, not what the server happens to have.
const INHERITED = ['HOME', 'LANG', 'LC_ALL', 'TZ'] as const;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

async function findExecutable(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

// sh and bash fail on the first failing command, as CI runners do, so a broken step is not
// reported as a success because its last command happened to work.
// Arguments follow the code as separate argv entries, so the shell or Node reads them as data.
async function commandFor(config: ScriptConfig, path: string): Promise<[string, string[]]> {
  const { run } = config;
  const shell = config.shell ?? 'sh';
  const args = config.args ?? [];
  // `--` ends Node's own options: an argument such as `--inspect` reaches the script, not Node.
  if (shell === 'node') return [process.execPath, ['-e', run, '--', ...args]];
  if (shell === 'pwsh' && args.length > 0) {
    // pwsh -Command joins what follows into the command text: arguments would become code.
    throw new NonRetriableError('script: args are not supported with shell pwsh; pass values with env and read them as $env:NAME');
  }
  const binary = await findExecutable(shell, path);
  if (!binary) {
    throw new NonRetriableError(`The script action cannot use shell ${shell}: it is not installed on this host (not found on PATH)`);
  }
  if (shell === 'pwsh') return [binary, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', run]];
  // After -c's text comes $0 (the script's name in messages), then $1, $2...
  if (shell === 'bash') return [binary, ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', run, 'script', ...args]];
  return [binary, ['-e', '-c', run, 'script', ...args]];
}

function basePath(binDir: string): string {
  const inherited = process.env.PATH || FALLBACK_PATH;
  // The CLI starts with `#!/usr/bin/env node`: let it find the Node that runs this server.
  return [binDir, dirname(process.execPath), inherited].join(delimiter);
}

/** The working directory and event file belong to the script's user, so it can read and write there. */
async function handOver(user: ScriptUser | undefined, ...paths: string[]): Promise<void> {
  if (!user) return;
  for (const path of paths) await chown(path, user.uid, user.gid);
}

async function run(options: ScriptActionOptions, ctx: ActionContext, config: ScriptConfig): Promise<Outcome> {
  if (!options.enabled) throw new NonRetriableError('The script action is disabled: set SHIPLINE_SCRIPTS=enabled to allow it');
  let timeoutMs: number;
  try {
    timeoutMs = requireDuration(config.timeout ?? DEFAULT_TIMEOUT);
  } catch (error) {
    throw new NonRetriableError(`script: timeout: ${errorMessage(error)}`);
  }
  const user = await scriptUser(options.user);
  if (user) await assertCannotRead(user, options.privatePaths ?? []);
  const ownEnv = config.env ?? {};
  checkOwnEnv(ownEnv);
  const env: Record<string, string> = { PATH: basePath(options.binDir ?? CLI_BIN_DIR) };
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, ownEnv);
  const [command, args] = await commandFor(config, env.PATH!);
  // Looked up last, once nothing else can refuse the step: the values live only in this run's environment.
  Object.assign(
    env,
    await connectionVariables(ctx, config.connections ?? [], ownEnv),
    eventVariables(ctx.event, (line) => ctx.log(line)),
  );

  const dir = await mkdtemp(join(tmpdir(), 'shipline-script-'));
  try {
    const eventPath = join(dir, 'event.json');
    await writeFile(eventPath, JSON.stringify(ctx.event), { mode: 0o600 });
    await handOver(user, dir, eventPath);
    // Shipline's HOME is not the script user's to write in (nobody's is /nonexistent).
    if (user && config.env?.HOME === undefined) env.HOME = dir;
    const api = await ctx.apiAccess();
    Object.assign(env, {
      SHIPLINE_EVENT_PATH: eventPath,
      SHIPLINE_URL: api.url,
      SHIPLINE_TOKEN: api.token,
      SHIPLINE_RUN_ID: ctx.runId,
      SHIPLINE_STEP_ID: ctx.stepId,
    });

    const outputs: Record<string, string> = {};
    const stderrTail = createTail(STDERR_TAIL_CHARS);
    let logged = 0;
    const log = (line: string) => {
      if (logged > MAX_LOGGED_CHARS) return;
      logged += line.length;
      ctx.log(logged > MAX_LOGGED_CHARS ? `(output beyond ${MAX_LOGGED_CHARS} characters is not logged)` : line);
    };
    const stdout = createLineSplitter((line) => {
      const output = parseOutputLine(line);
      if (output) outputs[output[0]] = output[1];
      log(line);
    });
    const stderr = createLineSplitter((line) => {
      stderrTail.add(line);
      log(`stderr: ${line}`);
    });

    let result;
    try {
      result = await runInProcessGroup({
        command,
        args,
        cwd: dir,
        env,
        timeoutMs,
        signal: ctx.signal,
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
        onStdout: (chunk) => stdout.write(chunk),
        onStderr: (chunk) => stderr.write(chunk),
      });
    } catch (error) {
      throw new Error(`script: could not start ${command}: ${errorMessage(error)}`, { cause: error });
    }
    stdout.end();
    stderr.end();

    if (result.aborted) {
      throw new Error('script: stopped because the step was cancelled or timed out', { cause: ctx.signal.reason });
    }
    if (result.timedOut) {
      ctx.log(`script: timed out after ${timeoutMs} ms; stopped it and everything it started`);
      return { channel: 'failed', output: { reason: 'timeout', exitCode: result.exitCode, outputs, stderrTail: stderrTail.text() } };
    }
    if (result.exitCode === 0) return { channel: 'success', output: { exitCode: 0, outputs } };
    const failed: Record<string, unknown> = { exitCode: result.exitCode, outputs, stderrTail: stderrTail.text() };
    if (result.signal) failed.signal = result.signal;
    return { channel: 'failed', output: failed };
  } finally {
    await removeWorkDir(dir, user, (line) => ctx.log(line));
  }
}

/**
 * Removes the step's directory. One the script's user owns is removed as that user: a process
 * the script left behind could swap a folder in it for a link while root walks it, and root's
 * recursive delete would follow the link into the rest of the host.
 */
async function removeWorkDir(dir: string, user: ScriptUser | undefined, log: (line: string) => void): Promise<void> {
  if (!user) return rm(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => {
    execFile('rm', ['-rf', '--', dir], { uid: user.uid, gid: user.gid, env: { PATH: FALLBACK_PATH } }, (err) => {
      // A script can leave something its own user cannot delete (a folder it made unwritable).
      if (err) log(`could not remove the step's directory ${dir}: ${err.message}`);
      resolve();
    });
  });
}

/** The `script` action: runs a command on this host (admins only; off unless SHIPLINE_SCRIPTS=enabled). */
export function createScriptAction(options: ScriptActionOptions): Action {
  return defineAction({
    name: 'script',
    description: 'Runs a shell command or Node.js snippet on the Shipline host; `::output name=value` lines set outputs',
    channels: ['success', 'failed'],
    config: ScriptConfig,
    exampleOutput: { exitCode: 0, outputs: { version: '1.4.2' } },
    adminOnly: true,
    // A script's environment is how it gets credentials; only admins write scripts.
    sendsSecrets: true,
    literalSettings: { run: RUN_IS_LITERAL, connections: CONNECTIONS_ARE_LITERAL },
    configProblems: (config, connections) => [...envNameProblems(config.env), ...connectionVariableProblems(config, connections)],
    run: (ctx, config) => run(options, ctx, config),
  });
}
