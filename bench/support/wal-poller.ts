// Counts every frame a SQLite WAL receives while a benchmark runs, by page, for bench/reactions.ts.
// A worker thread reads the frame headers appended since its last look, every millisecond, so the
// count spans the whole run: the WAL itself holds only the commits since SQLite last started it
// over (after a checkpoint), and the load generator's own event loop is too busy to look often.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface WalCount {
  frames: number;
  commits: number;
  /** Frames by page number. */
  byPage: Map<number, number>;
}

// Runs in the worker: frame headers are 24 bytes (page number, database size on a commit frame,
// the salts of the WAL's current generation), each followed by the page.
const WORKER = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const stop = new Int32Array(workerData.stop);
let offset = 32, salt = '', frames = 0, commits = 0;
const byPage = new Map();
const head = Buffer.alloc(32), frame = Buffer.alloc(24);
function look() {
  let fd;
  try { fd = fs.openSync(workerData.file, 'r'); } catch { return; }
  try {
    if (fs.readSync(fd, head, 0, 32, 0) < 32) return;
    const pageSize = head.readUInt32BE(8);
    const current = head.subarray(16, 24).toString('hex');
    // A new generation (new salts, after a checkpoint): its frames start over at the file's start.
    if (current !== salt) { salt = current; offset = 32; }
    const size = fs.fstatSync(fd).size;
    while (offset + 24 + pageSize <= size) {
      fs.readSync(fd, frame, 0, 24, offset);
      if (frame.subarray(8, 16).toString('hex') !== salt) break;
      const page = frame.readUInt32BE(0);
      byPage.set(page, (byPage.get(page) ?? 0) + 1);
      frames++;
      if (frame.readUInt32BE(4) !== 0) commits++;
      offset += 24 + pageSize;
    }
  } finally { fs.closeSync(fd); }
}
look();
frames = 0; commits = 0; byPage.clear();
parentPort.postMessage('started');
while (Atomics.load(stop, 0) === 0) { look(); Atomics.wait(stop, 0, 0, 1); }
look();
parentPort.postMessage({ frames, commits, byPage: [...byPage] });
`;

/** Starts counting the frames appended to `walFile` from now on; `stop()` ends and reports. */
export async function countWalFrames(walFile: string): Promise<{ stop(): Promise<WalCount> }> {
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, { eval: true, workerData: { file: walFile, stop: stopFlag.buffer } });
  await once(worker, 'message'); // started
  return {
    async stop() {
      const reported = once(worker, 'message');
      Atomics.store(stopFlag, 0, 1);
      Atomics.notify(stopFlag, 0);
      const [{ frames, commits, byPage }] = (await reported) as [{ frames: number; commits: number; byPage: [number, number][] }];
      await worker.terminate();
      return { frames, commits, byPage: new Map(byPage) };
    },
  };
}
