// Octopus benchmark: how fast Shipline hears that an Octopus deployment finished, and how many
// deliveries its receiver absorbs.
//
//   npm run bench:octopus [-- --samples 200 --duration 10 --connections 16]
//
// Starts the Octopus stand-in (in this process) and Shipline (SQLite, a child process), connects
// them, and measures:
//  1. Latency: Deploy Release steps wait on deployments the stand-in keeps running; the stand-in
//     then finishes one task at a time and posts DeploymentSucceeded. The figure is from that
//     moment to the run's recorded finish (the webhook → inbox → event → resumed step → task
//     re-read → outcome path), one deployment at a time. Target p50 <= 50 ms.
//  2. Throughput: real-shaped DeploymentSucceeded deliveries, each with a new Event.Id, posted
//     as fast as the receiver answers; every answer must be 200. Target >= 2,000/s on SQLite.
// Not part of `npm test`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { startOctopusSim } from '../src/simulators/octopus/index.js';
import { startServer } from '../test/support/server-process.js';

const TARGET_P50_MS = 50;
const TARGET_RATE = 2000;

function parseArgs(argv: readonly string[]) {
  const options = { samples: 200, duration: 10, connections: 16 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    const value = Number(inline ?? argv[++i]);
    if (flag === '--samples') options.samples = value;
    else if (flag === '--duration') options.duration = value;
    else if (flag === '--connections') options.connections = value;
    else throw new Error(`unknown argument ${flag}\nusage: npm run bench:octopus -- [--samples n] [--duration s] [--connections n]`);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} takes a positive number`);
    if (flag === '--samples' && value > 500) throw new Error('--samples takes at most 500');
  }
  return options;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-bench-octopus-'));
  const adminToken = randomBytes(24).toString('hex');
  const port = await freePort();
  const sim = await startOctopusSim();
  const server = await startServer({
    dataDir,
    adminToken,
    name: 'Shipline',
    env: {
      SHIPLINE_PORT: String(port),
      SHIPLINE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      SHIPLINE_ALLOW_HOSTS: '127.0.0.1',
      SHIPLINE_MASTER_KEY: randomBytes(32).toString('base64'),
    },
  });
  const api = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const until = async <T>(check: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  try {
    const conn = await api<{ id: string; status: string; webhookUrl: string }>('POST', '/api/v1/connections', {
      type: 'octopus',
      name: 'bench',
      config: { serverUrl: sim.url },
      secrets: { apiKey: sim.apiKey },
    });
    if (conn.status !== 'ready') throw new Error(`connection not ready: ${JSON.stringify(conn)}`);
    const sub = await until(async () => {
      const subs = (await (
        await fetch(`${sim.url}/api/Spaces-1/subscriptions/all`, { headers: { 'x-octopus-apikey': sim.apiKey } })
      ).json()) as Array<{ EventNotificationSubscription: { WebhookHeaderValue: string } }>;
      return subs[0];
    }, 'the subscription');
    const secret = sub.EventNotificationSubscription.WebhookHeaderValue;

    // 1. Latency.
    sim.addOutcome({ state: 'Manual' });
    await api('PUT', '/api/v1/reactions/bench-deploy', {
      name: 'bench-deploy',
      on: { event: 'webhook.bench-go' },
      steps: {
        deploy: {
          uses: 'octopus.deployRelease',
          with: { connection: 'bench', project: 'Web', release: 'latest', environment: 'Production', pollInterval: '1h' },
        },
      },
    });
    const hook = await api<{ url: string; key: string }>('POST', '/api/v1/webhooks', { name: 'bench-go', auth: { type: 'api_key' } });
    for (let i = 0; i < options.samples; i++)
      await fetch(hook.url, { method: 'POST', headers: { 'x-shipline-key': hook.key, 'content-type': 'application/json' }, body: '{}' });
    type RunItem = { id: string; status: string; finishedAt: string | null };
    const listRuns = async () => (await api<{ items: RunItem[] }>('GET', '/api/v1/runs?reaction=bench-deploy&limit=500')).items;
    await until(
      async () => ((await listRuns()).filter((r) => r.status === 'waiting').length === options.samples ? true : undefined),
      'every Deploy Release step waiting',
    );
    const executing = await until(async () => {
      const tasks = sim.state.tasks.filter((t) => t.state === 'Executing');
      return tasks.length === options.samples ? tasks : undefined;
    }, 'every task executing');
    const latencies: number[] = [];
    for (const task of executing) {
      const before = new Set((await listRuns()).filter((r) => r.status === 'succeeded').map((r) => r.id));
      const t0 = Date.now();
      sim.completeTask(task.id, 'Success');
      const run = await until(async () => (await listRuns()).find((r) => r.status === 'succeeded' && !before.has(r.id)), 'a finished run');
      latencies.push(Date.parse(run.finishedAt!) - t0);
    }
    latencies.sort((a, b) => a - b);
    const p50 = pct(latencies, 50);
    console.log(
      `latency DeploymentSucceeded posted → Deploy Release finished (${latencies.length} deployments): p50 ${p50} ms, p90 ${pct(latencies, 90)} ms, p99 ${pct(latencies, 99)} ms, max ${latencies.at(-1)} ms  [target p50 <= ${TARGET_P50_MS} ms: ${p50 <= TARGET_P50_MS ? 'met' : 'MISSED'}]`,
    );

    // 2. Throughput.
    const template = JSON.parse(
      fs.readFileSync(
        new URL('../src/integrations/octopus/fixtures/webhook-payload-deployment-failed.OctopusSubscriptionListener.json', import.meta.url),
        'utf8',
      ),
    ) as { Payload: { Event: { Id: string; Category: string } } };
    template.Payload.Event.Category = 'DeploymentSucceeded';
    let n = 0;
    const result = await autocannon({
      url: conn.webhookUrl,
      method: 'POST',
      connections: options.connections,
      duration: options.duration,
      headers: { 'content-type': 'application/json', 'x-shipline-webhook-secret': secret },
      setupClient: (client) => {
        client.setBody(JSON.stringify(template));
      },
      requests: [
        {
          setupRequest: (req) => {
            template.Payload.Event.Id = `Events-bench-${++n}`;
            return { ...req, body: JSON.stringify(template) };
          },
        },
      ],
    });
    const ok = result['2xx'];
    const other = result.non2xx + result.errors + result.timeouts;
    const rate = ok / options.duration;
    console.log(
      `receiver: ${Math.round(rate)} deliveries/s answered 200 (${ok} in ${options.duration} s, ${options.connections} connections), ${other} other answers, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms  [target >= ${TARGET_RATE}/s: ${rate >= TARGET_RATE && other === 0 ? 'met' : 'MISSED'}]`,
    );
    // Everything acknowledged becomes an event: the inbox drains (read straight from the database).
    const db = new Database(path.join(dataDir, 'shipline.db'), { readonly: true });
    try {
      const pending = () => (db.prepare('SELECT count(*) AS n FROM inbox WHERE processed_at IS NULL').get() as { n: number }).n;
      const left = pending();
      const drainStart = Date.now();
      await until(async () => (pending() === 0 ? true : undefined), 'the inbox to drain', 600_000);
      const total = (db.prepare("SELECT count(*) AS n FROM events WHERE source_key LIKE 'octopus:%:Events-bench-%'").get() as { n: number })
        .n;
      const seconds = (result.duration * 1000 + (Date.now() - drainStart)) / 1000;
      console.log(
        `processing: ${total} events stored for ${ok} acknowledged deliveries (${left} still in the inbox when the load stopped; all processed ${((Date.now() - drainStart) / 1000).toFixed(1)} s later, ${Math.round(total / seconds)} events/s overall)  [every acknowledged delivery stored: ${total >= ok ? 'yes' : 'NO'}; requests still in flight when the load stopped count too]`,
      );
    } finally {
      db.close();
    }
  } finally {
    await server.stop();
    await sim.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
