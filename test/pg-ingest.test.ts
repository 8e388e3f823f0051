import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeployPayload } from '../src/core/deploy-payload.js';
import type { DeployInput } from '../src/core/deploy-payload.js';
import { validateReaction } from '../src/core/reactions/document.js';
import { compactRecordedData } from '../src/store/deploy-events.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import type { TestDatabase } from './support/databases.js';
import { DIALECTS, freshDatabase, POSTGRES_URL } from './support/databases.js';
import { seedPayload } from './support/app.js';
import { startPgProxy } from './support/pg-proxy.js';
import { roundTrips } from './support/pg-round-trips.js';
import type { PgProxy } from './support/pg-proxy.js';

function input(overrides: Record<string, unknown>): DeployInput {
  const parsed = parseDeployPayload(seedPayload({ deploy_number: undefined, ...overrides }));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.input;
}

async function apply(store: Store, name: string, event: string, enabled = true): Promise<void> {
  const document = { name, enabled, on: { event }, steps: { note: { uses: 'log', with: { message: '{{ data.id }}' } } } };
  const result = validateReaction(document, { applying: true });
  if (!result.ok) throw new Error(result.problems.join('; '));
  await store.reactions.apply(result.reaction, document);
}

describe.runIf(POSTGRES_URL)('PostgreSQL ingest round trips', () => {
  let database: TestDatabase;
  let a: Store;
  let b: Store;
  let endpointId: string;

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    a = openStore(database.options);
    await a.migrate();
    // A second instance on the same database, as another Shipline process.
    b = openStore(database.options);
    await b.services.create({ name: 'cart', aliases: ['cart-svc'] });
    endpointId = (await a.endpoints.create('ci')).id;
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  const batch = (prefix: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) => a.ingest.record(endpointId, input({ service: 'cart-svc', dedup_id: `${prefix}-${i}` }))),
    );

  it('records a batch in one statement (and one wake-up) when no reaction listens', async () => {
    await batch('warm', 1);
    const { result, sent } = await roundTrips(() => batch('quiet', 25));
    expect(result.map((o) => o.result)).toEqual(Array.from({ length: 25 }, () => 'ok'));
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(sent.filter((s) => /^(BEGIN|COMMIT)/i.test(s))).toEqual([]);
    expect(sent.filter((s) => s.includes('INSERT INTO deploys'))).toHaveLength(1);
    const numbers = result.map((o) => Number(o.deploy!.deployNumber)).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));
  });

  it('numbers the first deploys of a new alias from two instances without a gap, and suggests it once', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).ingest.record(endpointId, input({ service: 'brand-new', dedup_id: `bn-${i}` }))),
    );
    expect(new Set(outcomes.map((o) => o.result))).toEqual(new Set(['no_service_found']));
    const numbers = outcomes.map((o) => Number(o.deploy!.deployNumber)).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const suggested = (await a.events.list({ type: 'suggestion.created', limit: 10 })).items;
    expect(suggested.map((e) => (e.data as { alias: string }).alias)).toEqual(['brand-new']);
  });

  it('has one batch of an alias in flight at a time, while batches of other aliases overlap', async () => {
    // The ingest statements in flight, by the aliases they carry ($3).
    const perAlias = new Map<string, number>();
    let mostOfOneAlias = 0;
    let statements = 0;
    let mostStatements = 0;
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      const query = args[0] as { text?: unknown; values?: unknown[] };
      if (typeof query?.text !== 'string' || !query.text.includes('INSERT INTO deploys')) return result;
      const aliases = [...new Set(query.values![2] as string[])];
      for (const alias of aliases) perAlias.set(alias, (perAlias.get(alias) ?? 0) + 1);
      mostOfOneAlias = Math.max(mostOfOneAlias, ...aliases.map((alias) => perAlias.get(alias)!));
      mostStatements = Math.max(mostStatements, ++statements);
      const done = () => {
        statements--;
        for (const alias of aliases) perAlias.set(alias, perAlias.get(alias)! - 1);
      };
      (result as Promise<unknown>).then(done, done);
      return result;
    } as typeof original;
    try {
      // Deploys arriving in turns of the event loop, each turn's ready to make a batch of its own
      // while the earlier ones are still in PostgreSQL.
      const pending: Array<Promise<unknown>> = [];
      for (let turn = 0; turn < 6; turn++) {
        pending.push(a.ingest.record(endpointId, input({ service: 'cart-svc', dedup_id: `turn-${turn}` })));
        pending.push(a.ingest.record(endpointId, input({ service: `turn-alias-${turn}`, dedup_id: `turn-alias-${turn}` })));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const outcomes = (await Promise.all(pending)) as Array<{ result: string }>;
      expect(outcomes.filter((o) => o.result === 'ok')).toHaveLength(6);
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(mostOfOneAlias).toBe(1);
    expect(mostStatements).toBeGreaterThan(1);
  });

  it('sends the deploys that waited for an alias before it answers the batch that held it', async () => {
    // What happened, in order: an ingest statement sent (with its dedup ids) or a deploy answered.
    const order: string[] = [];
    let firstSent: () => void = () => {};
    const sentOnce = new Promise<void>((resolve) => (firstSent = resolve));
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const query = args[0] as { text?: unknown; values?: unknown[] };
      if (typeof query?.text === 'string' && query.text.includes('INSERT INTO deploys')) {
        order.push(`sent ${(query.values![3] as string[]).join(',')}`);
        firstSent();
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    const record = (dedupId: string) =>
      a.ingest.record(endpointId, input({ service: 'cart-svc', dedup_id: dedupId })).then((outcome) => {
        order.push(`answered ${dedupId}`);
        return outcome;
      });
    try {
      const first = record('held-0');
      await sentOnce;
      // These wait while held-0's batch holds the alias.
      const next = [record('held-1'), record('held-2')];
      const outcomes = await Promise.all([first, ...next]);
      expect(outcomes.map((o) => o.result)).toEqual(['ok', 'ok', 'ok']);
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(order.slice(0, 3)).toEqual(['sent held-0', 'sent held-1,held-2', 'answered held-0']);
  });

  it('sees a reaction another instance applied, and commits the runs with the deploys', async () => {
    await batch('before', 1);
    await apply(b, 'on-deploys', 'deploy.*');
    const { result, sent } = await roundTrips(() => batch('heard', 10));
    expect(result.map((o) => o.result)).toEqual(Array.from({ length: 10 }, () => 'ok'));
    expect(sent.some((s) => /^BEGIN/i.test(s))).toBe(true);
    // In the transaction too, the ingest statement runs prepared: parsing and planning it again
    // for each batch took PostgreSQL longer than running it.
    const names: unknown[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const query = args[0] as { name?: unknown; text?: unknown };
      if (typeof query?.text === 'string' && query.text.includes('INSERT INTO deploys')) names.push(query.name);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      await batch('heard-again', 3);
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name) => typeof name === 'string' && name.startsWith('shipline_'))).toBe(true);
    // With the reactions unchanged, the runs are queued by the generation the ingest statement read:
    // no read of its own (one round trip fewer), and still one run per deploy.
    const unchanged = await roundTrips(() => batch('heard-unchanged', 3));
    expect(unchanged.sent.filter((s) => s.startsWith("SELECT value FROM engine_state WHERE name = 'reactions'"))).toEqual([]);
    expect(unchanged.sent.filter((s) => s.startsWith('INSERT INTO runs'))).toHaveLength(1);
    // Committed together: the runs are there when the ingest answers.
    const events = (await a.events.list({ type: 'deploy.recorded', limit: 10 })).items;
    const runs = await a.runs.forEvents(events.map((e) => e.id));
    expect(new Set(runs.map((r) => r.eventId))).toEqual(new Set(events.map((e) => e.id)));

    // Disabled again (by the other instance): back to one statement, with no run.
    await apply(b, 'on-deploys', 'deploy.*', false);
    await batch('after', 1);
    const quiet = await roundTrips(() => batch('quiet-again', 10));
    expect(quiet.sent.length).toBeLessThanOrEqual(3);
    const later = (await a.events.list({ type: 'deploy.recorded', limit: 10 })).items;
    expect(await a.runs.forEvents(later.map((e) => e.id))).toEqual([]);
  });
});

