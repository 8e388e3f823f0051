// Preloaded into each Shipline process by bench/reactions.ts (NODE_OPTIONS=--import): counts the
// statements the process sends to PostgreSQL (BEGIN and COMMIT included) and, at exit, writes that
// count, the process's CPU time (all threads) and the bytes it had written to disk (`write_bytes`
// of /proc/self/io: on SQLite the WAL and its checkpoints) to the file named by SHIPLINE_BENCH_COUNTS.
import fs from 'node:fs';
import process from 'node:process';
import { createRequire } from 'node:module';

const out = process.env.SHIPLINE_BENCH_COUNTS;
if (out) {
  const pg = createRequire(import.meta.url)('pg');
  const query = pg.Client.prototype.query;
  let statements = 0;
  pg.Client.prototype.query = function (...args) {
    statements++;
    return query.apply(this, args);
  };
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    let writeBytes = null;
    try {
      writeBytes = Number(/^write_bytes: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
    } catch {
      // not Linux: the figure is left out
    }
    fs.writeFileSync(out, JSON.stringify({ statements, cpuMicros: cpu.user + cpu.system, writeBytes }));
  });
}
