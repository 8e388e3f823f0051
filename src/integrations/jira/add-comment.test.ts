import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NonRetriableError, RetryAfterError } from '../../engine/action.js';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { JIRA_EMAIL, JIRA_TOKEN, JiraStandIn } from './stand-in.test-support.js';
import { createTestContext } from '../action-context.test-support.js';
import type { TestContext } from '../action-context.test-support.js';
import { connectionOf } from '../integration.test-support.js';
import { addCommentAction } from './add-comment.js';
import { createIssueAction } from './create-issue.js';

const jira = new JiraStandIn();
let t: TestContext;
let key = '';

function connection(apiToken = JIRA_TOKEN): ConnectionWithSecrets {
  return connectionOf('jira', 'jira', { siteUrl: jira.url, email: JIRA_EMAIL }, { apiToken }, 'c-jira');
}

const comment = (issue: string, body: string, ctx = t) => addCommentAction.run(ctx.ctx, { connection: 'jira', issue, body });

beforeAll(async () => {
  await jira.start();
  t = createTestContext({ allowHosts: ['127.0.0.1'], connections: { jira: connection() } });
  const created = await createIssueAction.run(t.ctx, { connection: 'jira', project: 'OPS', summary: 'Deploy failed' });
  key = (created as { output: { key: string } }).output.key;
});
afterAll(async () => {
  await t.close();
  await jira.close();
});
beforeEach(() => jira.reset());

describe('jira.addComment', () => {
  it('posts the comment as an ADF document to the issue, with Basic auth and JSON', async () => {
    const result = await comment(key, 'Rolled back to 1.4.1.\n\nDetails: https://ci.example/run/89');
    const stored = jira.issues.get(key)!.comments[0]!;
    expect(result).toEqual({
      channel: 'success',
      output: { id: stored.id, issue: key, url: `${jira.url}/browse/${key}?focusedCommentId=${stored.id}` },
    });
    const request = jira.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/rest/api/3/issue/${key}/comment`);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json).toEqual({
      body: {
        type: 'doc',
        version: 1,
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'Rolled back to 1.4.1.' }] },
          {
            type: 'paragraph',
            content: [
              { type: 'text', text: 'Details: ' },
              { type: 'text', text: 'https://ci.example/run/89', marks: [{ type: 'link', attrs: { href: 'https://ci.example/run/89' } }] },
            ],
          },
        ],
      },
    });
    expect(jira.violations).toEqual([]);
  });

  it("fails without retrying, with Jira's message, on an unknown issue (404)", async () => {
    const error = await comment('OPS-999', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe(
      'Jira POST /rest/api/3/issue/OPS-999/comment answered 404: Issue does not exist or you do not have permission to see it.',
    );
  });

  it('fails without retrying on bad credentials (401)', async () => {
    const bad = createTestContext({ allowHosts: ['127.0.0.1'], connections: { jira: connection('expired') } });
    await expect(comment(key, 'x', bad)).rejects.toThrow(NonRetriableError);
    await expect(comment(key, 'x', bad)).rejects.toThrow(/401: Client must be authenticated/);
    await bad.close();
  });

  it('asks to be retried after Retry-After on 429, and retries 5xx', async () => {
    jira.rateLimitNext(3);
    const limited = await comment(key, 'x').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(3000);
    jira.failNext({
      status: 500,
      headers: { 'content-type': 'application/json' },
      body: '{"errorMessages":["Internal server error"],"errors":{}}',
    });
    const failed = await comment(key, 'x').catch((e: unknown) => e);
    expect(failed).not.toBeInstanceOf(NonRetriableError);
    expect((failed as Error).message).toMatch(/answered 500: Internal server error/);
  });

  it('falls back to X-RateLimit-Reset when a 429 carries no Retry-After', async () => {
    const reset = new Date(Date.now() + 60_000).toISOString();
    jira.failNext({ status: 429, headers: { 'x-ratelimit-reset': reset }, body: '' });
    const limited = await comment(key, 'x').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBeGreaterThan(50_000);
    expect((limited as RetryAfterError).retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('refuses an empty comment without calling Jira', async () => {
    await expect(comment(key, ' \n\n ')).rejects.toThrow(/the comment is empty/);
    expect(jira.requests).toHaveLength(0);
  });
});
