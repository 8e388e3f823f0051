import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TeamsStandIn, WORKFLOW_ID, WORKFLOW_SIG } from './stand-in.test-support.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import { deployRecorded, octopusFailed } from '../slack/events.test-support.js';
import { connectionOf, contexts } from '../integration.test-support.js';
import { DEFAULT_THROTTLE_MS } from './client.js';
import { teamsPostMessageAction } from './post-message.js';

const teams = new TeamsStandIn();
const made = contexts();

beforeAll(async () => {
  await teams.start();
});
afterAll(async () => {
  await teams.close();
});
beforeEach(() => teams.clear());
afterEach(() => made.closeAll());

function context(options: { url?: string; event?: ShiplineEvent; config?: Record<string, unknown> } = {}) {
  return made.make({
    ...(options.event ? { event: options.event } : {}),
    connections: { teams: connectionOf('teams', 'teams', options.config ?? {}, { webhookUrl: options.url ?? teams.workflowUrl() }) },
  });
}

type Card = {
  $schema: string;
  type: string;
  version: string;
  body: Array<Record<string, unknown>>;
  actions?: Array<Record<string, unknown>>;
};
const cardOf = (json: unknown) => (json as { attachments: Array<{ content: Card }> }).attachments[0]!.content;

describe('teams.postMessage to a Workflows webhook', () => {
  it('posts the deploy card of a deploy.recorded event as an Adaptive Card message', async () => {
    const { ctx, logs } = context({ event: deployRecorded() });
    const result = await teamsPostMessageAction.run(ctx, {
      connection: 'teams',
      layout: 'deploy',
      runUrl: 'https://shipline.example/runs/r1',
    });
    expect(result).toEqual({ channel: 'success', output: { status: 202 } });

    expect(teams.requests).toHaveLength(1);
    const [call] = teams.requests;
    expect(call!.method).toBe('POST');
    expect(call!.path).toBe(`/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke`);
    expect(call!.query.get('sig')).toBe(WORKFLOW_SIG);
    expect(call!.query.get('api-version')).toBe('2016-06-01');
    expect(call!.headers['content-type']).toBe('application/json');
    expect(call!.headers.authorization).toBeUndefined();
    expect(call!.json).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              {
                type: 'TextBlock',
                size: 'Medium',
                weight: 'Bolder',
                text: 'checkout 1.4.2 deployed to production',
                wrap: true,
                color: 'Good',
              },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Service', value: 'checkout' },
                  { title: 'Environment', value: 'production' },
                  { title: 'Version', value: '1.4.2' },
                  { title: 'Status', value: 'Succeeded' },
                  { title: 'Deployer', value: 'Alice Liddell' },
                  { title: 'Commit', value: 'f95f852 Fix rounding in totals' },
                ],
              },
            ],
            actions: [
              { type: 'Action.OpenUrl', title: 'View deploy', url: 'https://ci.example.com/runs/88' },
              { type: 'Action.OpenUrl', title: 'View run', url: 'https://shipline.example/runs/r1' },
            ],
          },
        },
      ],
    });
    // The flow could post it (a bad card would fail only in the run history).
    expect(teams.runs).toEqual([{ status: 'Succeeded', cards: [cardOf(call!.json)] }]);
    expect(logs.join('\n')).toMatch(/202/);
  });

  it('colours a failed Octopus deployment and links it; the card version follows the connection', async () => {
    const { ctx } = context({ event: octopusFailed(), config: { cardVersion: '1.5' } });
    await teamsPostMessageAction.run(ctx, {
      connection: 'teams',
      layout: 'deploy',
      facts: { Ticket: 'OPS-1' },
      link: { url: 'https://runbooks.example/deploys', title: 'Runbook' },
    });
    const card = cardOf(teams.requests[0]!.json);
    expect(card.version).toBe('1.5');
    expect(card.body[0]).toMatchObject({ text: 'Argo CD Octopub 0.1.178 failed to deploy to Production', color: 'Attention' });
    expect((card.body[1]!.facts as Array<{ title: string }>).map((f) => f.title)).toEqual([
      'Service',
      'Environment',
      'Version',
      'Status',
      'Ticket',
    ]);
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'View deploy', url: 'https://acme.octopus.app/app#/Spaces-1/deployments/Deployments-12519' },
      { type: 'Action.OpenUrl', title: 'Runbook', url: 'https://runbooks.example/deploys' },
    ]);
    expect(teams.runs[0]!.status).toBe('Succeeded');
  });

  it('fails without retry when the signature is wrong or missing, with the Workflows error code', async () => {
    const wrong = await teamsPostMessageAction
      .run(context({ url: teams.workflowUrl('forged') }).ctx, { connection: 'teams', text: 'hi' })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(NonRetriableError);
    expect((wrong as Error).message).toMatch(/HTTP 401: DirectApiInvalidAuthorizationSignature/);
    expect((wrong as Error).message).not.toContain('forged');
    const missing = await teamsPostMessageAction
      .run(context({ url: teams.workflowUrl(null) }).ctx, { connection: 'teams', text: 'hi' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NonRetriableError);
    expect((missing as Error).message).toMatch(/DirectApiAuthorizationRequired/);
    expect(teams.runs).toHaveLength(0);
  });

  it('fails without retry when the flow does not exist', async () => {
    const error = await teamsPostMessageAction
      .run(context({ url: teams.workflowUrl(WORKFLOW_SIG, 'deleted') }).ctx, { connection: 'teams', text: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/HTTP 404: WorkflowNotFound.*no such webhook or flow/);
  });

  it('waits as long as Retry-After says on 429, and retries 5xx', async () => {
    const { ctx } = context();
    teams.failNext({ status: 429, headers: { 'retry-after': '9' }, body: '' });
    const limited = await teamsPostMessageAction.run(ctx, { connection: 'teams', text: 'hi' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(9000);
    teams.failNext({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>bad gateway</html>' });
    const failed = await teamsPostMessageAction.run(ctx, { connection: 'teams', text: 'hi' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(NonRetriableError);
    expect(failed).not.toBeInstanceOf(RetryAfterError);
  });

  it('refuses a message over the Teams size limit before sending it', async () => {
    const { ctx } = context();
    const error = await teamsPostMessageAction.run(ctx, { connection: 'teams', text: 'x'.repeat(30_000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/Teams accepts about 28672/);
    expect(teams.requests).toHaveLength(0);
  });

  it('refuses a step with nothing to post, a bad link, or a connection of another type', async () => {
    const { ctx } = made.make({
      connections: {
        teams: connectionOf('teams', 'teams', {}, { webhookUrl: teams.workflowUrl() }),
        slack: connectionOf('slack', 'slack', {}, { botToken: 'xoxb-1' }),
        broken: connectionOf('teams', 'broken', {}, { webhookUrl: 'not a url' }),
      },
    });
    await expect(teamsPostMessageAction.run(ctx, { connection: 'teams' })).rejects.toThrow(/nothing to post/);
    await expect(teamsPostMessageAction.run(ctx, { connection: 'teams', text: 'x', link: { url: 'javascript:alert(1)' } })).rejects.toThrow(
      /link\.url/,
    );
    await expect(teamsPostMessageAction.run(ctx, { connection: 'slack', text: 'x' })).rejects.toThrow(/not a Teams one/);
    await expect(teamsPostMessageAction.run(ctx, { connection: 'broken', text: 'x' })).rejects.toThrow(NonRetriableError);
    expect(teams.requests).toHaveLength(0);
  });
});

describe('teams.postMessage to a legacy connector', () => {
  it('posts title, text, facts and a link, and reads 200 "1" as delivered', async () => {
    const { ctx } = context({ url: teams.connectorUrl });
    const result = await teamsPostMessageAction.run(ctx, {
      connection: 'teams',
      title: 'Maintenance window',
      text: 'Deploys pause at 18:00',
      facts: { Until: '20:00' },
      link: { url: 'https://status.example' },
    });
    expect(result).toEqual({ channel: 'success', output: { status: 200 } });
    expect(teams.delivered).toEqual([
      {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: 'Maintenance window', wrap: true },
          { type: 'TextBlock', text: 'Deploys pause at 18:00', wrap: true },
          { type: 'FactSet', facts: [{ title: 'Until', value: '20:00' }] },
        ],
        actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://status.example' }],
      },
    ]);
  });

  it('reads an error buried in a 200 answer', async () => {
    const { ctx } = context({ url: teams.connectorUrl });
    teams.failNext({ status: 200, body: fs.readFileSync(new URL('./fixtures/connector-delivery-failed.txt', import.meta.url), 'utf8') });
    const refused = await teamsPostMessageAction.run(ctx, { connection: 'teams', text: 'hi' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NonRetriableError);
    expect((refused as Error).message).toMatch(/Teams answered HTTP 400: Webhook message delivery failed/);
    teams.failNext({ status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=1' });
    const throttled = await teamsPostMessageAction.run(ctx, { connection: 'teams', text: 'hi' }).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(RetryAfterError);
    expect((throttled as RetryAfterError).retryAfterMs).toBe(DEFAULT_THROTTLE_MS);
  });

  it('fails without retry on an unknown connector (404)', async () => {
    const { ctx } = context({ url: `${teams.url}/webhookb2/gone/IncomingWebhook/x/y` });
    const error = await teamsPostMessageAction.run(ctx, { connection: 'teams', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/HTTP 404: Webhook Not Found/);
  });
});
