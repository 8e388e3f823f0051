import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';
import { eventually, Sink } from './support/sink.js';
import { recordOrAdvanceIn } from '../src/store/catalog.js';

describe.each(DIALECTS)('reactions engine on %s', (dialect) => {
  let t: EngineTestApp;
  let sink: Sink;

  beforeAll(async () => {
    sink = await new Sink().start();
    t = await startEngineApp(dialect);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('runs a chain: deploy.recorded → http.request → script on success → http.request on failed, recording the path', async () => {
    await t.applyReaction({
      name: 'chain',
      on: { event: 'deploy.recorded', filter: { environment: ['Production'], serviceAlias: 'chain-svc' } },
      steps: {
        notify: {
          uses: 'http.request',
          with: {
            method: 'POST',
            url: `${sink.url}/notify`,
            body: { service: '{{ data.serviceAlias }}', number: '{{ data.deployNumber }}' },
          },
        },
        check: {
          after: { step: 'notify', channel: 'success' },
          uses: 'script',
          with: { run: 'echo "::output verdict=bad"; echo checking $(cat "$SHIPLINE_EVENT_PATH" | head -c 20); exit 3' },
        },
        page: {
          after: { step: 'check', channel: 'failed' },
          uses: 'http.request',
          with: { method: 'POST', url: `${sink.url}/page`, body: { verdict: '{{ steps.check.output.outputs.verdict }}' } },
        },
        never: { after: { step: 'check', channel: 'success' }, uses: 'http.request', with: { url: `${sink.url}/never` } },
      },
    });
    await t.ingest({ service: 'other-svc', dedup_id: 'chain-0' });
    await t.ingest({ service: 'chain-svc', dedup_id: 'chain-1' });
    const run = await t.runReaching({ reaction: 'chain' }, ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    const path = Object.fromEntries(run.steps.map((s) => [s.id, `${s.status}/${s.channel}`]));
    expect(path).toEqual({ notify: 'succeeded/success', check: 'failed/failed', page: 'succeeded/success' });
    const notify = sink.requests.filter((r) => r.path === '/notify');
    expect(notify).toHaveLength(1);
    expect(JSON.parse(notify[0]!.body)).toEqual({ service: 'chain-svc', number: '234' });
    expect(notify[0]!.headers['idempotency-key']).toBe(`${run.id}:notify`);
    expect(JSON.parse(sink.requests.find((r) => r.path === '/page')!.body)).toEqual({ verdict: 'bad' });
    expect(sink.requests.some((r) => r.path === '/never')).toBe(false);
    const check = run.steps.find((s) => s.id === 'check')!;
    expect(check.logs.join('\n')).toContain('checking');
  });

  it('retries with backoff until the receiver recovers, with one idempotency key across attempts', async () => {
    let flaky = 0;
    sink.reply = (req) => (req.path === '/flaky' && ++flaky <= 2 ? { status: 503, body: 'down' } : { status: 200, body: 'ok' });
    await t.applyReaction({
      name: 'retrying',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'retry-svc' } },
      steps: {
        call: {
          uses: 'http.request',
          with: { method: 'POST', url: `${sink.url}/flaky`, body: { n: 1 } },
          retry: { attempts: 5, backoff: 'exponential', initial: '20ms', max: '200ms' },
        },
      },
    });
    await t.ingest({ service: 'retry-svc', dedup_id: 'retry-1' });
    const run = await t.runReaching({ reaction: 'retrying' }, ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    const calls = sink.requests.filter((r) => r.path === '/flaky');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers['idempotency-key']))).toEqual(new Set([`${run.id}:call`]));
    expect(run.steps[0]!.attempt).toBe(3);
  });

  it('honours Retry-After on 429', async () => {
    let limited = 0;
    sink.reply = (req) =>
      req.path === '/limited' && ++limited === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200, body: 'ok' };
    await t.applyReaction({
      name: 'rate-limited',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'limited-svc' } },
      steps: { call: { uses: 'http.request', with: { url: `${sink.url}/limited` }, retry: { attempts: 3, initial: '10ms' } } },
    });
    await t.ingest({ service: 'limited-svc', dedup_id: 'limited-1' });
    const run = await t.runReaching({ reaction: 'rate-limited' }, ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    const calls = sink.requests.filter((r) => r.path === '/limited');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('routes to failed after the last attempt', async () => {
    sink.reply = (req) => (req.path === '/broken' ? { status: 500 } : { status: 200 });
    await t.applyReaction({
      name: 'exhausted',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'broken-svc' } },
      steps: { call: { uses: 'http.request', with: { url: `${sink.url}/broken` }, retry: { attempts: 2, initial: '10ms' } } },
    });
    await t.ingest({ service: 'broken-svc', dedup_id: 'broken-1' });
    const run = await t.runReaching({ reaction: 'exhausted' }, ['succeeded', 'failed']);
    expect(run.status).toBe('failed');
    expect(run.steps[0]).toMatchObject({ status: 'failed', channel: 'failed', attempt: 2 });
    expect(sink.requests.filter((r) => r.path === '/broken')).toHaveLength(2);

    // A retry of the run runs the failed step again, now that the receiver works.
    sink.reply = () => ({ status: 200 });
    const retried = await t.api({ method: 'POST', url: `/api/v1/runs/${run.id}/retry`, role: 'write' });
    expect(retried.statusCode).toBe(200);
    const after = await eventually(async () => {
      const r = (await t.api({ method: 'GET', url: `/api/v1/runs/${run.id}` })).json<{ status: string }>();
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(after.status).toBe('succeeded');
  });

  it('resumes an approval approved through the API, recording the approver', async () => {
    await t.applyReaction({
      name: 'gate',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'gate-svc' } },
      steps: {
        ask: { uses: 'approval', with: { message: 'Ship {{ data.serviceAlias }}?' } },
        ship: {
          after: { step: 'ask', channel: 'approved' },
          uses: 'http.request',
          with: { method: 'POST', url: `${sink.url}/ship`, body: { by: '{{ steps.ask.output.approver }}' } },
        },
      },
    });
    await t.ingest({ service: 'gate-svc', dedup_id: 'gate-1' });
    const waiting = await t.runReaching({ reaction: 'gate' }, ['waiting']);
    expect(waiting.steps[0]).toMatchObject({ id: 'ask', status: 'waiting' });
    const tooLow = await t.api({ method: 'POST', url: `/api/v1/runs/${waiting.id}/steps/ask/approve`, role: 'read' });
    expect(tooLow.statusCode).toBe(403);
    const approved = await t.api({
      method: 'POST',
      url: `/api/v1/runs/${waiting.id}/steps/ask/approve`,
      role: 'write',
      payload: { comment: 'go' },
    });
    expect(approved.statusCode).toBe(202);
    const run = await t.runReaching({ reaction: 'gate' }, ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((s) => s.id === 'ask')).toMatchObject({
      channel: 'approved',
      output: { approved: true, approver: 'test write', comment: 'go' },
    });
    expect(JSON.parse(sink.requests.find((r) => r.path === '/ship')!.body)).toEqual({ by: 'test write' });
    const again = await t.api({ method: 'POST', url: `/api/v1/runs/${waiting.id}/steps/ask/approve`, role: 'write' });
    expect(again.statusCode).toBe(409);
  });

  it('times an approval out to failed at its deadline', async () => {
    await t.applyReaction({
      name: 'gate-timeout',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'timeout-svc' } },
      steps: { ask: { uses: 'approval', with: { timeout: '300ms' } } },
    });
    await t.ingest({ service: 'timeout-svc', dedup_id: 'timeout-1' });
    const run = await t.runReaching({ reaction: 'gate-timeout' }, ['succeeded', 'failed']);
    expect(run.status).toBe('failed');
    expect(run.steps[0]).toMatchObject({ status: 'failed', channel: 'failed', output: { reason: 'timeout' } });
  });

  it('redacts secrets from run records and logs while sending the real value', async () => {
    const secret = 'sk-live-0123456789abcdef';
    expect((await t.api({ method: 'PUT', url: '/api/v1/secrets/MONITORING_TOKEN', payload: { value: secret } })).statusCode).toBe(200);
    sink.reply = (req) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ echoed: req.headers.authorization }),
    });
    await t.applyReaction({
      name: 'secretive',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'secret-svc' } },
      steps: {
        mark: {
          uses: 'http.request',
          with: {
            method: 'POST',
            url: `${sink.url}/mark`,
            headers: { Authorization: 'Bearer {{ secrets.MONITORING_TOKEN }}' },
            body: { token: '{{ secrets.MONITORING_TOKEN }}' },
          },
        },
        echo: {
          after: 'mark',
          uses: 'script',
          with: { run: 'echo "token is $TOKEN"; exit 1', env: { TOKEN: '{{ secrets.MONITORING_TOKEN }}' } },
        },
      },
    });
    await t.ingest({ service: 'secret-svc', dedup_id: 'secret-1' });
    const run = await t.runReaching({ reaction: 'secretive' }, ['succeeded', 'failed']);
    expect(sink.requests.find((r) => r.path === '/mark')!.headers.authorization).toBe(`Bearer ${secret}`);
    const shown = await t.api({ method: 'GET', url: `/api/v1/runs/${run.id}` });
    expect(shown.body).not.toContain(secret);
    expect(shown.body).toContain('«secret:MONITORING_TOKEN»');
    const reaction = await t.api({ method: 'GET', url: '/api/v1/reactions/secretive' });
    expect(reaction.body).not.toContain(secret);
    const events = await t.api({ method: 'GET', url: '/api/v1/events?limit=500' });
    expect(events.body).not.toContain(secret);
    expect(t.logs.join('\n')).not.toContain(secret);
  });

  it('refuses an invalid document with every problem and stores nothing', async () => {
    const res = await t.api({
      method: 'PUT',
      url: '/api/v1/reactions/broken',
      payload: {
        name: 'broken',
        on: { event: 'deploy.recorded', if: 'data.x ==' },
        steps: { a: { uses: 'nope' }, b: { after: 'zzz', uses: 'http.request', with: { url: '{{ secrets.MISSING }}' } } },
      },
    });
    expect(res.statusCode).toBe(400);
    const problems = res.json<{ error: { code: string; details: { problems: string[] } } }>().error;
    expect(problems.code).toBe('reaction.invalid');
    expect(problems.details.problems.length).toBeGreaterThanOrEqual(4);
    expect((await t.api({ method: 'GET', url: '/api/v1/reactions/broken' })).statusCode).toBe(404);
  });

  it("refuses a script's env names a run would refuse, when the reaction is validated and applied, not when it runs", async () => {
    const document = {
      name: 'script-env',
      on: { event: 'webhook.nothing' },
      steps: {
        a: {
          uses: 'script',
          // Values holding templates: the names are checked all the same.
          with: { run: 'true', env: { SHIPLINE_PROJECT_ID: '{{ data.id }}', shipline_token: 'x', 'NOT-A-NAME': '{{ data.id }}', OK: 'y' } },
        },
      },
    };
    const expected = [
      'steps.a.with.env.SHIPLINE_PROJECT_ID: names starting with SHIPLINE_ are set by Shipline (the run, the event and its ids); use another name',
      'steps.a.with.env.shipline_token: names starting with SHIPLINE_ are set by Shipline (the run, the event and its ids); use another name',
      'steps.a.with.env.NOT-A-NAME: not a variable name: use letters, digits and _, not starting with a digit',
    ];
    const checked = await t.api({ method: 'POST', url: '/api/v1/reactions/validate', payload: { document } });
    expect(checked.json<{ problems: string[] }>().problems).toEqual(expected);
    const res = await t.api({ method: 'PUT', url: '/api/v1/reactions/script-env', payload: document });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<{ error: { code: string; details: { problems: string[] } } }>().error).toMatchObject({
      code: 'reaction.invalid',
      details: { problems: expected },
    });
    expect((await t.api({ method: 'GET', url: '/api/v1/reactions/script-env' })).statusCode).toBe(404);
    const fine = { ...document, steps: { a: { uses: 'script', with: { run: 'true', env: { OK: '{{ data.id }}', _X1: 'y' } } } } };
    expect((await t.api({ method: 'PUT', url: '/api/v1/reactions/script-env', payload: fine })).statusCode).toBe(201);
  });

  it('versions documents: the same document is unchanged, a change is a new version that new runs use', async () => {
    const doc = { name: 'versioned', on: { event: 'webhook.nothing' }, steps: { a: { uses: 'wait', with: { duration: '1ms' } } } };
    const first = await t.api({ method: 'PUT', url: '/api/v1/reactions/versioned', payload: doc, role: 'write' });
    expect(first.statusCode).toBe(201);
    const same = await t.api({ method: 'PUT', url: '/api/v1/reactions/versioned', payload: doc, role: 'write' });
    expect(same.json()).toMatchObject({ version: 1, changed: false });
    const changed = await t.api({
      method: 'PUT',
      url: '/api/v1/reactions/versioned',
      payload: { ...doc, description: 'v2' },
      role: 'write',
    });
    expect(changed.json()).toMatchObject({ version: 2, changed: true });
    const scriptDoc = { name: 'scripted', on: { event: 'x.y' }, steps: { a: { uses: 'script', with: { run: 'true' } } } };
    expect((await t.api({ method: 'PUT', url: '/api/v1/reactions/scripted', payload: scriptDoc, role: 'write' })).statusCode).toBe(403);
  });

  it('dry-runs a reaction against a made-up event without performing anything', async () => {
    const before = sink.requests.length;
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/reactions/chain/test',
      role: 'read',
      payload: { event: { type: 'deploy.recorded', data: { environment: 'Production', serviceAlias: 'chain-svc', deployNumber: 7 } } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ matched: boolean; steps: Array<{ id: string; runsFirst: boolean; input: unknown; error: string | null }> }>();
    expect(body.matched).toBe(true);
    expect(body.steps.find((s) => s.id === 'notify')).toMatchObject({
      runsFirst: true,
      input: { body: { service: 'chain-svc', number: '7' } },
    });
    expect(body.steps.find((s) => s.id === 'page')!.error).toContain('steps');
    const miss = await t.api({
      method: 'POST',
      url: '/api/v1/reactions/chain/test',
      payload: { event: { type: 'deploy.recorded', data: { environment: 'Staging' } } },
    });
    expect(miss.json()).toMatchObject({ matched: false });
    expect(sink.requests.length).toBe(before);
  });

  it('lists and shows events, replays one, and chains reactions on run.succeeded', async () => {
    await t.applyReaction({
      name: 'after-chain',
      on: { event: 'run.succeeded', filter: { reaction: 'chain' } },
      steps: { tell: { uses: 'emit', with: { type: 'chain.done', data: { run: '{{ data.runId }}' } } } },
    });
    const list = await t.api({ method: 'GET', url: '/api/v1/events?type=deploy.*&limit=2', role: 'read' });
    expect(list.statusCode).toBe(200);
    const page = list.json<{ items: Array<{ id: string; type: string; data: { serviceAlias: string } }>; nextCursor: string | null }>();
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const chainEvent = (await t.api({ method: 'GET', url: '/api/v1/events?type=deploy.recorded&limit=500' }))
      .json<{ items: Array<{ id: string; data: { serviceAlias: string } }> }>()
      .items.find((e) => e.data.serviceAlias === 'chain-svc')!;
    expect((await t.api({ method: 'GET', url: `/api/v1/events/${chainEvent.id}`, role: 'read' })).json()).toMatchObject({
      id: chainEvent.id,
      type: 'deploy.recorded',
    });
    const replayed = await t.api({
      method: 'POST',
      url: `/api/v1/events/${chainEvent.id}/replay`,
      role: 'write',
      payload: { reaction: 'chain' },
    });
    expect(replayed.statusCode).toBe(202);
    const runId = replayed.json<{ runs: Array<{ id: string }> }>().runs[0]!.id;
    const done = await eventually(async () => {
      const events = (await t.api({ method: 'GET', url: '/api/v1/events?type=chain.done&limit=500' })).json<{
        items: Array<{ data: { run: string } }>;
      }>();
      return events.items.find((e) => e.data.run === runId);
    });
    expect(done.data.run).toBe(runId);
  });

  it('emits suggestion.created for a new alias, and deploy.record records a deploy from a reaction', async () => {
    await t.applyReaction({
      name: 'mirror',
      on: { event: 'suggestion.created', filter: { alias: 'brand-new' } },
      steps: {
        record: { uses: 'deploy.record', with: { service: 'mirror-{{ data.alias }}', description: 'mirrored', environment: 'Staging' } },
      },
    });
    await t.ingest({ service: 'brand-new', dedup_id: 'brand-new-1' });
    await t.ingest({ service: 'brand-new', dedup_id: 'brand-new-2' });
    const run = await t.runReaching({ reaction: 'mirror' }, ['succeeded', 'failed']);
    expect(run.steps[0]).toMatchObject({ channel: 'success', output: { result: 'no_service_found' } });
    const deploys = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=mirror-brand-new' })).json<{
      items: Array<{ description: string; environment: string; dedupId: string }>;
    }>();
    expect(deploys.items).toEqual([
      expect.objectContaining({ description: 'mirrored', environment: 'Staging', dedupId: `${run.id}:record` }),
    ]);
    const suggestions = (await t.api({ method: 'GET', url: '/api/v1/events?type=suggestion.created&limit=500' })).json<{
      items: Array<{ data: { alias: string } }>;
    }>();
    expect(suggestions.items.filter((e) => e.data.alias === 'brand-new')).toHaveLength(1);
    const runs = (await t.api({ method: 'GET', url: '/api/v1/runs?reaction=mirror' })).json<{ items: unknown[] }>();
    expect(runs.items).toHaveLength(1);
  });

  it('pages runs and events by cursor, and refuses a forged cursor', async () => {
    const first = (await t.api({ method: 'GET', url: '/api/v1/runs?limit=1', role: 'read' })).json<{
      items: Array<{ id: string }>;
      nextCursor: string;
    }>();
    const second = (await t.api({ method: 'GET', url: `/api/v1/runs?limit=1&cursor=${first.nextCursor}` })).json<{
      items: Array<{ id: string }>;
    }>();
    expect(second.items[0]!.id < first.items[0]!.id).toBe(true);
    for (const url of ['/api/v1/runs?cursor=bm9wZQ', '/api/v1/events?cursor=bm9wZQ']) {
      const res = await t.api({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toBe('request.invalid_cursor');
    }
  });

  it('cancels a waiting run', async () => {
    await t.ingest({ service: 'gate-svc', dedup_id: 'gate-cancel' });
    const waiting = await eventually(async () => {
      const runs = (await t.api({ method: 'GET', url: '/api/v1/runs?reaction=gate&status=waiting' })).json<{
        items: Array<{ id: string }>;
      }>();
      return runs.items[0];
    });
    const cancelled = await t.api({ method: 'POST', url: `/api/v1/runs/${waiting.id}/cancel`, role: 'write' });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', steps: [{ id: 'ask', status: 'cancelled' }] });
    expect((await t.api({ method: 'POST', url: `/api/v1/runs/${waiting.id}/cancel` })).statusCode).toBe(409);
    expect((await t.api({ method: 'POST', url: `/api/v1/runs/${waiting.id}/steps/ask/approve` })).statusCode).toBe(409);
  });

  it('serializes runs that share a concurrency key', async () => {
    await t.applyReaction({
      name: 'serial',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'serial-svc' } },
      concurrency: { key: '{{ data.serviceAlias }}', limit: 1 },
      steps: { ask: { uses: 'approval', with: {} } },
    });
    await t.ingest({ service: 'serial-svc', dedup_id: 'serial-1' });
    await t.ingest({ service: 'serial-svc', dedup_id: 'serial-2' });
    const runs = await eventually(async () => {
      const items = (await t.api({ method: 'GET', url: '/api/v1/runs?reaction=serial' })).json<{
        items: Array<{ id: string; status: string }>;
      }>().items;
      return items.length === 2 && items.some((r) => r.status === 'waiting') ? items : undefined;
    });
    const [second, first] = runs;
    expect(first!.status).toBe('waiting');
    expect(second!.status).toBe('queued');
    await t.api({ method: 'POST', url: `/api/v1/runs/${first!.id}/steps/ask/approve` });
    await eventually(async () => {
      const r = (await t.api({ method: 'GET', url: `/api/v1/runs/${second!.id}` })).json<{ status: string }>();
      return r.status === 'waiting' ? r : undefined;
    });
  });

  describe('what the web UI reads about deploys, events, runs and reactions', () => {
    interface RunItem {
      id: string;
      reaction: string;
      reactionVersion: number;
      eventId: string;
      status: string;
      steps?: unknown;
    }
    interface DeployItem {
      id: string;
      dedupId: string;
      deployedAt: string;
    }
    interface EventItem {
      id: string;
      type: string;
      data: { dedupId?: string; id?: string };
    }
    interface Match {
      reaction: string;
      version: number;
      enabled: boolean;
      trigger: string;
      matched: boolean;
      reason: string | null;
      refusedBy: { part: string; key?: string; expected?: unknown; actual?: unknown } | null;
      runs: Array<{ id: string; status: string }>;
    }

    const get = async <T>(url: string) => {
      const res = await t.api({ method: 'GET', url, role: 'read' });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      return res.json<T>();
    };
    const deployOf = async (dedupId: string) =>
      (await get<{ items: DeployItem[] }>('/api/v1/deploys?service=watched-svc&limit=500')).items.find((d) => d.dedupId === dedupId)!;
    const eventsAbout = async (type: string, dedupId: string) =>
      (await get<{ items: EventItem[] }>(`/api/v1/events?type=${type}&limit=500`)).items.filter((e) => e.data.dedupId === dedupId);
    // Runs are created in the transaction that stores their event, so they exist once the ingest answered.
    const runsOf = async (eventId: string) => (await get<{ items: RunItem[] }>(`/api/v1/runs?eventId=${eventId}`)).items;
    /** An integration's deploy (as the GitHub deployment-status receiver reports one). */
    const report = (endpointId: string, deployedAt: string, status: 'started' | 'succeeded') =>
      t.store.db.transaction((run) =>
        recordOrAdvanceIn(
          run,
          t.store,
          {
            endpointId,
            dedupId: 'github:watched-3',
            status,
            source: 'github',
            input: {
              service: 'watched-svc',
              description: 'from GitHub',
              deployedAt,
              environment: 'Production',
              deployUrl: null,
              deployNumber: null,
              deployer: { id: null, email: null, name: null },
              commit: null,
            },
          },
          new Date().toISOString(),
        ),
      );

    it("lists the runs started by a deploy's events, and filters runs by event", async () => {
      await t.applyReaction({
        name: 'deploy-watch',
        on: { event: 'deploy.*', filter: { serviceAlias: 'watched-svc' } },
        steps: { note: { uses: 'emit', with: { type: 'watch.noted' } } },
      });
      // The same deployed_at for all three: each deploy must still find only its own events.
      await t.ingest({ service: 'watched-svc', dedup_id: 'watched-1' });
      await t.ingest({ service: 'watched-svc', dedup_id: 'watched-2' });
      const first = await deployOf('watched-1');
      const endpointId = (await t.store.endpoints.list()).find((e) => e.name === 'ci')!.id;
      await report(endpointId, first.deployedAt, 'started');
      await report(endpointId, first.deployedAt, 'succeeded');
      const third = await deployOf('github:watched-3');

      const [recorded1] = await eventsAbout('deploy.recorded', 'watched-1');
      // Read once the run has finished: both lists below must show it in the same state.
      const firstRuns = await eventually(
        async () => {
          const items = (await get<{ items: RunItem[] }>(`/api/v1/deploys/${first.id}/runs`)).items;
          return items.length > 0 && items.every((r) => r.status === 'succeeded') ? items : undefined;
        },
        15_000,
        "the first deploy's run finished",
      );
      expect(firstRuns).toEqual([expect.objectContaining({ reaction: 'deploy-watch', eventId: recorded1!.id, reactionVersion: 1 })]);
      expect(firstRuns[0]).not.toHaveProperty('steps');
      expect(await runsOf(recorded1!.id)).toEqual(firstRuns);

      const [recorded3] = await eventsAbout('deploy.recorded', 'github:watched-3');
      const [updated3] = await eventsAbout('deploy.updated', 'github:watched-3');
      const thirdRuns = (await get<{ items: RunItem[] }>(`/api/v1/deploys/${third.id}/runs`)).items;
      // Newest first: the run of the status change, then the run of the recording.
      expect(thirdRuns.map((r) => [r.reaction, r.eventId])).toEqual([
        ['deploy-watch', updated3!.id],
        ['deploy-watch', recorded3!.id],
      ]);
      expect(thirdRuns[0]!.id > thirdRuns[1]!.id).toBe(true);

      const missing = await t.api({ method: 'GET', url: '/api/v1/deploys/nope/runs' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('deploy.not_found');
      expect(await runsOf('no-such-event')).toEqual([]);
    });

    it('says for an event which reaction matches it, why the others do not (as a dry run does), and the runs it started', async () => {
      await t.applyReaction({
        name: 'conditional',
        on: { event: 'deploy.recorded', if: 'data.deployNumber == "999"' },
        steps: { note: { uses: 'emit', with: { type: 'never.noted' } } },
      });
      await t.applyReaction({
        name: 'switched-off',
        enabled: false,
        on: { event: 'deploy.recorded' },
        steps: { note: { uses: 'emit', with: { type: 'never.noted' } } },
      });
      const [recorded1] = await eventsAbout('deploy.recorded', 'watched-1');
      const items = (await get<{ items: Match[] }>(`/api/v1/events/${recorded1!.id}/matches`)).items;
      const byName = new Map(items.map((m) => [m.reaction, m]));
      const reactions = (await get<{ items: Array<{ name: string }> }>('/api/v1/reactions')).items;
      expect(items.map((m) => m.reaction)).toEqual(reactions.map((r) => r.name));

      const [run] = await runsOf(recorded1!.id);
      // The run's status may move on between the two reads; its id may not.
      expect(byName.get('deploy-watch')).toEqual({
        reaction: 'deploy-watch',
        version: 1,
        enabled: true,
        trigger: 'deploy.*',
        matched: true,
        reason: null,
        refusedBy: null,
        runs: [{ id: run!.id, status: expect.any(String) }],
      });
      // The filter key that refused, what it accepts and what the event holds, both from data a reader may see.
      expect(byName.get('chain')).toMatchObject({
        matched: false,
        reason: 'on.filter.serviceAlias accepts "chain-svc", but the event has serviceAlias "watched-svc"',
        refusedBy: { part: 'filter', key: 'serviceAlias', expected: ['chain-svc'], actual: 'watched-svc' },
        runs: [],
      });
      expect(byName.get('versioned')).toMatchObject({
        matched: false,
        reason: 'event type deploy.recorded does not match webhook.nothing',
        refusedBy: { part: 'event', expected: 'webhook.nothing', actual: 'deploy.recorded' },
        trigger: 'webhook.nothing',
        version: 2,
      });
      expect(byName.get('conditional')).toMatchObject({
        matched: false,
        reason: 'the condition is false: data.deployNumber == "999"',
        refusedBy: { part: 'condition', expected: 'data.deployNumber == "999"' },
      });
      expect(byName.get('switched-off')).toMatchObject({
        matched: false,
        enabled: false,
        reason: 'the reaction is disabled',
        refusedBy: { part: 'disabled' },
      });
      // The very words and parts of a dry run of the same reaction on the same event.
      for (const match of items) {
        const tested = await t.api({
          method: 'POST',
          url: `/api/v1/reactions/${match.reaction}/test`,
          role: 'read',
          payload: { eventId: recorded1!.id },
        });
        const { reason, refusedBy } = tested.json<Pick<Match, 'reason' | 'refusedBy'>>();
        expect({ reason, refusedBy }, match.reaction).toEqual({ reason: match.reason, refusedBy: match.refusedBy });
      }
      // A reaction never starts on the end of its own runs (dispatch skips them), and says so.
      const selfWatch = { name: 'self-watch', on: { event: 'run.*' }, steps: { note: { uses: 'emit', with: { type: 'never.noted' } } } };
      const own = await t.api({
        method: 'POST',
        url: '/api/v1/reactions/validate',
        role: 'read',
        payload: { document: selfWatch, event: { type: 'run.succeeded', data: { reaction: 'self-watch' } } },
      });
      expect(own.json().dryRun).toMatchObject({ matched: false, reason: "the event is the end of one of this reaction's own runs" });
      const missing = await t.api({ method: 'GET', url: '/api/v1/events/nope/matches' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('event.not_found');
    });

    it("shows each reaction's newest run, in the list and alone", async () => {
      const newest = (await get<{ items: RunItem[] }>('/api/v1/runs?reaction=deploy-watch&limit=1')).items[0]!;
      const shown = await get<{ lastRun: unknown }>('/api/v1/reactions/deploy-watch');
      expect(shown.lastRun).toEqual({ id: newest.id, status: newest.status, createdAt: expect.any(String) });
      const listed = (await get<{ items: Array<{ name: string; lastRun: unknown }> }>('/api/v1/reactions')).items;
      expect(listed.find((r) => r.name === 'deploy-watch')!.lastRun).toEqual(shown.lastRun);
      expect(listed.find((r) => r.name === 'conditional')!.lastRun).toBeNull();
      expect((await get<{ lastRun: unknown }>('/api/v1/reactions/conditional')).lastRun).toBeNull();
    });

    it("lists a reaction's versions newest first, by page, and shows one", async () => {
      const page1 = await get<{
        items: Array<{ version: number; enabled: boolean; createdAt: string; document: { description?: string } }>;
        nextCursor: string;
      }>('/api/v1/reactions/versioned/versions?limit=1');
      expect(page1.items).toEqual([
        {
          version: 2,
          enabled: true,
          createdAt: expect.any(String),
          document: expect.objectContaining({ name: 'versioned', description: 'v2' }),
        },
      ]);
      const page2 = await get<{ items: Array<{ version: number; document: { description?: string } }>; nextCursor: string | null }>(
        `/api/v1/reactions/versioned/versions?limit=1&cursor=${page1.nextCursor}`,
      );
      expect(page2.items.map((v) => v.version)).toEqual([1]);
      expect(page2.items[0]!.document).not.toHaveProperty('description');
      expect(page2.nextCursor).toBeNull();
      expect(await get('/api/v1/reactions/versioned/versions/1')).toEqual(page2.items[0]);
      for (const url of [
        '/api/v1/reactions/versioned/versions/3',
        '/api/v1/reactions/nope/versions',
        '/api/v1/reactions/nope/versions/1',
      ]) {
        const res = await t.api({ method: 'GET', url });
        expect(res.statusCode, url).toBe(404);
        expect(res.json().error.code).toBe('reaction.not_found');
      }
      expect((await t.api({ method: 'GET', url: '/api/v1/reactions/versioned/versions?cursor=bm9wZQ' })).json().error.code).toBe(
        'request.invalid_cursor',
      );
    });

    it('enables and disables a reaction, each change a new version whose document agrees', async () => {
      const off = await t.api({ method: 'PATCH', url: '/api/v1/reactions/deploy-watch', role: 'write', payload: { enabled: false } });
      expect(off.statusCode, off.body).toBe(200);
      expect(off.json()).toMatchObject({
        name: 'deploy-watch',
        version: 2,
        enabled: false,
        document: { enabled: false },
        lastRun: expect.any(Object),
      });
      expect(off.json()).not.toHaveProperty('changed');
      expect(
        (await get<{ items: Array<{ version: number; enabled: boolean }> }>('/api/v1/reactions/deploy-watch/versions')).items.map((v) => [
          v.version,
          v.enabled,
        ]),
      ).toEqual([
        [2, false],
        [1, true],
      ]);
      // Disabled: a new deploy starts no run.
      await t.ingest({ service: 'watched-svc', dedup_id: 'watched-off' });
      const [offEvent] = await eventsAbout('deploy.recorded', 'watched-off');
      expect(await runsOf(offEvent!.id)).toEqual([]);

      const again = await t.api({ method: 'PATCH', url: '/api/v1/reactions/deploy-watch', role: 'write', payload: { enabled: false } });
      expect(again.json()).toMatchObject({ version: 2, enabled: false });
      const on = await t.api({ method: 'PATCH', url: '/api/v1/reactions/deploy-watch', role: 'write', payload: { enabled: true } });
      expect(on.json()).toMatchObject({ version: 3, enabled: true, document: { enabled: true } });
      await t.ingest({ service: 'watched-svc', dedup_id: 'watched-on' });
      const [onEvent] = await eventsAbout('deploy.recorded', 'watched-on');
      expect((await runsOf(onEvent!.id)).map((r) => [r.reaction, r.reactionVersion])).toEqual([['deploy-watch', 3]]);

      // The admin-only rule of PUT holds for a change of the flag too.
      await t.applyReaction({ name: 'scripted-patch', on: { event: 'x.y' }, steps: { a: { uses: 'script', with: { run: 'true' } } } });
      const refused = await t.api({ method: 'PATCH', url: '/api/v1/reactions/scripted-patch', role: 'write', payload: { enabled: false } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('reaction.admin_only');
      expect(await get<{ version: number; enabled: boolean }>('/api/v1/reactions/scripted-patch')).toMatchObject({
        version: 1,
        enabled: true,
      });
      expect((await t.api({ method: 'PATCH', url: '/api/v1/reactions/scripted-patch', payload: { enabled: false } })).json()).toMatchObject(
        { version: 2, enabled: false },
      );
      expect((await t.api({ method: 'PATCH', url: '/api/v1/reactions/nope', payload: { enabled: false } })).statusCode).toBe(404);
      expect(
        (await t.api({ method: 'PATCH', url: '/api/v1/reactions/deploy-watch', payload: { enabled: 'no', name: 'x' } })).statusCode,
      ).toBe(400);
    });

    it('validates a document as PUT would, dry-runs a valid one, and saves nothing', async () => {
      const validate = (payload: Record<string, unknown>) =>
        t.api({ method: 'POST', url: '/api/v1/reactions/validate', role: 'read', payload });
      const before = sink.requests.length;
      const draft = {
        name: 'draft',
        on: { event: 'deploy.recorded', filter: { serviceAlias: 'draft-svc' } },
        steps: {
          call: {
            uses: 'http.request',
            with: {
              method: 'POST',
              url: `${sink.url}/draft`,
              headers: { Authorization: 'Bearer {{ secrets.MONITORING_TOKEN }}' },
              body: { svc: '{{ data.serviceAlias }}' },
            },
          },
        },
      };
      const valid = await validate({ document: draft, event: { type: 'deploy.recorded', data: { serviceAlias: 'draft-svc' } } });
      expect(valid.statusCode, valid.body).toBe(200);
      expect(valid.json()).toEqual({
        valid: true,
        problems: [],
        warnings: [],
        reaction: expect.objectContaining({
          name: 'draft',
          enabled: true,
          on: expect.objectContaining({ event: 'deploy.recorded', filter: { serviceAlias: ['draft-svc'] } }),
        }),
        dryRun: {
          matched: true,
          reason: null,
          refusedBy: null,
          steps: [
            {
              id: 'call',
              uses: 'http.request',
              after: null,
              runsFirst: true,
              input: expect.objectContaining({
                headers: { Authorization: 'Bearer «secret:MONITORING_TOKEN»' },
                body: { svc: 'draft-svc' },
              }),
              error: null,
            },
          ],
        },
      });
      const [recorded1] = await eventsAbout('deploy.recorded', 'watched-1');
      expect((await validate({ document: draft, eventId: recorded1!.id })).json()).toMatchObject({
        valid: true,
        dryRun: {
          matched: false,
          reason: 'on.filter.serviceAlias accepts "draft-svc", but the event has serviceAlias "watched-svc"',
          refusedBy: { part: 'filter', key: 'serviceAlias', expected: ['draft-svc'], actual: 'watched-svc' },
        },
      });
      // Which trigger option refused an Octopus event: here the connection it came through.
      const octopus = {
        name: 'octopus-draft',
        on: { event: 'octopus.deployment.*', connection: 'prod', project: 'Web' },
        steps: { note: { uses: 'emit', with: { type: 'octopus.noted' } } },
      };
      const data = { category: 'DeploymentSucceeded', projectId: 'Projects-1', projectName: 'Cart' };
      const elsewhere = await validate({
        document: octopus,
        event: { type: 'octopus.deployment.succeeded', source: 'connection:lab', data },
      });
      expect(elsewhere.json().dryRun).toMatchObject({
        matched: false,
        reason: 'on.connection is "prod", but the event came from "connection:lab"',
        refusedBy: { part: 'trigger', key: 'connection', expected: 'prod', actual: 'connection:lab' },
      });
      const otherProject = await validate({
        document: octopus,
        event: { type: 'octopus.deployment.succeeded', source: 'connection:prod', data },
      });
      expect(otherProject.json().dryRun).toMatchObject({
        matched: false,
        refusedBy: { part: 'trigger', key: 'project', expected: 'Web', actual: { projectId: 'Projects-1', projectName: 'Cart' } },
      });
      expect((await validate({ document: draft })).json()).toMatchObject({ valid: true, dryRun: null });

      // Problems are exactly what PUT refuses the same document for (to an author: a read caller
      // is not told which secrets exist).
      const broken = {
        name: 'broken-draft',
        on: { event: 'deploy.recorded', if: 'data.x ==' },
        steps: { a: { uses: 'nope' }, b: { after: 'zzz', uses: 'http.request', with: { url: '{{ secrets.MISSING }}' } } },
      };
      const put = await t.api({ method: 'PUT', url: '/api/v1/reactions/broken-draft', payload: broken });
      const invalid = await t.api({
        method: 'POST',
        url: '/api/v1/reactions/validate',
        role: 'write',
        payload: { document: broken, event: { type: 'deploy.recorded' } },
      });
      expect(invalid.json()).toEqual({
        valid: false,
        problems: put.json().error.details.problems,
        warnings: [],
        reaction: null,
        dryRun: null,
      });
      expect(invalid.json().problems.length).toBeGreaterThanOrEqual(4);

      const yamlPut = (text: string) =>
        t.api({ method: 'PUT', url: '/api/v1/reactions/yaml-draft', headers: { 'content-type': 'application/yaml' }, payload: text });
      for (const text of [
        'name: yaml-draft\non: [unclosed\n',
        'name: yaml-draft\non: {event: a.b}\nsteps: {}\n---\nname: second\n',
        'name: yaml-draft\non: {event: "a..b"}\nsteps: {}\n',
      ]) {
        const refused = await yamlPut(text);
        expect(refused.statusCode, text).toBe(400);
        expect((await validate({ yaml: text })).json(), text).toEqual({
          valid: false,
          problems: refused.json().error.details.problems,
          warnings: [],
          reaction: null,
          dryRun: null,
        });
      }
      const yamlValid = await validate({
        yaml: 'name: yaml-draft\non:\n  event: deploy.recorded\nsteps:\n  note: {uses: emit, with: {type: "n.{{ data.serviceAlias }}"}}\n',
        event: { type: 'deploy.recorded', data: { serviceAlias: 's' } },
      });
      expect(yamlValid.json()).toMatchObject({ valid: true, dryRun: { matched: true, steps: [{ id: 'note', input: { type: 'n.s' } }] } });

      for (const payload of [
        {},
        { document: draft, yaml: 'name: x' },
        { document: draft, eventId: recorded1!.id, event: { type: 'a.b' } },
      ]) {
        const res = await validate(payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe('request.invalid');
      }
      expect((await validate({ document: draft, eventId: 'nope' })).json().error.code).toBe('event.not_found');

      // A script reaction is valid for anyone; a non-admin is told up front that PUT will refuse it.
      const scripted = { name: 'scripted-draft', on: { event: 'x.y' }, steps: { a: { uses: 'script', with: { run: 'true' } } } };
      const asWriter = await t.api({ method: 'POST', url: '/api/v1/reactions/validate', role: 'write', payload: { document: scripted } });
      expect(asWriter.json()).toMatchObject({ valid: true, problems: [], warnings: ['Only admins may apply reactions using script'] });
      const writerPut = await t.api({ method: 'PUT', url: '/api/v1/reactions/scripted-draft', role: 'write', payload: scripted });
      expect(writerPut.json().error.message).toBe(asWriter.json().warnings[0]);
      expect(
        (await t.api({ method: 'POST', url: '/api/v1/reactions/validate', role: 'admin', payload: { document: scripted } })).json(),
      ).toMatchObject({ valid: true, warnings: [] });
      for (const name of ['draft', 'broken-draft', 'yaml-draft', 'scripted-draft'])
        expect((await t.api({ method: 'GET', url: `/api/v1/reactions/${name}` })).statusCode).toBe(404);
      expect(sink.requests.length).toBe(before);
    });
  });
});

describe.each(DIALECTS)('waits across restarts on %s', (dialect) => {
  it('keeps a waiting approval through a restart and resumes it afterwards', async () => {
    let t = await startEngineApp(dialect);
    try {
      await t.applyReaction({
        name: 'durable-gate',
        on: { event: 'deploy.recorded' },
        steps: {
          ask: { uses: 'approval', with: {} },
          done: { after: { step: 'ask', channel: 'approved' }, uses: 'emit', with: { type: 'gate.passed' } },
        },
      });
      await t.ingest({ service: 'durable', dedup_id: 'durable-1' });
      const waiting = await t.runReaching({ reaction: 'durable-gate' }, ['waiting']);
      await t.stop();
      t = await startEngineApp(dialect, { database: t.database });
      expect((await t.api({ method: 'POST', url: `/api/v1/runs/${waiting.id}/steps/ask/approve` })).statusCode).toBe(202);
      const run = await t.runReaching({ reaction: 'durable-gate' }, ['succeeded', 'failed']);
      expect(run.steps.map((s) => `${s.id}:${s.channel}`)).toEqual(['ask:approved', 'done:success']);
    } finally {
      await t.close();
    }
  });
});