describe.runIf(POSTGRES_URL)('a PostgreSQL ingest whose connection drops after the statement committed', () => {
  let database: TestDatabase;
  let proxy: PgProxy;
  // Through the proxy, which loses the reply; `direct` reads what was stored.
  let store: Store;
  let direct: Store;
  let endpointId: string;

  beforeAll(async () => {
    database = await freshDatabase('postgres');
    direct = openStore(database.options);
    await direct.migrate();
    await direct.services.create({ name: 'cart' });
    endpointId = (await direct.endpoints.create('ci')).id;
    proxy = await startPgProxy(database.options.databaseUrl!);
    store = openStore({ ...database.options, databaseUrl: proxy.url });
  });
  afterAll(async () => {
    await store.close();
    await direct.close();
    await proxy.close();
    await database.drop();
  });

  const storedUnder = (alias: string) =>
    direct.db.transaction((run) => run.query<{ id: string }>('SELECT id FROM deploys WHERE service_alias = ? ORDER BY id', [alias]));

  it('records a deploy without dedup_id once, and answers it as recorded', async () => {
    // The statement's parameters carry the alias: the reply to the ingest's statement is lost.
    const dropped = proxy.dropReplyTo('lost-reply');
    const outcome = await store.ingest.record(endpointId, input({ service: 'lost-reply', dedup_id: null }));
    await dropped;
    const stored = await storedUnder('lost-reply');
    expect(stored).toHaveLength(1);
    expect(outcome.result).toBe('no_service_found');
    expect(outcome.deploy!.id).toBe(stored[0]!.id);
    expect(outcome.deploy!.deployNumber).toBe('1');
    const next = await store.ingest.record(endpointId, input({ service: 'lost-reply', dedup_id: null }));
    expect(next.deploy!.deployNumber).toBe('2');
  });

  it('answers a deploy with a dedup_id as recorded, not as a duplicate of itself', async () => {
    const dropped = proxy.dropReplyTo('lost-dedup');
    const outcome = await store.ingest.record(endpointId, input({ service: 'lost-dedup', dedup_id: 'lost-dedup-1' }));
    await dropped;
    expect(outcome.result).toBe('no_service_found');
    expect((await storedUnder('lost-dedup')).map((r) => r.id)).toEqual([outcome.deploy!.id]);
  });

  it('with a reaction listening, a lost COMMIT reply: one deploy, its runs once', async () => {
    await apply(direct, 'on-lost-commits', 'deploy.recorded');
    // Warm: the store learns that a reaction listens, so the next batch runs in a transaction.
    await store.ingest.record(endpointId, input({ service: 'cart', dedup_id: null }));
    // A transaction ends with a simple query ending in `COMMIT` (its notifications before it).
    const dropped = proxy.dropReplyTo('COMMIT\0');
    const outcome = await store.ingest.record(endpointId, input({ service: 'lost-commit', dedup_id: null }));
    await dropped;
    expect(outcome.result).toBe('no_service_found');
    expect((await storedUnder('lost-commit')).map((r) => r.id)).toEqual([outcome.deploy!.id]);
    const events = (await direct.events.list({ type: 'deploy.recorded', limit: 1 })).items;
    expect((events[0]!.data as { id: string }).id).toBe(outcome.deploy!.id);
    expect(await direct.runs.forEvents(events.map((e) => e.id))).toHaveLength(1);
  });
});

