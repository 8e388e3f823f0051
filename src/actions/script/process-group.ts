import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Runs a command as the leader of its own process group, so that everything it starts (a
 * backgrounded `sleep`, a server, a pipeline) can be stopped together: killing only the shell
 * would leave its children running, holding the output pipes and whatever they were doing.
 */

/** How long the group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;
const POLL_MS = 25;

export interface GroupOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Run as this user and group (Shipline must be root); default: Shipline's own. */
  uid?: number;
  gid?: number;
  timeoutMs: number;
  signal: AbortSignal;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export interface GroupResult {
  /** Null when the leader was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  try {
    // Windows has no process groups; there the leader alone is signalled.
    if (process.platform === 'win32') return child.kill(signal);
    process.kill(-child.pid!, signal);
    return true;
  } catch {
    return false; // ESRCH: nobody left in the group
  }
}

/**
 * Whether any process of the group still runs. Signal 0 alone is not enough: a killed
 * grandchild is re-parented to PID 1 and, in a container without an init that reaps (plain
 * `docker run`), stays a zombie that still counts as a group member. On Linux, /proc tells.
 */
async function groupAlive(child: ChildProcess): Promise<boolean> {
  if (!signalGroup(child, 0)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
    for (const pid of pids) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      // After the parenthesised command name: state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === child.pid && state !== 'Z') return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** SIGTERM to the group, then SIGKILL to whatever is left after `KILL_GRACE_MS`. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (!signalGroup(child, 'SIGTERM')) return;
  const deadline = Date.now() + KILL_GRACE_MS;
  while (Date.now() < deadline) {
    await delay(POLL_MS);
    if (!(await groupAlive(child))) return;
  }
  signalGroup(child, 'SIGKILL');
}

export async function runInProcessGroup(options: GroupOptions): Promise<GroupResult> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', options.onStdout);
  child.stderr!.on('data', options.onStderr);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('exit', (code, signal) => resolve([code, signal]));
    child.once('error', reject);
  });

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopGroup(child));
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop();
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    void stop();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) onAbort();

  try {
    const [exitCode, signal] = await exited;
    const result = { exitCode, signal, timedOut, aborted };
    // The leader is gone; anything it left behind in the group goes too.
    await stop();
    // A process that escaped the group could hold the pipes open: stop reading after a while.
    await Promise.race([closed, delay(500, undefined, { ref: false })]);
    return result;
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    child.stdout!.destroy();
    child.stderr!.destroy();
  }
}
