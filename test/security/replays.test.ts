import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeaders } from '../../src/core/standard-webhooks.js';
import { DIALECTS } from '../support/databases.js';
import type { EngineTestApp } from '../support/runtime.js';
import { startEngineApp } from '../support/runtime.js';
import type { GitHubStandIn } from '../../src/integrations/github/stand-in.test-support.js';
import { startGitHubStandIn, STAND_IN_TOKEN } from '../../src/integrations/github/stand-in.test-support.js';
import type { PagerDutyStandIn } from '../../src/integrations/pagerduty/stand-in.test-support.js';
import { STAND_IN_ROUTING_KEY, startPagerDutyStandIn } from '../../src/integrations/pagerduty/stand-in.test-support.js';

// Replays: someone who captured one genuine delivery (from a proxy log, a shared debugging
// session, a sender's retry) posts it again. Each copy must not become another event and another
// run: the sender's delivery id (webhook-id, X-GitHub-Delivery, PagerDuty's event.id) is stored
// with the event, and a repeat answers 2xx `duplicate: true` and starts nothing.

const fixture = (provider: string, name: string) =>
  readFileSync(new URL(`../../src/integrations/${provider}/fixtures/${name}`, import.meta.url));
const hex = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('hex');
const JSON_TYPE = { 'content-type': 'application/json' };

