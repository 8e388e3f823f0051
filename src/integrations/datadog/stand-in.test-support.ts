import { randomBytes } from 'node:crypto';
import { jsonAnswer as json, recorded, StandIn } from '../stand-in-base.test-support.js';
import type { BodyAnswer, RecordedRequest } from '../stand-in-base.test-support.js';

/**
 * A local stand-in for Datadog's API (https://docs.datadoghq.com/api/latest/dora-metrics/): `GET /api/v1/validate`
 * and the DORA deployment intake `POST /api/v2/dora/deployment`, authenticated by `DD-API-KEY`.
 * It checks the JSON:API body as Datadog documents it — `data.attributes` with `service`,
 * integer `started_at`/`finished_at`, `git` with both fields, an `id` of 16–128 allowed
 * characters, `key:value` tags — reading the timestamps from the raw bytes, since nanoseconds do
 * not survive JSON.parse. A bad key gets `403 {"errors":["Forbidden"]}`; a bad body a 400 with a
 * JSON:API error object *(inferred: v2 endpoints may use them)*. Every request is recorded with
 * its raw body; `failNext` queues answers (429, 5xx) the next requests get instead.
 */

export type { RecordedRequest };
export type DatadogAnswer = BodyAnswer;

export interface DoraDeployment {
  id: string;
  attributes: Record<string, unknown>;
  /** Exactly as sent. */
  startedAt: bigint;
  finishedAt: bigint;
}

export const DATADOG_API_KEY = '0123456789abcdef0123456789abcdef';

const ATTRIBUTES = ['service', 'started_at', 'finished_at', 'git', 'env', 'version', 'team', 'id', 'custom_tags'];

/** Datadog's recorded answers (fixtures/). */
const VALIDATED = recorded(import.meta.url, 'validate-response.json');
const ACCEPTED = recorded<{ data: { id: string; type: string } }>(import.meta.url, 'dora-deployment-response.json');

const badRequest = (detail: string) => json(400, { errors: [{ status: '400', title: 'Bad Request', detail }] });

export class DatadogStandIn extends StandIn {
  readonly deployments: DoraDeployment[] = [];

  /** Datadog's rate-limit answer: 429 with the X-RateLimit-* headers (reset in seconds). */
  rateLimitNext(resetSeconds: number): void {
    this.failNext(
      json(
        429,
        { errors: ['Too many requests'] },
        {
          'x-ratelimit-limit': '500',
          'x-ratelimit-period': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(resetSeconds),
          'x-ratelimit-name': 'dora_deployment',
        },
      ),
    );
  }

  reset(): void {
    this.http.clear();
    this.deployments.length = 0;
  }

  protected answer(req: RecordedRequest): DatadogAnswer {
    const known =
      (req.method === 'GET' && req.path === '/api/v1/validate') || (req.method === 'POST' && req.path === '/api/v2/dora/deployment');
    if (!known) return json(404, { errors: ['Not found'] });
    if (req.headers['dd-api-key'] !== DATADOG_API_KEY) return json(403, { errors: ['Forbidden'] });
    if (req.method === 'GET') return json(200, VALIDATED);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return json(415, { errors: ['Unsupported Media Type'] });
    return this.deployment(req);
  }

  private deployment(req: RecordedRequest): DatadogAnswer {
    const attributes = (req.json as { data?: { attributes?: Record<string, unknown> } } | undefined)?.data?.attributes;
    if (!attributes || typeof attributes !== 'object') return badRequest('data.attributes is required');
    for (const key of Object.keys(attributes)) if (!ATTRIBUTES.includes(key)) return badRequest(`unknown attribute ${key}`);
    if (typeof attributes.service !== 'string' || attributes.service === '') return badRequest('service is required');
    const raw = req.raw.toString('utf8');
    const integer = (field: string): bigint | null => {
      const match = new RegExp(`"${field}"\\s*:\\s*(-?\\d+)\\s*[,}]`).exec(raw);
      return match ? BigInt(match[1]!) : null;
    };
    const startedAt = integer('started_at');
    const finishedAt = integer('finished_at');
    if (startedAt === null) return badRequest('started_at is required and must be an integer');
    if (finishedAt === null) return badRequest('finished_at is required and must be an integer');
    if (finishedAt < startedAt) return badRequest('finished_at must not be before started_at');
    if (attributes.git !== undefined) {
      const git = attributes.git as { commit_sha?: unknown; repository_url?: unknown };
      if (typeof git.commit_sha !== 'string' || typeof git.repository_url !== 'string')
        return badRequest('git.commit_sha and git.repository_url are both required');
    }
    if (attributes.id !== undefined && !/^[a-zA-Z0-9\-_.:]{16,128}$/.test(String(attributes.id)))
      return badRequest('id must be 16-128 characters of [a-zA-Z0-9-_.:]');
    if (attributes.custom_tags !== undefined) {
      const tags = attributes.custom_tags;
      if (!Array.isArray(tags) || tags.length > 100 || !tags.every((t) => typeof t === 'string' && /^[^:\s]+:\S+$/.test(t))) {
        return badRequest('custom_tags must be up to 100 key:value strings');
      }
    }
    const id = randomBytes(8).toString('hex');
    this.deployments.push({ id, attributes, startedAt, finishedAt });
    return json(200, { data: { ...ACCEPTED.data, id } });
  }
}
