import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { JIRA_EMAIL, JIRA_TOKEN, JiraStandIn } from './stand-in.test-support.js';
import { createTestContext } from '../action-context.test-support.js';
import type { TestContext } from '../action-context.test-support.js';
import { connectionOf } from '../integration.test-support.js';
import { createIssueAction } from './create-issue.js';
import type { CreateIssueConfig } from './create-issue.js';

const jira = new JiraStandIn();
let t: TestContext;

function connection(overrides: { config?: Record<string, unknown>; secrets?: Record<string, string> } = {}): ConnectionWithSecrets {
  return connectionOf(
    'jira',
    'jira',
    { siteUrl: jira.url, email: JIRA_EMAIL, project: 'OPS', ...overrides.config },
    { apiToken: JIRA_TOKEN, ...overrides.secrets },
    'c-jira',
  );
}

function context(conn = connection()): TestContext {
  return createTestContext({ allowHosts: ['127.0.0.1'], connections: { jira: conn } });
}

const create = (config: Partial<CreateIssueConfig>, ctx = t) =>
  createIssueAction.run(ctx.ctx, { connection: 'jira', summary: 'Deploy api 1.4.2 to production failed', ...config } as CreateIssueConfig);

beforeAll(async () => {
  await jira.start();
  t = context();
});
afterAll(async () => {
  await t.close();
  await jira.close();
});
beforeEach(() => jira.reset());

describe('jira.createIssue', () => {
  it('creates the issue with Basic auth, JSON, the fields as Jira wants them and the description as ADF', async () => {
    const result = await create({
      issueType: 'Bug',
      description: 'Run 88 failed at step migrate.\nSee https://ci.example/run/88',
      labels: ['shipline', 'deploy-failure'],
      priority: 'High',
    });
    const issue = jira.issues.get('OPS-24')!;
    expect(result).toEqual({ channel: 'success', output: { id: issue.id, key: 'OPS-24', url: `${jira.url}/browse/OPS-24` } });
    expect(jira.requests).toHaveLength(1);
    const request = jira.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/rest/api/3/issue');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.accept).toBe('application/json');
    expect(request.json).toEqual({
      fields: {
        project: { key: 'OPS' },
        issuetype: { name: 'Bug' },
        summary: 'Deploy api 1.4.2 to production failed',
        description: {
          type: 'doc',
          version: 1,
          content: [
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'Run 88 failed at step migrate.' },
                { type: 'hardBreak' },
                { type: 'text', text: 'See ' },
                {
                  type: 'text',
                  text: 'https://ci.example/run/88',
                  marks: [{ type: 'link', attrs: { href: 'https://ci.example/run/88' } }],
                },
              ],
            },
          ],
        },
        labels: ['shipline', 'deploy-failure'],
        priority: { name: 'High' },
      },
    });
    expect(jira.violations).toEqual([]);
  });

  it("defaults to a Task in the connection's project, keeps the summary on one line within 255 characters, and omits an empty description", async () => {
    await create({ summary: `First line\nsecond ${'x'.repeat(300)}`, description: '  \n ' });
    const fields = (jira.requests[0]!.json as { fields: Record<string, unknown> }).fields;
    expect(fields.project).toEqual({ key: 'OPS' });
    expect(fields.issuetype).toEqual({ name: 'Task' });
    expect(fields.summary).toMatch(/^First line second x+…$/);
    expect((fields.summary as string).length).toBe(255);
    expect(fields).not.toHaveProperty('description');
    expect(jira.violations).toEqual([]);
  });

  it("fails without retrying on bad credentials, with Jira's message", async () => {
    const bad = context(connection({ secrets: { apiToken: 'wrong' } }));
    const error = await create({}, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe(
      'Jira POST /rest/api/3/issue answered 401: Client must be authenticated to access this resource.',
    );
    await bad.close();
  });

  it('fails without retrying on a field Jira refuses, naming the field', async () => {
    const error = await create({ project: 'NOPE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe('Jira POST /rest/api/3/issue answered 400: project: valid project is required');
    expect((error as { status?: number }).status).toBe(400);
  });

  it('fails without retrying on an unknown issue type or priority', async () => {
    await expect(create({ issueType: 'Epic' })).rejects.toThrow(/400: issuetype: Specify a valid issue type/);
    await expect(create({ priority: 'Urgent' })).rejects.toThrow(/400: priority: The priority selected is invalid/);
  });

  it('fails clearly when the site is not there (404)', async () => {
    const elsewhere = context(connection({ config: { siteUrl: `${jira.url}/wrong` } }));
    const error = await create({}, elsewhere).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/^Jira POST \/rest\/api\/3\/issue answered 404: null for uri/);
    await elsewhere.close();
  });

  it("asks to be retried after Jira's Retry-After on 429", async () => {
    jira.rateLimitNext(7);
    const error = await create({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(7000);
    expect((error as Error).message).toMatch(/429: Rate limit exceeded/);
  });

  it('throws a retriable error on 5xx', async () => {
    jira.failNext({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>' });
    const error = await create({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect(error).not.toBeInstanceOf(RetryAfterError);
    expect((error as Error).message).toMatch(/answered 502/);
  });

  it('refuses a step without a project when the connection has none', async () => {
    const none = context(connection({ config: { project: undefined } }));
    await expect(create({}, none)).rejects.toThrow(/no project/);
    expect(jira.requests).toHaveLength(0);
    await none.close();
  });
});
