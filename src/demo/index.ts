import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '../cli/client.js';
import { loadConfig } from '../config.js';
import { DEFAULT_SEED, loadSeedFile, startOctopusSim } from '../simulators/octopus/index.js';
import type { OctopusSim } from '../simulators/octopus/index.js';
import { startShipline } from '../main.js';
import type { RunningShipline } from '../main.js';
import { autoApprover } from './auto-approver.js';
import { banner } from './banner.js';
import { octopusFeeder, scriptOutcomes } from './octopus-feeder.js';
import { pipelineFeeder } from './pipelines.js';
import { DEMO_EXAMPLES, PIPELINES, setUpDemo, waitForSubscription } from './setup.js';
import type { SlackSink } from './slack-sink.js';
import { startSlackSink } from './slack-sink.js';
import type { Ticker } from './ticker.js';
import { startTicker } from './ticker.js';
import { errorMessage } from '../core/error-message.js';

/**
 * `shipline demo`: the whole product working on one laptop with nothing to configure. An Octopus
 * stand-in and a Slack stand-in, Shipline on a temporary SQLite store, set up through its own
 * REST API, and a stream of deploys from fake pipelines and Octopus.
 */

export interface DemoTimings {
  /** How long an Octopus task stays Queued, then Executing. Default 200 ms and 1.5 s. */
  queuedMs: number;
  executingMs: number;
  /** Each fake pipeline deploys after a random pause in this range. Default 1–3 s. */
  deployMinMs: number;
  deployMaxMs: number;
  /** How often a new release is deployed to Staging in Octopus. Default 10 s. */
  octopusEveryMs: number;
  /** How long a promotion waits before the demo approves it. Default 5 s. */
  approveAfterMs: number;
  /** How often waiting promotions are looked for. Default 1 s. */
  pollMs: number;
}

export const DEMO_TIMINGS: DemoTimings = {
  queuedMs: 200,
  executingMs: 1500,
  deployMinMs: 1000,
  deployMaxMs: 3000,
  octopusEveryMs: 10_000,
  approveAfterMs: 5000,
  pollMs: 1000,
};

export interface DemoOptions {
  /** Shipline's port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Keep the data directory on close. Default false. */
  keep?: boolean;
  timings?: Partial<DemoTimings>;
  /** Where the demo's lines go. Default: stdout. */
  print?: (line: string) => void;
  /** Shipline's log level. Default: $SHIPLINE_LOG_LEVEL, else `warn` (the JSON log would drown the demo). */
  logLevel?: string;
}

export interface RunningDemo {
  url: string;
  /** The admin token. */
  token: string;
  /** The web UI's sign-in (an admin user made for the demo). */
  user: { email: string; password: string };
  dataDir: string;
  octopusUrl: string;
  octopusApiKey: string;
  slack: SlackSink;
  /** Stops the feeders, Shipline and the stand-ins, then deletes the data directory unless `keep`. */
  close(): Promise<void>;
}

/** The demo's web UI user; the password is made up at each start. */
export const DEMO_USER_EMAIL = 'demo@shipline.local';

/** A port free right now on 127.0.0.1, so that Shipline's public URL is known before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function demoSeed() {
  const file = path.join(DEMO_EXAMPLES, 'seed.yaml');
  // An installed package ships without examples/: the built-in seed has the same projects' shape.
  return fs.existsSync(file) ? loadSeedFile(file) : DEFAULT_SEED;
}

/** Starts the stand-ins and Shipline, sets it up, prints the banner and starts the traffic. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const timings = { ...DEMO_TIMINGS, ...options.timings };
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-demo-'));
  const token = `shp_${randomBytes(32).toString('base64url')}`;
  const user = { email: DEMO_USER_EMAIL, password: `demo-${randomBytes(9).toString('base64url')}` };

  let sink: SlackSink | undefined;
  let sim: OctopusSim | undefined;
  let shipline: RunningShipline | undefined;
  const tickers: Ticker[] = [];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await Promise.all(tickers.map((t) => t.stop()));
      await shipline?.close();
      await sim?.close();
      await sink?.close();
      if (!options.keep) fs.rmSync(dataDir, { recursive: true, force: true });
    })();
    return closing;
  };

  try {
    sink = await startSlackSink(print);
    sim = await startOctopusSim({ seed: demoSeed() });
    scriptOutcomes(sim, { queuedMs: timings.queuedMs, executingMs: timings.executingMs });

    const port = options.port === undefined ? 8080 : options.port === 0 ? await freePort() : options.port;
    const url = `http://127.0.0.1:${port}`;
    // Only the demo's own settings: the developer's DATABASE_URL or master key must not leak in.
    // The master key is left unset, so a fresh one is created in the temporary data directory.
    const config = loadConfig({
      SHIPLINE_PORT: String(port),
      SHIPLINE_HOST: '127.0.0.1',
      SHIPLINE_DATA_DIR: dataDir,
      SHIPLINE_PUBLIC_URL: url,
      SHIPLINE_ADMIN_TOKEN: token,
      SHIPLINE_ALLOW_HOSTS: '127.0.0.1',
      SHIPLINE_LOG_LEVEL: options.logLevel ?? (process.env.SHIPLINE_LOG_LEVEL || 'warn'),
    });
    // No setup code: the demo creates its admin itself, just below.
    shipline = await startShipline(config, { firstRunSetup: false });

    const api = createClient({ url: shipline.url, token });
    await api.post('/api/v1/users', { email: user.email, name: 'Demo Admin', role: 'admin', password: user.password });
    const { endpoints } = await setUpDemo(api, {
      slackWebhookUrl: `${sink.url}/services/T0/B0/demo`,
      octopusUrl: sim.url,
      octopusApiKey: sim.apiKey,
    });
    for (const line of banner({
      url: shipline.url,
      token,
      user,
      octopusUrl: sim.url,
      octopusApiKey: sim.apiKey,
      dataDir,
      keep: options.keep === true,
      ...timings,
    }))
      print(line);

    const report = (what: string) => (err: unknown) => print(`[demo] ${what} failed: ${errorMessage(err)}`);
    const feeder = pipelineFeeder({ api, endpoints, print });
    for (const pipeline of PIPELINES) {
      tickers.push(
        startTicker({
          minMs: timings.deployMinMs,
          maxMs: timings.deployMaxMs,
          tick: () => feeder.tick(pipeline),
          onError: report(pipeline),
        }),
      );
    }
    const approver = autoApprover({ api, approveAfterMs: timings.approveAfterMs, print });
    tickers.push(startTicker({ minMs: timings.pollMs, maxMs: timings.pollMs, tick: approver.tick, onError: report('auto-approval') }));

    // Deployments made before Shipline's subscription exists would never be delivered to it.
    if (!(await waitForSubscription(api, 15_000, 100)))
      print('[demo] the Octopus subscription is not there yet; Octopus deployments may go unseen until it is');
    const octopus = octopusFeeder(sim, print);
    tickers.push(
      startTicker({
        minMs: timings.octopusEveryMs,
        maxMs: timings.octopusEveryMs,
        firstMs: 0,
        tick: octopus.tick,
        onError: report('Octopus'),
      }),
    );

    return { url: shipline.url, token, user, dataDir, octopusUrl: sim.url, octopusApiKey: sim.apiKey, slack: sink, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
