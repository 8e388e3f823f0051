import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { octopusProcess } from '../../src/integrations/octopus/index.js';
import { openStore } from '../../src/store/index.js';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import type { DialectName } from '../support/databases.js';
import type { OctopusTestBed } from '../support/octopus.js';
import { octopusTestBed, simDeploy } from '../support/octopus.js';
import { startEngineApp, TEST_MASTER_KEY } from '../support/runtime.js';
import { eventually } from '../support/sink.js';

/**
 * Attacks on what Shipline keeps on disk about Octopus: the receiver's secret inside stored
 * deliveries, and the data directory's files read by another local user.
 */

const storedPayloads = async (bed: OctopusTestBed) =>
  (await bed.t.store.db.transaction((run) => run.query<{ payload: string }>('SELECT payload FROM inbox ORDER BY seq'))).map(
    (r) => r.payload,
  );

describe.each(DIALECTS)('the Octopus receiver secret on %s', (dialect) => {
  let bed: OctopusTestBed;
  let secret: string;
  let connectionId: string;

  beforeAll(async () => {
    bed = await octopusTestBed(dialect);
    connectionId = (await bed.connect('prod')).id;
    const sub = await bed.subscriptionWith(['DeploymentFailed', 'DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
    secret = sub.EventNotificationSubscription.WebhookHeaderValue as string;
    expect(secret.length).toBeGreaterThan(20);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('reads the receiver secret from a stored delivery (Payload.Subscription.…WebhookHeaderValue)', async () => {
    await simDeploy(bed.sim, 'Web', '1.0.1', 'Staging');
    const payloads = await eventually(
      async () => {
        const rows = await storedPayloads(bed);
        return rows.length >= 3 ? rows : undefined;
      },
      15_000,
      'three stored deliveries',
    );
    for (const payload of payloads) {
      expect(payload).not.toContain(secret);
      expect(payload.toLowerCase()).not.toContain('webhookheadervalue');
      // What Shipline reads of a delivery is still there.
      expect(JSON.parse(payload)).toMatchObject({
        Payload: { Event: { Id: expect.any(String) }, Subscription: { Id: expect.any(String) } },
      });
    }
    expect(bed.t.logs.join('\n')).not.toContain(secret);
  });

  it("quotes the connection's API key in a delivery's message to read it from the event it becomes", async () => {
    const delivery = JSON.parse(
      fs.readFileSync(
        new URL(
          '../../src/integrations/octopus/fixtures/webhook-payload-deployment-failed.OctopusSubscriptionListener.json',
          import.meta.url,
        ),
        'utf8',
      ),
    ) as { Payload: { Event: Record<string, unknown> } };
    delivery.Payload.Event.Id = 'Events-990001';
    delivery.Payload.Event.Message = `Deploy failed: key ${bed.sim.apiKey} was refused`;
    const res = await bed.t.app.inject({
      method: 'POST',
      url: `/hooks/octopus/${connectionId}`,
      headers: { 'x-shipline-webhook-secret': secret },
      payload: delivery,
    });
    expect(res.statusCode, res.body).toBe(200);
    const data = await eventually(
      async () => {
        const rows = await bed.t.store.db.transaction((run) =>
          run.query<{ data: string }>("SELECT data FROM events WHERE data LIKE '%was refused%'"),
        );
        return rows.length > 0 ? rows.map((r) => r.data).join('\n') : undefined;
      },
      15_000,
      "the delivery's event",
    );
    expect(data).not.toContain(bed.sim.apiKey);
  });

  it('reads the receiver secret from a delivery an earlier version stored', async () => {
    const connection = (await bed.t.store.connections.withSecrets('prod'))!;
    const database = bed.t.database;
    await bed.t.stop();
    // As an earlier version kept it: the whole body, header value and all, and no cleanup done.
    const old = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    const body = {
      Timestamp: '2026-01-01T00:00:00.000+00:00',
      EventType: 'SubscriptionPayload',
      Payload: {
        ServerUri: bed.sim.url,
        Event: { Id: 'Events-900001', Category: 'MachineAdded', Message: 'added', RelatedDocumentIds: [] },
        Subscription: {
          Id: 'Subscriptions-1',
          EventNotificationSubscription: {
            WebhookHeaderKey: 'X-Shipline-Webhook-Secret',
            WebhookHeaderValue: secret,
            WebhookURI: 'http://x',
          },
        },
      },
    };
    await old.db.transaction(async (run) => {
      await old.inbox.addIn(run, `octopus:${connection.id}`, 'Events-900001', body);
      await run.query("DELETE FROM kv WHERE scope = 'shipline:octopus'");
    });
    await old.close();
    const t = await startEngineApp(dialect, { database });
    try {
      await octopusProcess(t.runtime.host).inbox.cleaned;
      const rows = await t.store.db.transaction((run) => run.query<{ payload: string }>('SELECT payload FROM inbox'));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.payload).not.toContain(secret);
    } finally {
      await t.stop();
    }
  });
});

/** Opens a store in `dataDir` without a configured master key (so master.key lands there) and writes to it. */
async function openAndWrite(dialect: DialectName, dataDir: string): Promise<void> {
  const database = await freshDatabase(dialect);
  const store = openStore({ ...database.options, dataDir });
  try {
    await store.migrate();
    await store.kv.set('test', 'written', true);
    if (dialect === 'sqlite') {
      // The -wal and -shm exist while the store is open.
      for (const suffix of ['-wal', '-shm']) expect(modeOf(path.join(dataDir, `shipline.db${suffix}`)), suffix).toBe(0o600);
    }
  } finally {
    await store.close();
    await database.drop();
  }
}
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe.each(DIALECTS)('file modes of the data directory on %s', (dialect) => {
  let root: string;
  let previousUmask: number;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-modes-'));
    // The loosest umask: modes must be set explicitly, not left to it.
    previousUmask = process.umask(0);
  });
  afterAll(() => {
    process.umask(previousUmask);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads the database, its -wal and -shm, or master.key as another local user', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    await openAndWrite(dialect, dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(path.join(dataDir, 'master.key'))).toBe(0o600);
    if (dialect === 'sqlite') expect(modeOf(path.join(dataDir, 'shipline.db'))).toBe(0o600);
  });

  it('reads them through a data directory an earlier version left open', async () => {
    const dataDir = path.join(root, 'loose');
    await openAndWrite(dialect, dataDir);
    fs.chmodSync(dataDir, 0o755);
    for (const name of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, name), 0o644);
    await openAndWrite(dialect, dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const name of fs.readdirSync(dataDir)) expect(modeOf(path.join(dataDir, name)), name).toBe(0o600);
  });
});
