import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { sqliteDriverPath } from './sqlite-driver.js';

/** How often the checkpointer looks: soon while commits come in, backing off while none do. */
export interface CheckpointerTiming {
  busyMs: number;
  idleMs: number;
}

// 100 ms while commits come in: each checkpoint copies every page changed since the last one,
// and the same few pages at the right edge of each index change in every commit, so looking
// every 10 ms wrote them to the database file a hundred times a second (1.1–1.5 KB more written
// per deploy under load, docs/decisions/0025). The writer's own checkpoint, when it comes due,
// still finds all but the last tenth of a second's frames copied.
const DEFAULT_TIMING: CheckpointerTiming = { busyMs: 100, idleMs: 250 };

/**
 * The WAL's size at which the thread starts: 4 MiB, where SQLite's own default would have
 * checkpointed (1,000 pages). The thread is a second V8 isolate, about 10 MiB resident and some
 * 50 ms of CPU to start (docs/decisions/0043); a server that receives a few deploys an hour never
 * needs it, and one under load starts it within its first seconds. Until then the writer's own
 * checkpoint is 10,000 frames away, so nothing runs on the event loop that the thread would
 * have spared it.
 */
export const DEFAULT_START_AT_BYTES = 4 * 1024 * 1024;

/**
 * The thread's heap limits: it holds one connection and a timer, a few hundred KiB of objects.
 * Without limits V8 sizes its young generation as for the main thread (up to 16 MiB once
 * allocation grows it); the stack is the driver's calls only.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 };

/**
 * The worker's code. A string rather than a module file, so the same code runs from the compiled
 * package and from the TypeScript sources under test. It only ever runs PASSIVE checkpoints:
 * they copy committed frames from the WAL into the database file without waiting for, or
 * blocking, the writer. `synchronous = FULL` makes SQLite sync the database file before it
 * marks frames as copied, so a crash mid-checkpoint loses nothing; the frames are still in the
 * WAL until the writer restarts it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { file, busyMs, idleMs, shared } = workerData;
// Checkpoints run, frames in the WAL, frames copied: read by the owner without a message per run.
const stats = new Int32Array(shared);
const db = new Database(file, { fileMustExist: true });
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 0');
let lastLog = -1;
let wait = busyMs;
let timer;
let failures = 0;
function tick() {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    // New frames (or a WAL the writer restarted) mean commits are coming in: look again soon.
    wait = result.log !== lastLog ? busyMs : Math.min(idleMs, wait * 2);
    lastLog = result.log;
    Atomics.store(stats, 1, result.log);
    Atomics.store(stats, 2, result.checkpointed);
    Atomics.add(stats, 0, 1);
    failures = 0;
  } catch (err) {
    // Not fatal: the writer's own automatic checkpoint still bounds the WAL.
    if (failures++ === 0) parentPort.postMessage({ error: String((err && err.message) || err) });
    wait = idleMs;
  }
  timer = setTimeout(tick, wait);
}
timer = setTimeout(tick, busyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointStats {
  /** Whether the thread runs yet (it starts once the WAL reaches its threshold). */
  started: boolean;
  /** Checkpoints run so far. */
  runs: number;
  /** Frames in the WAL at the last one, and how many of them are in the database file. */
  log: number;
  copied: number;
}

export interface WalCheckpointer {
  /**
   * Called after every commit that wrote, with the WAL's size when the caller knows it (its sync
   * read it): starts the thread once the WAL has reached the size it was given. A `stat` of the
   * WAL when the size is not given, nothing once started. Never throws: the commit it follows
   * stands, so a thread that cannot start is reported through `onError`, once, and not retried.
   */
  committed(walBytes?: number): void;
  stats(): CheckpointStats;
  stop(): Promise<void>;
}

/**
 * Checkpoints a SQLite database in WAL mode from a thread of its own. The writer's automatic
 * checkpoint runs inside the commit that crosses its threshold: on the event loop, blocking every
 * request for the 20–30 ms it takes to copy thousands of frames and sync the database file. With
 * this thread copying frames as they are committed, the writer's checkpoint finds almost nothing
 * left to copy and only restarts the WAL. See docs/decisions/0011-background-wal-checkpoints.md.
 *
 * The thread starts on first need: at the first commit after which the WAL holds `startAtBytes`
 * (0: at the first commit that wrote). Its first run then copies every frame committed before it.
 */
export function startWalCheckpointer(
  file: string,
  onError: (message: string) => void,
  timing: CheckpointerTiming = DEFAULT_TIMING,
  startAtBytes = DEFAULT_START_AT_BYTES,
): WalCheckpointer {
  const walFile = `${file}-wal`;
  const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const stats = new Int32Array(shared);
  let thread: CheckpointThread | undefined;
  // Stopped, or its start failed: no start is tried again.
  let done = false;
  return {
    committed(bytes) {
      if (thread !== undefined || done || (bytes ?? walBytes(walFile)) < startAtBytes) return;
      try {
        thread = startThread(file, shared, timing, onError);
      } catch (err) {
        done = true;
        onError(`the checkpoint thread did not start: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    stats: () => ({
      started: thread !== undefined,
      runs: Atomics.load(stats, 0),
      log: Atomics.load(stats, 1),
      copied: Atomics.load(stats, 2),
    }),
    async stop() {
      done = true;
      await thread?.stop();
    },
  };
}

/** The WAL's size in bytes; 0 while it does not exist. */
function walBytes(walFile: string): number {
  try {
    return fs.statSync(walFile).size;
  } catch {
    return 0;
  }
}

interface CheckpointThread {
  stop(): Promise<void>;
}

function startThread(
  file: string,
  shared: SharedArrayBuffer,
  timing: CheckpointerTiming,
  onError: (message: string) => void,
): CheckpointThread {
  const driver = sqliteDriverPath();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, shared, ...timing },
    resourceLimits: WORKER_LIMITS,
  });
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) onError(message.error);
  });
  worker.on('error', (err) => onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // The thread must not keep a process alive that has nothing else to do. After the listeners:
  // listening for messages references the worker's port again.
  worker.unref();
  return {
    async stop() {
      // Referenced again, so that a process with nothing else to do waits for the thread to
      // finish instead of exiting before the store is closed.
      worker.ref();
      worker.postMessage('stop');
      // A checkpoint in progress finishes first; a thread that does not answer is ended.
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
