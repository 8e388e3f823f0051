import { jsonAnswer, recorded, StandIn } from '../stand-in-base.test-support.js';
import type { BodyAnswer, RecordedRequest } from '../stand-in-base.test-support.js';

/**
 * A local stand-in for Jira Cloud's REST API v3 (https://developer.atlassian.com/cloud/jira/platform/rest/v3/): Basic
 * auth with email and API token, `POST /rest/api/3/issue`, `POST /rest/api/3/issue/{key}/comment`
 * and `GET /rest/api/3/myself`. Every request is recorded with its raw body. It checks what Jira
 * checks and answers as Jira does: a bad login is a plain-text 401, a bad field a 400 with
 * `{errorMessages, errors}`, a plain string where a document belongs "Operation value must be
 * an Atlassian Document", an unknown issue a 404. Things Jira tolerates but a client should not
 * do (no `Accept: application/json`) are listed in `violations`. `failNext` queues answers
 * (429, 5xx) that the next requests get instead. The summary and ADF messages are Jira's
 * documented ones; those for project, issue type, labels and priority are *(inferred)*.
 */

export type { RecordedRequest };
export type JiraAnswer = BodyAnswer;

export interface JiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  comments: Array<{ id: string; body: unknown }>;
}

export const JIRA_EMAIL = 'bot@acme.com';
export const JIRA_TOKEN = 'ATATT3xFfGF0-standin-token';

/** Jira's recorded answers (fixtures/). */
const MYSELF = recorded(import.meta.url, 'myself.json');
const CREATED = recorded(import.meta.url, 'create-issue-response.json');
const NO_SUMMARY = recorded<{ errors: { summary: string } }>(import.meta.url, 'error-missing-summary.json');

/** Projects and the issue types their create screen offers. */
const PROJECTS: Record<string, { id: string; issueTypes: string[] }> = {
  OPS: { id: '10001', issueTypes: ['Task', 'Bug', 'Story'] },
};
const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
const NOT_ADF = 'Operation value must be an Atlassian Document';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): JiraAnswer =>
  jsonAnswer(status, body, headers, 'application/json;charset=UTF-8');
const fieldErrors = (errors: Record<string, string>) => json(400, { errorMessages: [], errors });

/** True for a document Jira would accept: doc v1 of paragraphs holding non-empty text (with known marks) and hard breaks. */
export function isAdf(value: unknown): boolean {
  const doc = value as { type?: unknown; version?: unknown; content?: unknown };
  if (doc === null || typeof doc !== 'object' || doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) return false;
  return doc.content.every((block: { type?: unknown; content?: unknown }) => {
    if (block?.type !== 'paragraph') return false;
    if (block.content === undefined) return true;
    if (!Array.isArray(block.content)) return false;
    return block.content.every((node: { type?: unknown; text?: unknown; marks?: unknown }) => {
      if (node?.type === 'hardBreak') return true;
      if (node?.type !== 'text' || typeof node.text !== 'string' || node.text === '') return false;
      if (node.marks === undefined) return true;
      return (
        Array.isArray(node.marks) &&
        node.marks.every(
          (m: { type?: unknown; attrs?: { href?: unknown } }) =>
            ['strong', 'em', 'code'].includes(m?.type as string) || (m?.type === 'link' && typeof m.attrs?.href === 'string'),
        )
      );
    });
  });
}

export class JiraStandIn extends StandIn {
  readonly issues = new Map<string, JiraIssue>();
  /** What a well-behaved client got wrong although Jira answered. */
  readonly violations: string[] = [];
  private nextId = 10000;
  private nextNumber = 24;

  /** Jira's rate-limit answer: 429 with Retry-After (seconds) and X-RateLimit-Reset (ISO). */
  rateLimitNext(seconds: number): void {
    this.failNext(
      json(
        429,
        { errorMessages: ['Rate limit exceeded.'], errors: {} },
        {
          'retry-after': String(seconds),
          'x-ratelimit-reset': new Date(Date.now() + seconds * 1000).toISOString(),
          'ratelimit-reason': 'jira-burst-based',
        },
      ),
    );
  }

  reset(): void {
    this.http.clear();
    this.violations.length = 0;
  }