describe.each(DIALECTS)('ingest semantics on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let endpointId: string;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    store = openStore(database.options);
    await store.migrate();
    await store.services.create({ name: 'Caf\u00e9 "quoted" \\ \u0001', aliases: ['odd'] });
    endpointId = (await store.endpoints.create('ci "main" \u2603 \t')).id;
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('numbers a batch as one deploy after another: given numbers move the sequence forward', async () => {
    const given = [null, '10', null, 'v2', null, '5', '0012', null];
    const outcomes = await Promise.all(
      given.map((n, i) => store.ingest.record(endpointId, input({ service: 'odd', dedup_id: `num-${i}`, deploy_number: n }))),
    );
    expect(outcomes.map((o) => o.deploy!.deployNumber)).toEqual(['1', '10', '11', 'v2', '12', '5', '0012', '13']);
    const next = await store.ingest.record(endpointId, input({ service: 'odd', dedup_id: 'num-next' }));
    expect(next.deploy!.deployNumber).toBe('14');
  });

  it('stores each event with the deploy exactly as the API gives it, and answers each item on its own', async () => {
    const outcomes = await Promise.all([
      store.ingest.record(endpointId, input({ service: 'odd', dedup_id: 'ev-1', status: 'failed' })),
      store.ingest.record(endpointId, input({ service: 'new-alias', dedup_id: 'ev-2', environment: 'prod' })),
      store.ingest.record(endpointId, input({ service: 'new-alias', dedup_id: 'ev-3' })),
      store.ingest.record(endpointId, input({ service: 'odd', dedup_id: 'ev-1' })),
      store.ingest.record('00000000-0000-7000-8000-000000000000', input({ service: 'odd', dedup_id: 'ev-4' })),
    ]);
    expect(outcomes.map((o) => o.result)).toEqual(['ok', 'no_service_found', 'no_service_found', 'duplicate_deploy', 'endpoint_not_found']);
    const [failed, first, second] = outcomes.map((o) => o.deploy!);
    const rows = await store.db.transaction((run) =>
      run.query<{ id: string; type: string; data: string; subject: string | null; source: string }>(
        "SELECT id, type, data, subject, source FROM events WHERE type IN ('deploy.recorded', 'deploy.failed', 'suggestion.created') AND created_at = ? ORDER BY seq",
        [failed!.receivedAt],
      ),
    );
    expect(rows.map((r) => r.type)).toEqual([
      'deploy.recorded',
      'deploy.recorded',
      'deploy.recorded',
      'deploy.failed',
      'suggestion.created',
    ]);
    // The recorded deploy is stored compact, byte for byte the same on both stores, and reads back whole.
    expect(rows.slice(0, 3).map((r) => r.data)).toEqual([failed, first, second].map((d) => compactRecordedData(d!)));
    const read = await Promise.all(rows.slice(0, 3).map((r) => store.events.get(r.id)));
    expect(read.map((e) => JSON.stringify(e.data))).toEqual([failed, first, second].map((d) => JSON.stringify(d)));
    expect(rows[3]!.data).toBe(JSON.stringify({ ...failed, failure: { source: 'custom', reason: failed!.description, markedBy: null } }));
    expect(rows[3]!.subject).toBe(`deploy:${failed!.id}`);
    expect(JSON.parse(rows[4]!.data)).toEqual({ alias: 'new-alias', deployId: first!.id, environment: 'prod' });
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set([`deploy-endpoint:${failed!.endpoint}`]));
    expect(failed!.service!.name).toBe('Caf\u00e9 "quoted" \\ \u0001');
  });
});

