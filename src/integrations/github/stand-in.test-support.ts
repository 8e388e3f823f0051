import { jsonAnswer, recordWithUrl, StandInServer } from '../stand-in-base.test-support.js';
import type { StandInAnswer, StandInRequest, UrlRecordedRequest } from '../stand-in-base.test-support.js';

/**
 * A local GitHub REST API for tests (https://docs.github.com/en/rest/deployments), on 127.0.0.1: `GET
 * /user`, `GET /repos/{o}/{r}`, issues, repository_dispatch and deployment statuses. It records
 * every request with its raw body and answers as GitHub does: 401 "Bad credentials" for a wrong
 * bearer token, 403 for a missing User-Agent, 400 "Problems parsing JSON", 404 "Not Found" for a
 * repository or deployment it does not have, 422 for invalid input, 201/204 on success.
 * `failNext` queues a canned answer (rate limits, 5xx) for the next request to a path.
 */

export type { UrlRecordedRequest as RecordedRequest };

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface GitHubStandIn {
  url: string;
  token: string;
  /** Repositories by `owner/name`, with their ids; deployments by id. */
  repos: Map<string, { id: number; deployments: Set<number> }>;
  requests: UrlRecordedRequest[];
  issues: Array<Record<string, unknown>>;
  dispatches: Array<{ repo: string; body: Record<string, unknown> }>;
  statuses: Array<{ repo: string; deploymentId: number; body: Record<string, unknown> }>;
  /** What GitHub tolerates but a correct client does not do (no API version, a non-JSON Accept...). */
  problems: string[];
  failNext(path: string, answer: CannedAnswer): void;
  close(): Promise<void>;
}

export const STAND_IN_TOKEN = 'ghp_standInToken0000000000000000000000';
export const STAND_IN_REPO = { owner: 'acme', repo: 'api', id: 186853002, deploymentId: 145988746 };

