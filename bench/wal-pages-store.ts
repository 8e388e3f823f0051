// The store alone, without HTTP: keeps `--outstanding` deploys in flight through the ingest (a new
// one as each is answered, so every commit holds that many), then reads the WAL as
// bench/wal-pages.ts does. `--drop <index,...>` drops indexes after migrating, to learn what one
// tree costs per commit (a what-if: the queries that need them would then scan).
//
//   node --import tsx bench/wal-pages-store.ts [--outstanding 50] [--warmup 20000] [--deploys 6000] [--drop events_by_type]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DeployInput } from '../src/core/deploy-payload.js';
import { openStore } from '../src/store/index.js';
import { analyseWal, describeWal } from './support/wal-frames.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const outstanding = Number(args.get('outstanding') ?? 50);
const warmup = Number(args.get('warmup') ?? 20_000);
const measured = Number(args.get('deploys') ?? 6_000);
const drop = (args.get('drop') ?? '').split(',').filter(Boolean);

const writeBytes = () => Number(/write_bytes: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))![1]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-wal-store-'));
const store = openStore({ dataDir: dir });
try {
  await store.migrate();
  for (const index of drop) await store.db.transaction((run) => run.query(`DROP INDEX ${index}`));
  const endpoint = await store.endpoints.create('bench');
  await store.services.create({ name: 'checkout' });
  let n = 0;
  // The benchmark's deploy (bench/wrk-deploy.lua): whole seconds, a dedup id of its own.
  const input = (): DeployInput => ({
    service: 'checkout',
    description: 'Deployed by CI',
    deployedAt: `${new Date().toISOString().slice(0, 19)}Z`,
    environment: 'Production',
    deployUrl: null,
    deployNumber: null,
    dedupId: `store-t1-${++n}`,
    deployer: { id: null, email: 'ci@example.com', name: 'CI' },
    commit: null,
  });
  const load = async (total: number) => {
    let issued = 0;
    const client = async () => {
      while (issued++ < total) {
        const outcome = await store.ingest.record(endpoint.id, input());
        if (outcome.result !== 'ok') throw new Error(`ingest answered ${outcome.result}`);
      }
    };
    await Promise.all(Array.from({ length: outstanding }, client));
  };
  await load(warmup);
  // Start the WAL over, so that it holds only the measured commits.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const side = new Database(path.join(dir, 'shipline.db'));
  side.pragma('wal_checkpoint(TRUNCATE)');
  side.close();
  const io0 = writeBytes();
  const cpu0 = process.cpuUsage();
  const started = Date.now();
  await load(measured);
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const written = writeBytes() - io0;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const report = analyseWal(path.join(dir, 'shipline.db'), path.join(dir, 'copy'));
  const commitsPerCheckpoint = Math.max(1, Math.round(measured / seconds / Math.max(report.deploysPerCommit.mean, 1) / 10));
  console.log(
    `${measured} deploys, ${outstanding} outstanding${drop.length ? `, without ${drop.join(', ')}` : ''}: ` +
      `${((cpu.user + cpu.system) / measured).toFixed(1)} CPU µs per deploy, measured ${Math.round(written / measured)} B written per deploy`,
  );
  for (const line of describeWal(report, commitsPerCheckpoint)) console.log(line);
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