  protected answer(req: RecordedRequest): JiraAnswer {
    const expected = `Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      // Jira Cloud answers a missing or wrong API token with this text, not JSON (observed).
      return {
        status: 401,
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'www-authenticate': 'Basic realm="protected-area"' },
        body: 'Client must be authenticated to access this resource.',
      };
    }
    if (!/^application\/json\b/.test(req.headers.accept ?? ''))
      this.violations.push(`${req.method} ${req.path}: Accept is ${req.headers.accept ?? 'missing'}`);
    if (req.method === 'POST') {
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
        return json(415, { errorMessages: ['Unsupported Media Type'], errors: {} });
      }
      if (req.json === undefined) return json(400, { errorMessages: ['Unexpected character in the JSON body'], errors: {} });
    }
    const comment = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(req.path);
    if (req.method === 'GET' && req.path === '/rest/api/3/myself') return json(200, this.myself());
    if (req.method === 'POST' && req.path === '/rest/api/3/issue') return this.createIssue(req.json);
    if (req.method === 'POST' && comment) return this.addComment(decodeURIComponent(comment[1]!), req.json);
    return json(404, { errorMessages: ['null for uri: ' + this.url + req.path], errors: {} });
  }

  private myself() {
    return { ...MYSELF, self: `${this.url}/rest/api/3/user?accountId=${String(MYSELF.accountId)}`, emailAddress: JIRA_EMAIL };
  }

  private createIssue(body: unknown): JiraAnswer {
    const fields = (body as { fields?: Record<string, unknown> }).fields;
    if (!fields || typeof fields !== 'object') return json(400, { errorMessages: ['Request body is missing "fields"'], errors: {} });
    const errors: Record<string, string> = {};
    const project = fields.project as { key?: unknown } | undefined;
    const known = typeof project?.key === 'string' ? PROJECTS[project.key] : undefined;
    if (!known) errors.project = 'valid project is required';
    const issueType = (fields.issuetype as { name?: unknown } | undefined)?.name;
    if (typeof issueType !== 'string') errors.issuetype = 'Specify an issue type';
    else if (known && !known.issueTypes.includes(issueType)) errors.issuetype = 'Specify a valid issue type';
    const summary = fields.summary;
    if (typeof summary !== 'string' || summary.trim() === '') errors.summary = NO_SUMMARY.errors.summary;
    else if (summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
    if (fields.description !== undefined && !isAdf(fields.description)) errors.description = NOT_ADF;
    if (fields.labels !== undefined) {
      if (!Array.isArray(fields.labels)) errors.labels = 'data was not an array';
      else {
        const spaced = fields.labels.find((l) => typeof l !== 'string' || /\s/.test(l));
        if (spaced !== undefined) errors.labels = `The label '${String(spaced)}' contains spaces which is invalid.`;
      }
    }
    if (fields.priority !== undefined && !PRIORITIES.includes((fields.priority as { name?: string }).name ?? '')) {
      errors.priority = 'The priority selected is invalid.';
    }
    for (const key of Object.keys(fields)) {
      if (!['project', 'issuetype', 'summary', 'description', 'labels', 'priority'].includes(key)) {
        errors[key] = `Field '${key}' cannot be set. It is not on the appropriate screen, or unknown.`;
      }
    }
    if (Object.keys(errors).length > 0) return fieldErrors(errors);
    const id = String(this.nextId++);
    const key = `${(project as { key: string }).key}-${this.nextNumber++}`;
    this.issues.set(key, { id, key, fields, comments: [] });
    return json(201, { ...CREATED, id, key, self: `${this.url}/rest/api/3/issue/${id}` });
  }

  private addComment(issueKey: string, body: unknown): JiraAnswer {
    const issue = this.issues.get(issueKey) ?? [...this.issues.values()].find((i) => i.id === issueKey);
    if (!issue) return json(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
    const adf = (body as { body?: unknown }).body;
    if (adf === undefined) return fieldErrors({ comment: 'Comment body can not be empty!' });
    if (!isAdf(adf)) return fieldErrors({ comment: NOT_ADF });
    const id = String(this.nextId++);
    issue.comments.push({ id, body: adf });
    const now = new Date().toISOString();
    return json(201, {
      self: `${this.url}/rest/api/3/issue/${issue.id}/comment/${id}`,
      id,
      author: { accountId: '5b10a2844c20165700ede21g', displayName: 'Shipline Bot' },
      body: adf,
      created: now,
      updated: now,
      jsdPublic: true,
    });
  }
}
