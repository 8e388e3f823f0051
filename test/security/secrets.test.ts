import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import type { EngineTestApp } from '../support/runtime.js';
import { startEngineApp } from '../support/runtime.js';
import { Sink } from '../support/sink.js';

/**
 * Attacks on secrets by callers below admin: a read token that writes its own document to
 * dry-run, and a write user (a reaction author) who makes a step store or echo a secret. Each
 * test checks what such a caller can see: the value, or anything computed from it, never.
 */
describe.each(DIALECTS)('secrets below admin on %s', (dialect) => {
  let t: EngineTestApp;
  let sink: Sink;
  const VALUE = 'sk-live-9f8e7d6c5b4a3210';
  const BASE64 = Buffer.from(VALUE).toString('base64');
  /** What a caller could turn the value into with Liquid filters, each a way to read it back. */
  const TRANSFORMS: Record<string, string> = {
    '| base64_encode': BASE64,
    '| upcase': VALUE.toUpperCase(),
    '| reverse': VALUE.split('').reverse().join(''),
    '| slice: 2, 12': VALUE.slice(2, 14),
    '| split: "" | join: "-"': VALUE.split('').join('-'),
    '| split: "" | reverse | join: ""': VALUE.split('').reverse().join(''),
    '| append: "x"': `${VALUE}x`,
  };
  const neverShows = (body: string) => {
    expect(body).not.toContain(VALUE);
    for (const derived of Object.values(TRANSFORMS)) expect(body).not.toContain(derived);
    // A slice of the value long enough to mean something, in any case.
    expect(body.toLowerCase()).not.toContain(VALUE.slice(8, 16).toLowerCase());
  };

  beforeAll(async () => {
    sink = await new Sink().start();
    t = await startEngineApp(dialect);
    for (const name of ['MON_TOKEN', 'BOUND_TOKEN', 'LOCAL_TOKEN']) {
      const res = await t.api({ method: 'PUT', url: `/api/v1/secrets/${name}`, payload: { value: VALUE } });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const draft = (headers: Record<string, string>) => ({
    name: 'probe',
    on: { event: 'deploy.recorded' },
    steps: { call: { uses: 'http.request', with: { url: `${sink.url}/probe`, headers } } },
  });
  const validate = (role: 'read' | 'write' | 'admin', document: unknown) =>
    t.api({ method: 'POST', url: '/api/v1/reactions/validate', role, payload: { document, event: { type: 'deploy.recorded', data: {} } } });

  it('a read token dry-running `secrets.X` through filters (base64, upcase, reverse, slice, split|join) never gets the value or a transform', async () => {
    for (const [filter, derived] of Object.entries(TRANSFORMS)) {
      for (const role of ['read', 'admin'] as const) {
        const res = await validate(role, draft({ 'X-Probe': `{{ secrets.MON_TOKEN ${filter} }}` }));
        expect(res.statusCode, res.body).toBe(200);
        expect(res.body, `${role} ${filter}`).not.toContain(derived);
        neverShows(res.body);
        expect(res.json().dryRun.steps[0].error).toBeNull();
      }
    }
    const plain = await validate('read', draft({ Authorization: 'Bearer {{ secrets.MON_TOKEN }}' }));
    expect(plain.json().dryRun.steps[0].input.headers).toEqual({ Authorization: 'Bearer «secret:MON_TOKEN»' });
  });

  it('a read token dry-running a stored reaction (POST /reactions/:name/test) never gets a transform', async () => {
    await t.applyReaction({
      ...draft({ 'X-Probe': '{{ secrets.MON_TOKEN | base64_encode }}', 'X-Rev': '{{ secrets.MON_TOKEN | reverse }}' }),
      name: 'stored-probe',
      on: { event: 'never.happens' },
    });
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/reactions/stored-probe/test',
      role: 'read',
      payload: { event: { type: 'never.happens', data: {} } },
    });
    expect(res.statusCode, res.body).toBe(200);
    neverShows(res.body);
  });

  it('a read token cannot probe which secret names exist through validate or dry runs', async () => {
    const answers = async (name: string) => {
      const doc = draft({ Authorization: `Bearer {{ secrets.${name} }}` });
      const res = await validate('read', doc);
      const withoutEvent = await t.api({ method: 'POST', url: '/api/v1/reactions/validate', role: 'read', payload: { document: doc } });
      return [res.statusCode, res.body.replaceAll(name, 'NAME'), withoutEvent.statusCode, withoutEvent.body.replaceAll(name, 'NAME')];
    };
    const existing = await answers('MON_TOKEN');
    const unknown = await answers('NO_SUCH_SECRE');
    expect(unknown).toEqual(existing);
    expect(existing[1]).not.toMatch(/unknown secret|does not exist/);
    // An author still learns of a typo.
    const authored = await validate('write', draft({ Authorization: 'Bearer {{ secrets.NO_SUCH_SECRE }}' }));
    expect(authored.json().problems).toEqual([expect.stringContaining('unknown secret "NO_SUCH_SECRE"')]);
  });

  it('a run sending `Basic {{ secrets.X | base64_encode }}` gives the target the value and the run record only the placeholder', async () => {
    await t.applyReaction({
      name: 'basic-auth',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'basic-svc' } },
      steps: {
        call: {
          uses: 'http.request',
          with: {
            method: 'POST',
            url: `${sink.url}/basic`,
            headers: { Authorization: 'Basic {{ secrets.MON_TOKEN | base64_encode }}' },
            body: { key: '{{ secrets.MON_TOKEN | upcase }}' },
          },
        },
      },
    });
    await t.ingest({ service: 'basic-svc', dedup_id: 'basic-1' });
    const run = await t.runReaching({ reaction: 'basic-auth' }, ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    const sent = sink.requests.find((r) => r.path === '/basic')!;
    expect(sent.headers.authorization).toBe(`Basic ${BASE64}`);
    expect(JSON.parse(sent.body)).toEqual({ key: VALUE.toUpperCase() });
    const shown = await t.api({ method: 'GET', url: `/api/v1/runs/${run.id}`, role: 'read' });
    neverShows(shown.body);
    const input = shown.json().steps[0].input;
    expect(input.headers.Authorization).toBe(`Basic ${Buffer.from('«secret:MON_TOKEN»').toString('base64')}`);
    expect(input.body).toEqual({ key: '«SECRET:MON_TOKEN»' });
  });

  it('a target echoing the header back leaves no value or transform in the output, error or log', async () => {
    sink.reply = (req) => {
      const auth = req.headers.authorization ?? '';
      const echoed = JSON.stringify({ header: auth, alone: auth.replace(/^Basic /, ''), plain: req.headers['x-plain'], inBody: req.body });
      return req.path === '/echo-fail'
        ? { status: 500, body: `upstream said ${echoed}` }
        : { status: 200, headers: { 'content-type': 'application/json' }, body: echoed };
    };
    try {
      const headers = { Authorization: 'Basic {{ secrets.MON_TOKEN | base64_encode }}', 'X-Plain': '{{ secrets.MON_TOKEN }}' };
      await t.applyReaction({
        name: 'echoed',
        on: { event: 'deploy.recorded', filter: { serviceAlias: 'echo-svc' } },
        steps: {
          ok: {
            uses: 'http.request',
            with: { method: 'POST', url: `${sink.url}/echo-ok`, headers, body: { reversed: '{{ secrets.MON_TOKEN | reverse }}' } },
          },
          fail: {
            after: 'ok',
            uses: 'http.request',
            with: { method: 'POST', url: `${sink.url}/echo-fail`, headers },
            retry: { attempts: 1 },
          },
        },
      });
      await t.ingest({ service: 'echo-svc', dedup_id: 'echo-1' });
      const run = await t.runReaching({ reaction: 'echoed' }, ['succeeded', 'failed']);
      expect(sink.requests.find((r) => r.path === '/echo-ok')!.headers.authorization).toBe(`Basic ${BASE64}`);
      const shown = await t.api({ method: 'GET', url: `/api/v1/runs/${run.id}`, role: 'read' });
      const [ok, fail] = ['ok', 'fail'].map((id) => shown.json().steps.find((s: { id: string }) => s.id === id));
      // The whole header reads as its placeholder rendering; the Base64 alone, as «secret».
      expect(ok.output.body.header).toBe(`Basic ${Buffer.from('«secret:MON_TOKEN»').toString('base64')}`);
      expect(ok.output.body.alone).toContain('«secret»');
      expect(ok.output.body.plain).toBe('«secret:MON_TOKEN»');
      expect(fail.status).toBe('failed');
      expect(fail.error).toContain('upstream said');
      neverShows(shown.body);
      neverShows(JSON.stringify(fail.logs));
      expect(t.logs.join('\n')).not.toContain(VALUE);
      expect(t.logs.join('\n')).not.toContain(BASE64);
    } finally {
      sink.reply = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    }
  });

  it('a write user cannot store a secret in emitted event data or recorded deploy fields', async () => {
    await t.applyReaction({
      name: 'hoarder',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'hoard-svc' } },
      steps: {
        keep: {
          uses: 'emit',
          with: {
            type: 'loot.taken',
            data: {
              plain: '{{ secrets.MON_TOKEN }}',
              encoded: '{{ secrets.MON_TOKEN | base64_encode }}',
              upper: '{{ secrets.MON_TOKEN | upcase }}',
            },
          },
        },
        record: {
          after: 'keep',
          uses: 'deploy.record',
          with: {
            service: 'loot-svc',
            environment: 'Production',
            description: 'key {{ secrets.MON_TOKEN }} / {{ secrets.MON_TOKEN | reverse }}',
            deploy_url: 'https://x.test/{{ secrets.MON_TOKEN | base64_encode }}',
            deployer: { name: '{{ secrets.MON_TOKEN | slice: 2, 12 }}' },
          },
        },
      },
    });
    await t.ingest({ service: 'hoard-svc', dedup_id: 'hoard-1' });
    const run = await t.runReaching({ reaction: 'hoarder' }, ['succeeded', 'failed']);
    expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
    const events = await t.api({ method: 'GET', url: '/api/v1/events?limit=500', role: 'read' });
    neverShows(events.body);
    const loot = events.json().items.find((e: { type: string }) => e.type === 'loot.taken');
    expect(loot.data).toMatchObject({ plain: '«secret:MON_TOKEN»', upper: '«SECRET:MON_TOKEN»' });
    const deploys = await t.api({ method: 'GET', url: '/api/v1/deploys?limit=200', role: 'read' });
    neverShows(deploys.body);
    expect(deploys.body).toContain('key «secret:MON_TOKEN»');
    neverShows((await t.api({ method: 'GET', url: `/api/v1/runs/${run.id}`, role: 'read' })).body);
  });

  it('a write user cannot send a host-bound secret to a host of their choosing; nothing is sent', async () => {
    const bound = await t.api({
      method: 'PUT',
      url: '/api/v1/secrets/BOUND_TOKEN',
      payload: { value: VALUE, hosts: ['api.example.com', '*.datadoghq.com'] },
    });
    expect(bound.json()).toMatchObject({ name: 'BOUND_TOKEN', hosts: ['api.example.com', '*.datadoghq.com'] });
    await t.applyReaction({
      name: 'exfiltrate',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'exfil-svc' } },
      steps: {
        steal: {
          uses: 'http.request',
          with: { url: `${sink.url}/stolen`, headers: { 'X-Key': '{{ secrets.BOUND_TOKEN | base64_encode }}' } },
          retry: { attempts: 3, initial: '10ms' },
        },
        sign: {
          uses: 'http.request',
          with: { method: 'POST', url: `${sink.url}/signed`, body: { a: 1 }, sign: { secret: 'BOUND_TOKEN' } },
          retry: { attempts: 1 },
        },
      },
    });
    await t.ingest({ service: 'exfil-svc', dedup_id: 'exfil-1' });
    const run = await t.runReaching({ reaction: 'exfiltrate' }, ['succeeded', 'failed']);
    const steal = run.steps.find((s) => s.id === 'steal')!;
    expect(steal).toMatchObject({ status: 'failed', attempt: 1 });
    expect(steal.error).toContain('secret BOUND_TOKEN may only be sent to api.example.com, *.datadoghq.com');
    expect(run.steps.find((s) => s.id === 'sign')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('secret BOUND_TOKEN may only be sent to'),
    });
    expect(sink.requests.some((r) => r.path === '/stolen' || r.path === '/signed')).toBe(false);

    // Bound to the target's host, the same step sends.
    await t.api({ method: 'PUT', url: '/api/v1/secrets/LOCAL_TOKEN', payload: { value: VALUE, hosts: ['127.0.0.1'] } });
    await t.applyReaction({
      name: 'allowed',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'allowed-svc' } },
      steps: { send: { uses: 'http.request', with: { url: `${sink.url}/allowed`, headers: { 'X-Key': '{{ secrets.LOCAL_TOKEN }}' } } } },
    });
    await t.ingest({ service: 'allowed-svc', dedup_id: 'allowed-1' });
    expect((await t.runReaching({ reaction: 'allowed' }, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(sink.requests.find((r) => r.path === '/allowed')!.headers['x-key']).toBe(VALUE);
  });
});
