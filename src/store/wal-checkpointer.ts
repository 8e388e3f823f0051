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
  /** Checkpoints run so far. */
  runs: number;
  /** Frames in the WAL at the last one, and how many of them are in the database file. */
  log: number;
  copied: number;
}

export interface WalCheckpointer {
  stats(): CheckpointStats;
  stop(): Promise<void>;
}

/**
 * Checkpoints a SQLite database in WAL mode from a thread of its own. The writer's automatic
 * checkpoint runs inside the commit that crosses its threshold: on the event loop, blocking every
 * request for the 20–30 ms it takes to copy thousands of frames and sync the database file. With
 * this thread copying frames as they are committed, the writer's checkpoint finds almost nothing
 * left to copy and only restarts the WAL. See docs/decisions/0011-background-wal-checkpoints.md.
 */
export function startWalCheckpointer(
  file: string,
  onError: (message: string) => void,
  timing: CheckpointerTiming = DEFAULT_TIMING,
): WalCheckpointer {
  const driver = sqliteDriverPath();
  const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const stats = new Int32Array(shared);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, shared, ...timing } });
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) onError(message.error);
  });
  worker.on('error', (err) => onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // The thread must not keep a process alive that has nothing else to do. After the listeners:
  // listening for messages references the worker's port again.
  worker.unref();
  return {
    stats: () => ({ runs: Atomics.load(stats, 0), log: Atomics.load(stats, 1), copied: Atomics.load(stats, 2) }),
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
