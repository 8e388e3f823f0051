import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}bin/shipline`;

/**
 * This process's environment without the developer's own Shipline or database settings, plus
 * `settings`: what a Shipline child (server or CLI) started by a test or benchmark should see.
 */
export function shiplineEnv(settings: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SHIPLINE_') && key !== 'DATABASE_URL') env[key] = value;
  }
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) env[key] = value;
  return env;
}

/** How the server child is configured; everything else comes from a cleaned copy of this process's env. */
export interface ServerOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  adminToken: string;
  /** How long to wait for the "listening" line before giving up; default 20 s. */
  readyTimeoutMs?: number;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A Shipline server running as a child process. */
export interface ServerProcess {
  readonly pid: number;
  /** Base URL from the server's own "listening" line, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Settles when the child's `exit` event fires. */
  readonly exited: Promise<ServerExit>;
  /** True until the child has exited. */
  running(): boolean;
  /** The child's stdout and stderr so far, for failure messages. */
  output(): string;
  /** Sends a signal to the child's pid, if it is still running. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (graceful shutdown), then waits for the exit. */
  stop(): Promise<ServerExit>;
}

const READY = /Shipline listening on (http:\/\/\S+)/;
// Enough to explain a failure; keeps a chatty child from growing memory without bound.
const MAX_OUTPUT = 64 * 1024;

/**
 * Starts `bin/shipline start` (the compiled CLI, so run `npm run build` first) and resolves once
 * it prints its listening line. If it exits or stays silent past the deadline, the child is
 * killed and the promise rejects with its output.
 */
export function startServer(options: ServerOptions): Promise<ServerProcess> {
  if (!fs.existsSync(`${ROOT}dist/cli/index.js`)) {
    return Promise.reject(new Error('dist/ is missing: run `npm run build` first (npm test does)'));
  }
  const env = shiplineEnv({
    SHIPLINE_PORT: '0',
    SHIPLINE_HOST: '127.0.0.1',
    SHIPLINE_DATA_DIR: options.dataDir,
    SHIPLINE_ADMIN_TOKEN: options.adminToken,
    SHIPLINE_LOG_LEVEL: 'warn',
    DATABASE_URL: options.databaseUrl,
  });
  // No shell in between: the child's pid is the server's, so a signal to it reaches the server.
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT);
  };
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals) => {
    if (running() && child.pid !== undefined) process.kill(child.pid, sig);
  };

  return new Promise<ServerProcess>((resolve, reject) => {
    let settled = false;
    let stdoutText = '';
    const deadlineMs = options.readyTimeoutMs ?? 20_000;
    const fail = (reason: string, spawned = true) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const error = () => new Error(`${reason}\n--- server output ---\n${output}`);
      if (!spawned) return reject(error());
      signal('SIGKILL');
      // Report only once the child is gone, so no process outlives a failed start.
      void exited.then(() => reject(error()));
    };
    const deadline = setTimeout(() => fail(`server not ready after ${deadlineMs} ms`), deadlineMs);
    // 'error' without a pid means no process was started, so no exit event will follow.
    child.once('error', (err) => fail(`could not start the server: ${err.message}`, child.pid !== undefined));
    void exited.then(({ code, signal: sig }) => fail(`server exited during startup (code ${code}, signal ${sig})`));
    child.stderr!.on('data', append);
    child.stdout!.on('data', (chunk: Buffer) => {
      append(chunk);
      if (settled) return;
      stdoutText += chunk.toString('utf8');
      const match = READY.exec(stdoutText);
      if (!match) return;
      settled = true;
      clearTimeout(deadline);
      resolve({
        pid: child.pid!,
        url: match[1]!,
        exited,
        running,
        output: () => output,
        signal,
        stop: () => {
          signal('SIGTERM');
          return exited;
        },
      });
    });
  });
}
