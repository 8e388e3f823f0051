// The durable reference for bench/ingest.ts: what a minimal durable server does on this disk.
// Fastify + better-sqlite3 in WAL mode with synchronous=FULL (every commit fsyncs the WAL); each
// deploy webhook's JSON is parsed and becomes one row, all requests of one event-loop turn share
// one transaction (flushed from setImmediate), and each is answered 202 only after that commit.
// Shipline does much more per deploy; the ratio to this server is what its extra work costs.
import path from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const dataDir = process.env.REFERENCE_DATA_DIR;
if (!dataDir) throw new Error('REFERENCE_DATA_DIR must name a directory for reference.db');
const db = new Database(path.join(dataDir, 'reference.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS deploys (
  id INTEGER PRIMARY KEY, endpoint TEXT NOT NULL, dedup_id TEXT NOT NULL UNIQUE, service TEXT NOT NULL,
  environment TEXT, deployed_at TEXT NOT NULL, deployer TEXT, description TEXT)`);
const insert = db.prepare(
  'INSERT OR IGNORE INTO deploys (endpoint, dedup_id, service, environment, deployed_at, deployer, description) VALUES (?, ?, ?, ?, ?, ?, ?)',
);

interface Deploy {
  service: string;
  dedup_id: string;
  deployed_at: string;
  environment?: string;
  description?: string;
  deployer?: { email?: string };
}
type Pending = { endpoint: string; deploy: Deploy; done: (err?: Error) => void };

let batch: Pending[] = [];
const commit = db.transaction((rows: Pending[]) => {
  for (const { endpoint, deploy: d } of rows) {
    insert.run(endpoint, d.dedup_id, d.service, d.environment ?? null, d.deployed_at, d.deployer?.email ?? null, d.description ?? null);
  }
});
function flush(): void {
  const rows = batch;
  batch = [];
  try {
    commit(rows);
    for (const row of rows) row.done();
  } catch (err) {
    for (const row of rows) row.done(err as Error);
  }
}

const app = Fastify({ logger: false });
app.post<{ Params: { id: string }; Body: Deploy }>('/integrations/deploy/:id', (request, reply) => {
  if (batch.length === 0) setImmediate(flush);
  batch.push({
    endpoint: request.params.id,
    deploy: request.body,
    done: (err) => void (err ? reply.status(500).send({ error: err.message }) : reply.status(202).send({ result: 'ok' })),
  });
  return reply;
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`Durable reference listening on ${address}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().then(() => (db.close(), process.exit(0))));
}
