import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/app.js';
import { PUBLIC_URL, seedPayload, startTestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { recordOrAdvanceIn } from '../src/store/catalog.js';

describe.each(DIALECTS)('services, suggestions and deploy queries on %s', (dialect) => {
  let t: TestApp;
  let path: string;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    path = await t.endpointPath();
  });
  afterAll(() => t.close());

  const ingest = (overrides: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(seedPayload(overrides)),
    });

  it('creates a service whose name is always an alias, and finds it by id, name or alias', async () => {
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/services',
      payload: { name: 'billing', aliases: ['bill', 'invoices'], owner: 'payments', tags: ['tier-1'] },
    });
    expect(res.statusCode).toBe(201);
    const service = res.json();
    expect(service).toMatchObject({ name: 'billing', aliases: ['bill', 'billing', 'invoices'], owner: 'payments', tags: ['tier-1'] });
    for (const key of [service.id, 'billing', 'invoices']) {
      const found = await t.api({ method: 'GET', url: `/api/v1/services/${key}`, role: 'read' });
      expect(found.json().id).toBe(service.id);
    }
    expect((await t.api({ method: 'GET', url: '/api/v1/services/nothing' })).json().error.code).toBe('service.not_found');
  });

  it('refuses an alias another service holds with 409 and changes nothing', async () => {
    const conflict = await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'accounts', aliases: ['bill'] } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('service.alias_conflict');
    expect((await t.api({ method: 'GET', url: '/api/v1/services/accounts' })).statusCode).toBe(404);
    const sameName = await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'billing' } });
    expect(sameName.statusCode).toBe(409);
  });

  it('validates management input with a JSON error naming the problem', async () => {
    const res = await t.api({ method: 'POST', url: '/api/v1/services', payload: { aliases: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('request.invalid');
    expect(res.json().error.message).toContain('name');
    const unknownField = await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'x', alias: 'typo' } });
    expect(unknownField.statusCode).toBe(400);
  });

  it('patches a service, replacing its aliases but keeping its name as one', async () => {
    const res = await t.api({
      method: 'PATCH',
      url: '/api/v1/services/billing',
      payload: { aliases: ['invoices', 'billing-v2'], description: 'Bills' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ aliases: ['billing', 'billing-v2', 'invoices'], description: 'Bills', owner: 'payments' });
    expect((await t.api({ method: 'GET', url: '/api/v1/services/bill' })).statusCode).toBe(404);
  });

  it('turns deploys to an unknown alias into a suggestion, and accepting it attaches them', async () => {
    for (const id of ['s-1', 's-2', 's-3'])
      expect((await ingest({ service: 'search', dedup_id: id, deploy_number: undefined })).json().result).toBe('no_service_found');
    const list = (await t.api({ method: 'GET', url: '/api/v1/suggestions', role: 'read' })).json().items;
    expect(list).toEqual([expect.objectContaining({ alias: 'search', deployCount: 3 })]);
    expect(Date.parse(list[0].firstSeenAt)).toBeLessThanOrEqual(Date.parse(list[0].lastSeenAt));

    const accepted = await t.api({ method: 'POST', url: '/api/v1/suggestions/search/accept', role: 'write' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ name: 'search', aliases: ['search'] });
    const deploys = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=search' })).json().items;
    expect(deploys).toHaveLength(3);
    expect(deploys.every((d: { service: { id: string } }) => d.service?.id === accepted.json().id)).toBe(true);
    expect((await t.api({ method: 'GET', url: '/api/v1/suggestions' })).json().items).toEqual([]);

    // Numbering continues after the numbers the alias already used.
    expect((await ingest({ service: 'search', dedup_id: 's-4', deploy_number: undefined })).json().result).toBe('ok');
    const all = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=search' })).json().items;
    expect(all.find((d: { dedupId: string }) => d.dedupId === 's-4').deployNumber).toBe('4');
  });

  it('accepts a suggestion onto an existing service, and adding an alias attaches earlier deploys', async () => {
    await ingest({ service: 'billing-legacy', dedup_id: 'b-1' });
    const onto = await t.api({ method: 'POST', url: '/api/v1/suggestions/billing-legacy/accept', payload: { serviceId: 'billing' } });
    expect(onto.json().aliases).toContain('billing-legacy');

    await ingest({ service: 'pay', dedup_id: 'p-1' });
    const added = await t.api({ method: 'POST', url: '/api/v1/services/billing/aliases', payload: { alias: 'pay' } });
    expect(added.statusCode).toBe(200);
    const deploys = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=billing' })).json().items;
    expect(deploys.map((d: { dedupId: string }) => d.dedupId).sort()).toEqual(['b-1', 'p-1']);
  });

  it('dismisses a suggestion, and 404s for one that does not exist', async () => {
    await ingest({ service: 'tmp-job', dedup_id: 't-1' });
    const dismissed = await t.api({ method: 'POST', url: '/api/v1/suggestions/tmp-job/dismiss' });
    expect(dismissed.statusCode).toBe(204);
    expect((await t.api({ method: 'GET', url: '/api/v1/suggestions' })).json().items).toEqual([]);
    expect((await t.api({ method: 'POST', url: '/api/v1/suggestions/tmp-job/accept' })).json().error.code).toBe('suggestion.not_found');
  });

  it('deleting a service keeps its deploys and makes its aliases suggestions again', async () => {
    await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'doomed' } });
    await ingest({ service: 'doomed', dedup_id: 'd-1' });
    expect((await t.api({ method: 'DELETE', url: '/api/v1/services/doomed' })).statusCode).toBe(204);
    const suggestions = (await t.api({ method: 'GET', url: '/api/v1/suggestions' })).json().items;
    expect(suggestions.map((s: { alias: string }) => s.alias)).toContain('doomed');
  });

  it('pages deploys newest first with a cursor, and filters by environment and time', async () => {
    await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'pager' } });
    for (let i = 0; i < 7; i++) {
      await ingest({
        service: 'pager',
        dedup_id: `pg-${i}`,
        deployed_at: `2025-01-0${i + 1} 10:00:00`,
        environment: i % 2 ? 'Staging' : 'Production',
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/deploys?service=pager&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: Array<{ dedupId: string }>; nextCursor: string | null } = (await t.api({ method: 'GET', url: query })).json();
      seen.push(...page.items.map((d) => d.dedupId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['pg-6', 'pg-5', 'pg-4', 'pg-3', 'pg-2', 'pg-1', 'pg-0']);

    const staging = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=pager&environment=Staging' })).json().items;
    expect(staging.map((d: { dedupId: string }) => d.dedupId)).toEqual(['pg-5', 'pg-3', 'pg-1']);
    const window = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=pager&since=2025-01-02&until=2025-01-03T10:00:00Z' })).json()
      .items;
    expect(window.map((d: { dedupId: string }) => d.dedupId)).toEqual(['pg-2', 'pg-1']);
    expect((await t.api({ method: 'GET', url: '/api/v1/deploys?cursor=garbage' })).json().error.code).toBe('request.invalid_cursor');
    expect((await t.api({ method: 'GET', url: '/api/v1/deploys?since=later' })).statusCode).toBe(400);
  });

  it('answers service.not_found for a service filter that is neither a service nor an alias deploys used', async () => {
    const missing = await t.api({ method: 'GET', url: '/api/v1/deploys?service=no-such-thing', role: 'read' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'service.not_found', message: expect.stringContaining("'no-such-thing'") });
    // An alias no service claims is known once a deploy used it: its deploys list, as before.
    await ingest({ service: 'unclaimed-job', dedup_id: 'u-1' });
    const unclaimed = (await t.api({ method: 'GET', url: '/api/v1/deploys?service=unclaimed-job', role: 'read' })).json();
    expect(unclaimed.items.map((d: { dedupId: string }) => d.dedupId)).toEqual(['u-1']);
    // A known service without deploys is an empty list, not an error.
    expect((await t.api({ method: 'GET', url: '/api/v1/deploys?service=pager&since=2030-01-01' })).json().items).toEqual([]);
  });

  it('lists environments with the latest deploy per service', async () => {
    const envs = (await t.api({ method: 'GET', url: '/api/v1/environments' })).json().items;
    const staging = envs.find((e: { name: string }) => e.name === 'Staging');
    const pager = staging.services.find((d: { serviceAlias: string }) => d.serviceAlias === 'pager');
    expect(pager.dedupId).toBe('pg-5');
    expect(staging.services.filter((d: { serviceAlias: string }) => d.serviceAlias === 'pager')).toHaveLength(1);
  });

  it('filters deploys by status and source, and by environment in any case and spelling', async () => {
    await t.api({ method: 'POST', url: '/api/v1/services', payload: { name: 'filters' } });
    await ingest({ service: 'filters', dedup_id: 'f-1', environment: 'QA-East', deployed_at: '2025-02-01 10:00:00' });
    await ingest({ service: 'filters', dedup_id: 'f-2', environment: 'qa-east', deployed_at: '2025-02-02 10:00:00' });
    await ingest({ service: 'filters', dedup_id: 'f-3', environment: 'QA-West', deployed_at: '2025-02-03 10:00:00' });
    // An integration's deploy (as GitHub deployment statuses report them): started, then failed.
    const endpointId = (await t.store.endpoints.list())[0]!.id;
    const report = (status: 'started' | 'failed') =>
      t.store.db.transaction((run) =>
        recordOrAdvanceIn(
          run,
          t.store,
          {
            endpointId,
            dedupId: 'github:f-4',
            status,
            source: 'github',
            input: {
              service: 'filters',
              description: 'from GitHub',
              deployedAt: '2025-02-04T10:00:00.000Z',
              environment: 'QA-EAST',
              deployUrl: null,
              deployNumber: null,
              deployer: { id: null, email: null, name: null },
              commit: null,
            },
          },
          new Date().toISOString(),
        ),
      );
    await report('started');
    await report('failed');

    const dedups = async (query: string) =>
      (await t.api({ method: 'GET', url: `/api/v1/deploys?service=filters&${query}`, role: 'read' }))
        .json<{ items: Array<{ dedupId: string }> }>()
        .items.map((d) => d.dedupId);
    expect(await dedups('environment=qa-EAST')).toEqual(['github:f-4', 'f-2', 'f-1']);
    expect(await dedups('environment=%20QA-East%20')).toEqual(['github:f-4', 'f-2', 'f-1']);
    expect(await dedups('environment=qa-west')).toEqual(['f-3']);
    expect(await dedups('environment=qa-north')).toEqual([]);
    expect(await dedups('status=failed')).toEqual(['github:f-4']);
    expect(await dedups('status=succeeded')).toEqual(['f-3', 'f-2', 'f-1']);
    expect(await dedups('source=github')).toEqual(['github:f-4']);
    expect(await dedups('source=custom&environment=QA-east')).toEqual(['f-2', 'f-1']);
    expect(await dedups('source=octopus')).toEqual([]);
    const bad = await t.api({ method: 'GET', url: '/api/v1/deploys?status=exploded' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('request.invalid');
  });

  it('hands out endpoint URLs under the public URL and lists them', async () => {
    const created = (await t.api({ method: 'POST', url: '/api/v1/deploy-endpoints', payload: { name: 'github' } })).json();
    expect(created.url).toBe(`${PUBLIC_URL}/integrations/deploy/${created.id}`);
    const list = (await t.api({ method: 'GET', url: '/api/v1/deploy-endpoints' })).json().items;
    expect(list.map((e: { name: string }) => e.name)).toContain('github');
    expect((await t.api({ method: 'DELETE', url: '/api/v1/deploy-endpoints/nope' })).statusCode).toBe(404);
  });
});
