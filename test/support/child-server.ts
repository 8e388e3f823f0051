import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** How a server child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A server started by a test or a benchmark, known by its own pid and stopped only through it. */
export interface ServerChild {
  readonly name: string;
  readonly pid: number;
  /** Base URL taken from the child's own "listening" line. */
  readonly url: string;
  /** That whole line, as the child printed it. */
  readonly readyLine: string;
  /** Settles when the child's `exit` event fires. */
  readonly exited: Promise<ChildExit>;
  running(): boolean;
  /** The tail of the child's stdout and stderr, for failure messages. */
  output(): string;
  /** Sends a signal to the child, if it is still running (a crash test's SIGKILL). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<ChildExit>;
}

export interface SpawnServerOptions {
  name: string;
  /** The program to run; default this process's own `node`. */
  command?: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Matches the line announcing the server is ready; group 1 is its base URL. */
  ready: RegExp;
  readyTimeoutMs: number;
}

// Enough to explain a failure without letting a chatty child grow our memory without bound.
const MAX_OUTPUT = 32 * 1024;

/**
 * Spawns `node <args>` (or `command <args>`) with no shell in between of ours (a program that
 * is a shell script must `exec`, so the pid we signal is the server's own), and
 * resolves once stdout matches `ready`. If the child exits first or stays silent past the
 * deadline it is killed, and the promise rejects with its output once it is really gone.
 */
export function spawnServer(options: SpawnServerOptions): Promise<ServerChild> {
  const child: ChildProcess = spawn(options.command ?? process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT);
  };
  child.stderr!.on('data', append);
  child.stdout!.on('data', append);

  const running = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<ChildExit>((resolve) => {
    // 'error' without a pid means nothing was started, so no 'exit' will ever come.
    child.once('error', () => {
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const stop = async (graceMs = 10_000): Promise<ChildExit> => {
    if (!running()) return exited;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const first = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (first === 'late' && running()) {
      process.stderr.write(`${options.name} (pid ${child.pid}) ignored SIGTERM for ${graceMs} ms: sending SIGKILL\n`);
      child.kill('SIGKILL');
    }
    return exited;
  };

  return new Promise<ServerChild>((resolve, reject) => {
    let settled = false;
    let stdoutText = '';
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      // Reject only once the child is gone, so a failed start leaves no process behind.
      void stop(2_000).then(() => reject(new Error(`${options.name}: ${reason}\n--- its output ---\n${output}`)));
    };
    const deadline = setTimeout(() => fail(`not ready after ${options.readyTimeoutMs} ms`), options.readyTimeoutMs);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    void exited.then(({ code, signal }) => fail(`exited during startup (code ${code}, signal ${signal})`));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (settled) return;
      stdoutText += chunk.toString('utf8');
      const match = options.ready.exec(stdoutText);
      if (!match?.[1]) return;
      settled = true;
      clearTimeout(deadline);
      resolve({
        name: options.name,
        pid: child.pid!,
        url: match[1],
        readyLine: match[0],
        exited,
        running,
        output: () => output,
        signal: (sig) => {
          if (running()) child.kill(sig);
        },
        stop,
      });
    });
  });
}