describe.each(DIALECTS)('suggestion.created under concurrent ingests on %s', (dialect) => {
  let database: TestDatabase;
  let a: Store;
  // A second instance on PostgreSQL; on SQLite one process owns the database.
  let b: Store;
  let endpointId: string;

  beforeAll(async () => {
    database = await freshDatabase(dialect);
    a = openStore(database.options);
    await a.migrate();
    b = dialect === 'postgres' ? openStore(database.options) : a;
    endpointId = (await a.endpoints.create('ci')).id;
  });
  afterAll(async () => {
    await a.close();
    if (b !== a) await b.close();
    await database.drop();
  });

  const suggestionsOf = async (alias: string) =>
    (await a.events.list({ type: 'suggestion.created', limit: 50 })).items.filter((e) => (e.data as { alias: string }).alias === alias);

  /** Runs `work` while another transaction holds the row lock of `alias`'s sequence, until `waiting` backends wait on a lock. */
  async function behindSequenceLock<T>(alias: string, waiting: number, work: () => Promise<T>): Promise<T> {
    if (dialect !== 'postgres') return work();
    const holder = new pg.Client({ connectionString: database.options.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM deploy_sequences WHERE scope = $1 FOR UPDATE', [`alias:${alias}`]);
      const done = work();
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [row] = (
          await holder.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rows;
        if (Number(row!.n) >= waiting) break;
        if (Date.now() > deadline) throw new Error(`fewer than ${waiting} ingests waited on a lock`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await holder.query('ROLLBACK');
      return await done;
    } finally {
      await holder.end();
    }
  }

  it('an alias unclaimed again is suggested once, though two instances record its first deploys at once', async () => {
    await a.ingest.record(endpointId, input({ service: 'legacy-x', dedup_id: null }));
    expect(await suggestionsOf('legacy-x')).toHaveLength(1);
    // Claimed, then given up: its deploys stay with the service, and its sequence row stays.
    await a.services.create({ name: 'legacy', aliases: ['legacy-x'] });
    await a.services.update('legacy', { aliases: [] });
    // The second instance has recorded before (it knows no reaction listens), as a running one has.
    await b.ingest.record(endpointId, input({ service: 'warm', dedup_id: null }));

    const outcomes = await behindSequenceLock('legacy-x', 2, () =>
      Promise.all([
        a.ingest.record(endpointId, input({ service: 'legacy-x', dedup_id: null })),
        b.ingest.record(endpointId, input({ service: 'legacy-x', dedup_id: null })),
      ]),
    );
    expect(outcomes.map((o) => o.result)).toEqual(['no_service_found', 'no_service_found']);
    expect(outcomes.map((o) => Number(o.deploy!.deployNumber)).sort()).toEqual([2, 3]);
    const suggested = await suggestionsOf('legacy-x');
    expect(suggested).toHaveLength(2);
    expect(outcomes.map((o) => o.deploy!.id)).toContain((suggested[0]!.data as { deployId: string }).deployId);
  });

  it('a new alias is suggested once when many deploys of it arrive at once from two instances', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).ingest.record(endpointId, input({ service: 'all-at-once', dedup_id: null }))),
    );
    expect(outcomes.map((o) => Number(o.deploy!.deployNumber)).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await suggestionsOf('all-at-once')).toHaveLength(1);
  });
});
