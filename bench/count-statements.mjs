// Preloaded into each Shipline process by bench/reactions.ts (NODE_OPTIONS=--import): counts the
// statements the process sends to PostgreSQL (BEGIN and COMMIT included) and, at exit, writes that
// count and the process's CPU time (all threads) to the file named by SHIPLINE_BENCH_COUNTS.
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
    fs.writeFileSync(out, JSON.stringify({ statements, cpuMicros: cpu.user + cpu.system }));
  });
}
