// Reads a SQLite WAL frame by frame and maps each page to its B-tree, for bench/wal-pages.ts:
// how many deploys a commit holds, how many frames it writes, to which trees, and how many
// distinct pages a checkpoint interval changes.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

interface Frame {
  page: number;
  /** Non-zero on the last frame of a commit: the database's size in pages after it. */
  commitSize: number;
  data: Buffer;
}

/** The frames of the WAL's current generation (their salts match the header's), in order. */
function readWal(wal: Buffer): { pageSize: number; frames: Frame[] } {
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const frames: Frame[] = [];
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    frames.push({
      page: wal.readUInt32BE(at),
      commitSize: wal.readUInt32BE(at + 4),
      data: wal.subarray(at + FRAME_HEADER, at + FRAME_HEADER + pageSize),
    });
  }
  return { pageSize, frames };
}

function readVarint(buf: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = buf[at + i]!;
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) return [value, at + i + 1];
  }
  return [value * 256 + buf[at + 8]!, at + 9];
}

/** The largest rowid on a table's leaf page, or undefined for any other page. */
function maxRowidOnLeaf(page: Buffer, pageNo: number): number | undefined {
  const header = pageNo === 1 ? 100 : 0;
  if (page[header] !== 0x0d) return undefined;
  const cells = page.readUInt16BE(header + 3);
  if (cells === 0) return undefined;
  const lastCell = page.readUInt16BE(header + 8 + 2 * (cells - 1));
  const [, afterPayloadSize] = readVarint(page, lastCell);
  return readVarint(page, afterPayloadSize)[0];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
};
export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

export interface WalReport {
  pageSize: number;
  commits: number;
  frames: number;
  /** Per commit, from the events' rowids (one event per deploy in the benchmark). */
  deploysPerCommit: { mean: number; median: number; max: number };
  framesPerCommit: { mean: number; median: number };
  /** Frames per commit by tree name, largest first. */
  byTree: Array<[name: string, frames: number]>;
  /** Distinct pages changed by `group` consecutive commits (what one checkpoint copies), mean. */
  distinctPages(group: number): number;
}

/**
 * Copies `<file>` and `<file>-wal` into `scratch` (the WAL first, so the database copy holds no
 * page newer than the WAL's) and returns the copy's path. Run it while nothing writes.
 */
export function copyDatabase(file: string, scratch: string): string {
  fs.mkdirSync(scratch, { recursive: true });
  const copy = path.join(scratch, path.basename(file));
  fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
  fs.copyFileSync(file, copy);
  return copy;
}

/** Each page of a database to its B-tree, from `dbstat`. Closing the database checkpoints and removes its WAL. */
export function treesOf(file: string): Map<number, string> {
  const db = new Database(file);
  const treeOf = new Map<number, string>();
  for (const row of db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[])
    treeOf.set(row.pageno, row.name);
  db.close();
  return treeOf;
}

/**
 * Reads a copy of `<file>` and its WAL (copyDatabase). Run it while nothing writes, after the
 * checkpointer had time to copy the frames.
 */
export function analyseWal(file: string, scratch: string): WalReport {
  const copy = copyDatabase(file, scratch);
  // Before treesOf, whose closing of the copy removes its WAL.
  const { pageSize, frames } = readWal(fs.readFileSync(`${copy}-wal`));
  const treeOf = treesOf(copy);

  const commits: { frames: Frame[]; lastEvent: number | undefined }[] = [];
  let current: Frame[] = [];
  for (const frame of frames) {
    current.push(frame);
    if (frame.commitSize === 0) continue;
    let lastEvent: number | undefined;
    for (const f of current) {
      if (treeOf.get(f.page) !== 'events') continue;
      const rowid = maxRowidOnLeaf(f.data, f.page);
      if (rowid !== undefined) lastEvent = Math.max(lastEvent ?? 0, rowid);
    }
    commits.push({ frames: current, lastEvent });
    current = [];
  }
  // The first commit of the sample has no predecessor to count its events from.
  const sample = commits.slice(1);
  const perCommit: number[] = [];
  for (let i = 1; i < commits.length; i++) {
    const [before, after] = [commits[i - 1]!.lastEvent, commits[i]!.lastEvent];
    if (before !== undefined && after !== undefined) perCommit.push(after - before);
  }
  const framesPerCommit = sample.map((c) => c.frames.length);
  const byTree = new Map<string, number>();
  for (const c of sample) {
    for (const f of c.frames) {
      const name = treeOf.get(f.page) ?? 'free or new';
      byTree.set(name, (byTree.get(name) ?? 0) + 1);
    }
  }
  const n = Math.max(1, sample.length);
  return {
    pageSize,
    commits: commits.length,
    frames: frames.length,
    deploysPerCommit: { mean: mean(perCommit), median: median(perCommit), max: Math.max(0, ...perCommit) },
    framesPerCommit: { mean: mean(framesPerCommit), median: median(framesPerCommit) },
    byTree: [...byTree].map(([name, f]): [string, number] => [name, f / n]).sort((a, b) => b[1] - a[1]),
    distinctPages(group: number) {
      const distinct: number[] = [];
      for (let i = 0; i + group <= sample.length; i += group) {
        const pages = new Set<number>();
        for (const c of sample.slice(i, i + group)) for (const f of c.frames) pages.add(f.page);
        distinct.push(pages.size);
      }
      return mean(distinct);
    },
  };
}

/** The report as lines, with the WAL and checkpoint bytes per deploy it implies. */
export function describeWal(report: WalReport, commitsPerCheckpoint: number): string[] {
  const perDeploy = Math.max(report.deploysPerCommit.mean, 1);
  // A commit appends its frames (headers included) and writes again the OS page the previous
  // commit's last frame ended in (the sync left it clean).
  const wal = (report.framesPerCommit.mean * (report.pageSize + FRAME_HEADER) + report.pageSize / 2) / perDeploy;
  const distinct = report.distinctPages(commitsPerCheckpoint);
  const checkpoint = (distinct * report.pageSize) / (perDeploy * commitsPerCheckpoint);
  return [
    `WAL sample: ${report.commits} commits, ${report.frames} frames of ${report.pageSize} B`,
    `deploys per commit: mean ${report.deploysPerCommit.mean.toFixed(1)}, median ${report.deploysPerCommit.median}, max ${report.deploysPerCommit.max}`,
    `frames per commit: mean ${report.framesPerCommit.mean.toFixed(1)}, median ${report.framesPerCommit.median}`,
    'frames per commit by tree:',
    ...report.byTree.map(([name, f]) => `  ${name.padEnd(40)} ${f.toFixed(2)}`),
    `one checkpoint (${commitsPerCheckpoint} commits) copies ${distinct.toFixed(1)} distinct pages ` +
      `(those commits wrote ${(report.framesPerCommit.mean * commitsPerCheckpoint).toFixed(1)} frames)`,
    `estimated per deploy: WAL ${Math.round(wal)} B, checkpoints ${Math.round(checkpoint)} B, together ${Math.round(wal + checkpoint)} B`,
  ];
}