describe.each(DIALECTS)('replayed webhook deliveries on %s', (dialect) => {
  let t: EngineTestApp;
  let github: GitHubStandIn;
  let pagerduty: PagerDutyStandIn;
  let svixSecret: string;
  let githubPath: string;
  let pagerdutyPath: string;

  const count = async (table: 'events' | 'runs', column: 'type' | 'reaction', value: string) =>
    Number(
      (
        await t.store.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where(column, 'like', value)
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** Runs `deliver`, then expects exactly one more event of `eventType` and one more run of `reaction`. */
  async function expectOneEventAndRun<T>(eventType: string, reaction: string, deliver: () => Promise<T>): Promise<T> {
    const [events, runs] = [await count('events', 'type', eventType), await count('runs', 'reaction', reaction)];
    const result = await deliver();
    expect(await count('events', 'type', eventType)).toBe(events + 1);
    expect(await count('runs', 'reaction', reaction)).toBe(runs + 1);
    return result;
  }

  /** The first answer is the stored delivery, every other one a duplicate naming nothing new. */
  function expectOneAccepted(answers: LightMyRequestResponse[]) {
    for (const a of answers) expect(a.statusCode, a.body).toBeGreaterThanOrEqual(200);
    for (const a of answers) expect(a.statusCode, a.body).toBeLessThan(300);
    const fresh = answers.filter((a) => a.json<{ duplicate?: boolean }>().duplicate === false);
    const repeats = answers.filter((a) => a.json<{ duplicate?: boolean }>().duplicate === true);
    expect(fresh).toHaveLength(1);
    expect(repeats).toHaveLength(answers.length - 1);
    // A new delivery is accepted for processing (202); a repeat is answered as already done (200).
    expect(fresh[0]!.statusCode).toBe(202);
    for (const r of repeats) expect(r.statusCode).toBe(200);
    return { fresh: fresh[0]!, repeats };
  }

  beforeAll(async () => {
    [github, pagerduty] = await Promise.all([startGitHubStandIn(), startPagerDutyStandIn()]);
    t = await startEngineApp(dialect);
    const created = await t.api({
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { name: 'billing', auth: { type: 'standard_webhooks' } },
    });
    svixSecret = created.json<{ secret: string }>().secret;
    const connect = async (payload: Record<string, unknown>) => {
      const res = await t.api({ method: 'POST', url: '/api/v1/connections', payload });
      expect(res.statusCode, res.body).toBe(201);
      return new URL(res.json<{ webhookUrl: string }>().webhookUrl).pathname;
    };
    githubPath = await connect({
      type: 'github',
      name: 'gh',
      config: { apiUrl: github.url },
      secrets: { token: STAND_IN_TOKEN, webhookSecret: 'gh-secret' },
    });
    pagerdutyPath = await connect({
      type: 'pagerduty',
      name: 'pd',
      config: { eventsUrl: pagerduty.url },
      secrets: { routingKey: STAND_IN_ROUTING_KEY, webhookSecret: 'pd-secret' },
    });
    const step = { a: { uses: 'wait', with: { duration: '1ms' } } };
    await t.applyReaction({ name: 'on-billing', on: { event: 'webhook.billing' }, steps: step });
    await t.applyReaction({ name: 'on-github', on: { event: 'github.*' }, steps: step });
    await t.applyReaction({ name: 'on-pagerduty', on: { event: 'pagerduty.*' }, steps: step });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([github.close(), pagerduty.close()]);
  });

  const standardWebhook =
    (id: string, body: string, at = new Date()) =>
    () =>
      t.app.inject({
        method: 'POST',
        url: '/hooks/billing',
        headers: { ...JSON_TYPE, ...signatureHeaders(svixSecret, id, body, at) },
        payload: body,
      });

  it('a Standard Webhooks delivery posted three times is one event and one run', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });
    const post = standardWebhook('msg_replayed', body);
    const answers = await expectOneEventAndRun('webhook.billing', 'on-billing', async () => [await post(), await post(), await post()]);
    const { fresh, repeats } = expectOneAccepted(answers);
    expect(fresh.statusCode).toBe(202);
    for (const r of repeats) expect(r.json()).toEqual({ eventId: fresh.json<{ eventId: string }>().eventId, duplicate: true });
  });

  it('a Standard Webhooks delivery posted twice at once is one event and one run', async () => {
    const post = standardWebhook('msg_concurrent', JSON.stringify({ type: 'invoice.paid', data: { id: 'in_2' } }));
    expectOneAccepted(await expectOneEventAndRun('webhook.billing', 'on-billing', () => Promise.all([post(), post()])));
  });

  it('a Standard Webhooks delivery replayed with a timestamp older or newer than five minutes is refused', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_3' } });
    const before = await count('events', 'type', 'webhook.billing');
    for (const at of [new Date(Date.now() - 6 * 60_000), new Date(Date.now() + 6 * 60_000)]) {
      const res = await standardWebhook('msg_stale', body, at)();
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json().error.code).toBe('hook.unauthorized');
    }
    expect(await count('events', 'type', 'webhook.billing')).toBe(before);
    // Within the tolerance the same id is new and accepted.
    expect((await standardWebhook('msg_stale', body)()).statusCode).toBe(202);
  });

  const githubDelivery = (delivery: string) => {
    const body = fixture('github', 'deployment-status-success.json');
    const headers = {
      ...JSON_TYPE,
      'x-github-event': 'deployment_status',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${hex('gh-secret', body)}`,
    };
    return () => t.app.inject({ method: 'POST', url: githubPath, headers, payload: body });
  };

  it('a GitHub delivery posted three times is one event and one run', async () => {
    const post = githubDelivery('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    const answers = await expectOneEventAndRun('github.%', 'on-github', async () => [await post(), await post(), await post()]);
    const { fresh, repeats } = expectOneAccepted(answers);
    expect(fresh.json()).toEqual({ events: 1, duplicate: false });
    for (const r of repeats) expect(r.json()).toEqual({ events: 0, duplicate: true });
  });

  it('a GitHub delivery posted twice at once is one event and one run', async () => {
    const post = githubDelivery('8a8d4b56-cc78-11e3-81ab-4c9367dc0958');
    expectOneAccepted(await expectOneEventAndRun('github.%', 'on-github', () => Promise.all([post(), post()])));
  });

  const pagerdutyDelivery = (eventId: string) => {
    const body = Buffer.from(
      fixture('pagerduty', 'incident-triggered.json').toString('utf8').replace('5ac64822-4adc-4fda-ade0-410becf0de4f', eventId),
    );
    // PagerDuty's own retry id differs per attempt here: the event's id is what stays the same.
    return (attempt: number) =>
      t.app.inject({
        method: 'POST',
        url: pagerdutyPath,
        headers: { ...JSON_TYPE, 'x-webhook-id': `attempt-${attempt}`, 'x-pagerduty-signature': `v1=${hex('pd-secret', body)}` },
        payload: body,
      });
  };

  it('a PagerDuty delivery posted three times is one event and one run', async () => {
    const post = pagerdutyDelivery('01d3e6a0-0000-4000-8000-000000000001');
    const answers = await expectOneEventAndRun('pagerduty.%', 'on-pagerduty', async () => [await post(1), await post(2), await post(3)]);
    const { fresh, repeats } = expectOneAccepted(answers);
    expect(fresh.json()).toEqual({ events: 1, duplicate: false });
    for (const r of repeats) expect(r.json()).toEqual({ events: 0, duplicate: true });
  });

  it('a PagerDuty delivery posted twice at once is one event and one run', async () => {
    const post = pagerdutyDelivery('01d3e6a0-0000-4000-8000-000000000002');
    expectOneAccepted(await expectOneEventAndRun('pagerduty.%', 'on-pagerduty', () => Promise.all([post(1), post(2)])));
  });

  it('a PagerDuty delivery whose event id is 8 KB of random text is stored once, not answered 500', async () => {
    // Too long for a PostgreSQL index entry as it is: the store keeps such keys as a digest.
    const post = pagerdutyDelivery(randomBytes(4096).toString('hex'));
    const answers = await expectOneEventAndRun('pagerduty.%', 'on-pagerduty', async () => [await post(1), await post(2)]);
    expectOneAccepted(answers);
  });
});
