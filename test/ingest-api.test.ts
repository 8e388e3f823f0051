import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/app.js';
import { seedPayload, startTestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';

interface Counts {
  deploys: number;
  events: number;
}

describe.each(DIALECTS)('deploy webhook on %s', (dialect) => {
  let t: TestApp;
  let path: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    path = await t.endpointPath();
    await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'shopping_cart' } });
  });
  afterAll(() => t.close());

  const post = (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, url = path) =>
    t.app.inject({ method: 'POST', url, headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  async function counts(): Promise<Counts> {
    const k = t.store.db.kysely;
    const deploys = await k
      .selectFrom('deploys')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const events = await k
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return { deploys: Number(deploys.n), events: Number(events.n) };
  }

  it("records the seed example and answers ok with the deploy's id and number", async () => {
    const res = await post(seedPayload());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ result: 'ok', deployId: expect.any(String), deployNumber: '234' });

    const list = await t.api({ method: 'GET', url: '/api/v1/deploys?service=shopping_cart' });
    const [deploy] = list.json().items;
    expect(deploy).toMatchObject({
      id: res.json().deployId,
      serviceAlias: 'shopping_cart',
      service: { name: 'shopping_cart' },
      environment: 'Production',
      description: 'Deployed by CI Pipeline: Deploy #234',
      deployedAt: '2019-02-01T13:28:33.000Z',
      deployNumber: '234',
      dedupId: '9ae54794-dfc5-4ac8-b1b5-78789f20f3f8',
      deployUrl: null,
      deployer: { id: '1a9f841f-9a3d-4423-a05a-7e9c31a02b16', email: 'mscott@example.com', name: 'Michael Scott' },
      commit: {
        sha: '38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5',
        branch: 'master',
        date: '2019-02-01T09:23:43.000Z',
        authoringDate: '2019-02-01T09:23:43.000Z',
      },
    });
  });

  it('appends a deploy.recorded event carrying the deploy as the API returns it', async () => {
    const res = await post(seedPayload({ dedup_id: 'event-check', deploy_number: '300' }));
    expect(res.statusCode).toBe(202);
    const event = await t.store.db.kysely.selectFrom('events').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(event.type).toBe('deploy.recorded');
    const data = (await t.api({ method: 'GET', url: `/api/v1/events/${event.id}` })).json().data;
    const api = await t.api({ method: 'GET', url: `/api/v1/deploys/${data.id}` });
    // Plus what is looked up when a deploy is read: its deployer's user (none has this email), its failure mark and its reported status.
    expect(api.json()).toEqual({ ...data, deployer: { ...data.deployer, user: null }, failure: null, reportedStatus: 'succeeded' });
    expect(data.deployer).not.toHaveProperty('user');
    expect(data).not.toHaveProperty('failure');
    expect(data.deployNumber).toBe('300');
  });

  it('answers duplicate_deploy for a repeated dedup_id and creates nothing', async () => {
    const before = await counts();
    const res = await post(seedPayload());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      result: 'duplicate_deploy',
      message: 'Deploy not created due to existing deploy with identical dedup_id',
    });
    expect(await counts()).toEqual(before);
  });

  it('records a deploy for an unknown alias and makes it a suggestion', async () => {
    const res = await post(seedPayload({ service: 'not_found_alias', dedup_id: 'unknown-1', deploy_number: undefined }));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      result: 'no_service_found',
      message: "No service found matching alias 'not_found_alias'. Recording 'not_found_alias' as a suggestion.",
      deployId: expect.any(String),
      // The alias's own sequence numbers it.
      deployNumber: '1',
    });
    expect((await t.api({ method: 'GET', url: `/api/v1/deploys/${res.json().deployId}` })).json().serviceAlias).toBe('not_found_alias');
    const suggestions = (await t.api({ method: 'GET', url: '/api/v1/suggestions' })).json().items;
    expect(suggestions).toEqual([expect.objectContaining({ alias: 'not_found_alias', deployCount: 1 })]);
  });

  it('accepts ISO 8601 datetimes with an offset and converts them to UTC', async () => {
    const res = await post(seedPayload({ dedup_id: 'iso-offset', deployed_at: '2024-03-10T12:00:00+02:00' }));
    expect(res.statusCode).toBe(202);
    const items = (await t.api({ method: 'GET', url: '/api/v1/deploys?since=2024-03-10T09:59:59Z&until=2024-03-10T10:00:01Z' })).json()
      .items;
    expect(items.map((d: { dedupId: string }) => d.dedupId)).toEqual(['iso-offset']);
  });

  const badBodies: Array<[string, Record<string, unknown>, string, string]> = [
    ['service missing', { service: undefined }, 'Service Error', 'param is missing or the value is empty: service'],
    ['service empty', { service: '  ' }, 'Service Error', 'param is missing or the value is empty: service'],
    ['description missing', { description: undefined }, 'Description Error', 'param is missing or the value is empty: description'],
    ['description empty', { description: '' }, 'Description Error', 'param is missing or the value is empty: description'],
    ['deployed_at missing', { deployed_at: undefined }, 'Deployed at Error', 'param is missing or the value is empty: deployed_at'],
    [
      'deployed_at not a date',
      { deployed_at: 'yesterday' },
      'Deployed at Error',
      'param is not a valid datetime (use YYYY-MM-DD HH:MM:SS in UTC or ISO 8601): deployed_at',
    ],
    [
      'deployed_at impossible',
      { deployed_at: '2019-02-30 10:00:00' },
      'Deployed at Error',
      'param is not a valid datetime (use YYYY-MM-DD HH:MM:SS in UTC or ISO 8601): deployed_at',
    ],
    ['deployer missing', { deployer: undefined }, 'Deployer Error', 'param is missing or the value is empty: deployer'],
    [
      'deployer without email or name',
      { deployer: { id: 'x' } },
      'Deployer Error',
      'param is missing or the value is empty: deployer.email or deployer.name',
    ],
    [
      'commit date invalid',
      { commit: { date: 'soon' } },
      'Commit date Error',
      'param is not a valid datetime (use YYYY-MM-DD HH:MM:SS in UTC or ISO 8601): commit.date',
    ],
    ['environment not a string', { environment: { name: 'prod' } }, 'Environment Error', 'param must be a string: environment'],
  ];

  it.each(badBodies)('rejects %s with 400 in OpsLevel format and stores nothing', async (_name, override, title, detail) => {
    const before = await counts();
    const res = await post(seedPayload({ dedup_id: `bad-${title}`, ...override }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ errors: [{ status: 400, title, detail }] });
    expect(await counts()).toEqual(before);
  });

  it('reports every problem at once', async () => {
    const res = await post({ deployer: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { title: string }) => e.title)).toEqual([
      'Service Error',
      'Description Error',
      'Deployed at Error',
      'Deployer Error',
    ]);
  });

  it('answers 404 for an unknown endpoint and for a deleted one', async () => {
    const before = await counts();
    const unknown = await post(seedPayload({ dedup_id: 'x404' }), undefined, '/integrations/deploy/3f0c9a52-1111-4222-8333-944455556666');
    expect(unknown.statusCode).toBe(404);
    const gone = {
      errors: [{ status: 404, title: 'Not Found Error', detail: 'No deploy endpoint at this URL: it may have been deleted' }],
    };
    expect(unknown.json()).toEqual(gone);
    const notUuid = await post(seedPayload({ dedup_id: 'x404' }), undefined, '/integrations/deploy/not-a-uuid');
    expect(notUuid.statusCode).toBe(404);
    expect(notUuid.json()).toEqual(gone);

    const doomed = await t.endpointPath();
    expect((await post(seedPayload({ dedup_id: 'before-delete' }), undefined, doomed)).statusCode).toBe(202);
    const id = doomed.split('/').pop();
    expect((await t.api({ method: 'DELETE', url: `/api/v1/deploy-endpoints/${id}` })).statusCode).toBe(204);
    const after = await post(seedPayload({ dedup_id: 'after-delete' }), undefined, doomed);
    expect(after.statusCode).toBe(404);
    expect(after.json()).toEqual(gone);
    const afterBadBody = await post({ service: 'x' }, undefined, doomed);
    expect(afterBadBody.json()).toEqual(gone);
    const noSuchPath = await post(seedPayload(), undefined, '/integrations/deploy/');
    expect(noSuchPath.json()).toEqual(gone);
    expect((await counts()).deploys).toBe(before.deploys + 1);
  });

  it('answers 400 to malformed JSON, 413 to a body over 1 MiB and 415 to another content type, storing nothing', async () => {
    const before = await counts();
    const malformed = await post('{"service": "shopping_cart",');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0]).toMatchObject({ status: 400 });

    const huge = await post(seedPayload({ dedup_id: 'huge', description: 'x'.repeat(1024 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().errors[0]).toMatchObject({ status: 413 });

    const text = await post(JSON.stringify(seedPayload({ dedup_id: 'text' })), { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    expect(text.json().errors[0]).toMatchObject({ status: 415 });

    const form = await post('service=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.statusCode).toBe(415);
    expect(await counts()).toEqual(before);
  });

  it('records exactly one deploy for 20 concurrent requests with the same dedup_id', async () => {
    const before = await counts();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(seedPayload({ dedup_id: 'concurrent-dup', deploy_number: undefined }))),
    );
    const results = responses.map((r) => (r.statusCode === 202 ? r.json().result : r.statusCode));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'duplicate_deploy')).toHaveLength(19);
    expect(await counts()).toEqual({ deploys: before.deploys + 1, events: before.events + 1 });
  });

  it('numbers concurrent deploys without deploy_number consecutively per service', async () => {
    await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'numbered' } });
    const first = await post(seedPayload({ service: 'numbered', dedup_id: 'n-0', deploy_number: '41' }));
    expect(first.statusCode).toBe(202);
    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) => post(seedPayload({ service: 'numbered', dedup_id: `n-${i + 1}`, deploy_number: undefined }))),
    );
    expect(responses.every((r) => r.statusCode === 202)).toBe(true);
    const items = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=numbered&limit=100' })).json().items;
    const numbers = items.map((d: { deployNumber: string }) => Number(d.deployNumber)).sort((a: number, b: number) => a - b);
    // The pipeline's own 41 moves the sequence on, so assigned numbers continue at 42.
    expect(numbers).toEqual([41, ...Array.from({ length: 25 }, (_, i) => 42 + i)]);
  });

  it('numbers deploys of an unknown alias in their own sequence', async () => {
    const a = await post(seedPayload({ service: 'lonely', dedup_id: 'l-1', deploy_number: undefined }));
    const b = await post(seedPayload({ service: 'lonely', dedup_id: 'l-2', deploy_number: null }));
    expect([a.json().result, b.json().result]).toEqual(['no_service_found', 'no_service_found']);
    const items = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=lonely' })).json().items;
    expect(items.map((d: { deployNumber: string }) => d.deployNumber).sort()).toEqual(['1', '2']);
  });

  it('counts ingests by result in /metrics', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/shipline_deploys_ingested_total\{result="ok"\} [1-9]/);
    expect(res.body).toMatch(/shipline_deploys_ingested_total\{result="duplicate_deploy"\} [1-9]/);
    expect(res.body).toContain('route="/integrations/deploy/:endpointId"');
    expect(res.body).toContain('# TYPE shipline_deploys_ingested_total counter');
  });

  it("reports the process's metrics with Shipline's, loaded at the first scrape", async () => {
    const [first, second] = await Promise.all([
      t.app.inject({ method: 'GET', url: '/metrics' }),
      t.app.inject({ method: 'GET', url: '/metrics' }),
    ]);
    for (const res of [first, second]) {
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(res.body).toMatch(/^process_resident_memory_bytes \d/m);
      expect(res.body).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
      // Each family once in a body (one load for both scrapes: src/server/metrics.test.ts).
      expect(res.body.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
      expect(res.body).toContain('# TYPE shipline_http_requests_total counter');
    }
  });

  it('reports requests and their latency by route in Prometheus text format, unmatched ones too', async () => {
    await t.app.inject({ method: 'POST', url: '/no/such/route', payload: {} });
    const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toContain('# TYPE shipline_http_requests_total counter');
    expect(body).toContain('# TYPE shipline_http_request_duration_seconds histogram');
    const count = (pattern: RegExp) => Number(pattern.exec(body)?.[1]);
    const accepted = count(
      /^shipline_http_requests_total\{method="POST",route="\/integrations\/deploy\/:endpointId",status="202"\} (\d+)$/m,
    );
    expect(accepted).toBeGreaterThan(0);
    // Every request of the route is in the histogram, and its buckets are cumulative.
    const observed = count(
      /^shipline_http_request_duration_seconds_count\{method="POST",route="\/integrations\/deploy\/:endpointId"\} (\d+)$/m,
    );
    expect(observed).toBeGreaterThanOrEqual(accepted);
    expect(
      count(
        /^shipline_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/integrations\/deploy\/:endpointId"\} (\d+)$/m,
      ),
    ).toBe(observed);
    const buckets = [
      ...body.matchAll(
        /^shipline_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/integrations\/deploy\/:endpointId"\} (\d+)$/gm,
      ),
    ].map((m) => Number(m[1]));
    expect(buckets).toHaveLength(12);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(body).toMatch(/^shipline_http_requests_total\{method="POST",route="unmatched",status="404"\} 1$/m);
    // Every request sample is `name{labels} value`.
    const samples = body.split('\n').filter((l) => l.startsWith('shipline_http_'));
    expect(samples.length).toBeGreaterThan(15);
    for (const line of samples) expect(line).toMatch(/^shipline_http_[a-z_]+\{([a-z]+="[^"]*",?)+\} [0-9.e+-]+$/);
  });
});