const DOCS = 'https://docs.github.com/rest';
const STATES = new Set(['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** GitHub's answer: no body, plain text, or JSON. */
function send(status: number, body?: unknown, headers: Record<string, string> = {}): StandInAnswer {
  if (body === undefined) return { status, headers };
  if (typeof body === 'string') return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
  return jsonAnswer(status, body, headers, 'application/json; charset=utf-8');
}

const error = (status: number, message: string, extra: Record<string, unknown> = {}) => ({
  message,
  documentation_url: DOCS,
  status: String(status),
  ...extra,
});
const validationFailed = (errors: Array<Record<string, unknown>>) => error(422, 'Validation Failed', { errors });

export async function startGitHubStandIn(): Promise<GitHubStandIn> {
  const server = new StandInServer<UrlRecordedRequest>({
    record: recordWithUrl,
    answer: (_recorded, request) => refused(request) ?? (request.parses ? route(request) : send(400, error(400, 'Problems parsing JSON'))),
  });
  let nextId = 1000;
  const stand: GitHubStandIn = {
    url: '',
    token: STAND_IN_TOKEN,
    repos: new Map([
      [`${STAND_IN_REPO.owner}/${STAND_IN_REPO.repo}`, { id: STAND_IN_REPO.id, deployments: new Set([STAND_IN_REPO.deploymentId]) }],
    ]),
    requests: server.requests,
    issues: [],
    dispatches: [],
    statuses: [],
    problems: [],
    failNext(path, answer) {
      server.failNextAt(path, send(answer.status, answer.body, answer.headers));
    },
    close: () => server.close(),
  };

  /** The headers every request must carry; the refusal when they are wrong, else undefined. */
  const refused = (req: StandInRequest): StandInAnswer | undefined => {
    const h = req.headers;
    const at = `${req.method} ${req.target}`;
    if (!h['user-agent']) {
      return send(
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n',
      );
    }
    const version = h['x-github-api-version'];
    if (version === undefined) stand.problems.push(`${at}: no X-GitHub-Api-Version`);
    else if (version !== '2022-11-28' && version !== '2026-03-10')
      return send(400, error(400, `API version ${String(version)} is not supported.`));
    if (h.accept !== 'application/vnd.github+json') stand.problems.push(`${at}: Accept is ${h.accept ?? 'missing'}`);
    if (h.authorization !== `Bearer ${stand.token}`) {
      if (h.authorization?.startsWith('Bearer ') !== true) stand.problems.push(`${at}: Authorization is not a Bearer token`);
      return send(401, error(401, 'Bad credentials'));
    }
    if (req.raw.length > 0 && !/^application\/json\b/.test(h['content-type'] ?? ''))
      stand.problems.push(`${at}: content-type is ${h['content-type'] ?? 'missing'}`);
    return undefined;
  };

  const createIssue = (repo: string, body: Record<string, unknown>): StandInAnswer => {
    const title = body.title;
    if (title === undefined || title === null || title === '')
      return send(422, validationFailed([{ resource: 'Issue', field: 'title', code: 'missing_field' }]));
    if (typeof title !== 'string' && typeof title !== 'number')
      return send(422, validationFailed([{ resource: 'Issue', field: 'title', code: 'invalid' }]));
    if (
      body.labels !== undefined &&
      (!Array.isArray(body.labels) || !body.labels.every((l) => typeof l === 'string' || (isObject(l) && typeof l.name === 'string')))
    ) {
      return send(422, validationFailed([{ resource: 'Issue', field: 'labels', code: 'invalid' }]));
    }
    if (body.assignees !== undefined && (!Array.isArray(body.assignees) || !body.assignees.every((a) => typeof a === 'string'))) {
      return send(422, validationFailed([{ resource: 'Issue', field: 'assignees', code: 'invalid' }]));
    }
    const number = stand.issues.filter((i) => i.repo === repo).length + 1;
    const id = nextId++;
    const issue = {
      id,
      node_id: `I_${id}`,
      number,
      state: 'open',
      title: String(title),
      body: body.body ?? null,
      url: `${stand.url}/repos/${repo}/issues/${number}`,
      html_url: `https://github.com/${repo}/issues/${number}`,
      labels: ((body.labels as unknown[] | undefined) ?? []).map((l) => ({
        name: typeof l === 'string' ? l : (l as { name: string }).name,
      })),
      assignees: ((body.assignees as string[] | undefined) ?? []).map((login) => ({ login })),
    };
    stand.issues.push({ repo, ...issue });
    return send(201, issue, { location: issue.url });
  };

  const dispatch = (repo: string, body: Record<string, unknown>): StandInAnswer => {
    const eventType = body.event_type;
    if (typeof eventType !== 'string' || eventType === '')
      return send(422, error(422, 'Invalid request.\n\n"event_type" wasn\'t supplied.'));
    if (eventType.length > 100) return send(422, error(422, 'Invalid request.\n\nevent_type is too long (maximum is 100 characters).'));
    const payload = body.client_payload;
    if (payload !== undefined && !isObject(payload))
      return send(422, error(422, "Invalid request.\n\nFor 'properties/client_payload', is not an object."));
    if (isObject(payload) && Object.keys(payload).length > 10) {
      return send(
        422,
        error(422, `Invalid request.\n\nNo more than 10 properties are allowed; ${Object.keys(payload).length} were supplied.`),
      );
    }
    stand.dispatches.push({ repo, body });
    return send(204);
  };

  const createStatus = (repo: string, deploymentId: number, body: Record<string, unknown>): StandInAnswer => {
    if (typeof body.state !== 'string' || !STATES.has(body.state))
      return send(422, validationFailed([{ resource: 'DeploymentStatus', field: 'state', code: 'invalid' }]));
    if (typeof body.description === 'string' && body.description.length > 140) {
      return send(
        422,
        validationFailed([
          {
            resource: 'DeploymentStatus',
            field: 'description',
            code: 'custom',
            message: 'description is too long (maximum is 140 characters)',
          },
        ]),
      );
    }
    const id = nextId++;
    const status = {
      id,
      node_id: `DES_${id}`,
      state: body.state,
      description: body.description ?? '',
      environment: body.environment ?? 'production',
      target_url: body.log_url ?? body.target_url ?? '',
      log_url: body.log_url ?? '',
      environment_url: body.environment_url ?? '',
      created_at: '2025-03-01T12:00:00Z',
      updated_at: '2025-03-01T12:00:00Z',
      url: `${stand.url}/repos/${repo}/deployments/${deploymentId}/statuses/${id}`,
      deployment_url: `${stand.url}/repos/${repo}/deployments/${deploymentId}`,
    };
    stand.statuses.push({ repo, deploymentId, body });
    return send(201, status);
  };

  const route = ({ method, path, json }: StandInRequest): StandInAnswer => {
    if (method === 'GET' && path === '/user')
      return send(200, { login: 'shipline-bot', id: 4242, type: 'User', name: 'Shipline Bot' }, { 'x-oauth-scopes': 'repo, workflow' });
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    const repoName = repoMatch ? `${decodeURIComponent(repoMatch[1]!)}/${decodeURIComponent(repoMatch[2]!)}` : '';
    const repo = stand.repos.get(repoName);
    const rest = repoMatch?.[3] ?? '';
    if (!repoMatch || !repo) return send(404, error(404, 'Not Found'));
    const body = isObject(json) ? json : {};
    if (method === 'GET' && rest === '')
      return send(200, { id: repo.id, name: repoName.split('/')[1], full_name: repoName, private: true });
    if (method === 'POST' && rest === '/issues') return createIssue(repoName, body);
    if (method === 'POST' && rest === '/dispatches') return dispatch(repoName, body);
    const statusMatch = /^\/deployments\/(\d+)\/statuses$/.exec(rest);
    if (method === 'POST' && statusMatch && repo.deployments.has(Number(statusMatch[1])))
      return createStatus(repoName, Number(statusMatch[1]), body);
    return send(404, error(404, 'Not Found'));
  };

  stand.url = await server.listen();
  return stand;
}
