import { jsonAnswer, recorded, StandIn } from '../stand-in-base.test-support.js';
import type { BodyAnswer, RecordedRequest } from '../stand-in-base.test-support.js';

/**
 * A local stand-in for Sentry's web API (https://docs.sentry.io/api/releases/): Bearer auth,
 * `GET /api/0/organizations/{org}/`, `POST .../releases/` (201 when created or when projects
 * were added, 208 when nothing was new) and `POST .../releases/{version}/deploys/` (404 for an
 * unknown release). Paths end in a slash as Sentry's do. Errors are Sentry's: `{"detail": ...}`
 * for auth and unknown resources, Django REST framework's `{"field": ["message"]}` for bad
 * input. Every request is recorded with its raw body; `failNext` queues answers.
 */

export type { RecordedRequest };
export type SentryAnswer = BodyAnswer;

export interface SentryRelease {
  version: string;
  projects: string[];
  ref?: string;
  deploys: Array<Record<string, unknown> & { id: string }>;
}

export const SENTRY_TOKEN = 'sntryu_standin0000000000000000000000000000000000000000000000';
export const SENTRY_ORG = 'acme';
export const SENTRY_PROJECTS = ['api', 'web'];

/** Sentry's recorded answers (fixtures/). */
const NOT_FOUND = recorded(import.meta.url, 'error-unknown-release.json');
const DEPLOYED = recorded(import.meta.url, 'create-deploy-response.json');

const json = (status: number, body: unknown, headers: Record<string, string> = {}): SentryAnswer => jsonAnswer(status, body, headers);

function isDate(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

export class SentryStandIn extends StandIn {
  readonly releases = new Map<string, SentryRelease>();
  readonly violations: string[] = [];
  private nextId = 1234567;

  /** Sentry's rate-limit answer: 429 with X-Sentry-Rate-Limit-* headers (reset in epoch seconds). */
  rateLimitNext(resetAtEpochSeconds: number): void {
    this.failNext(
      json(
        429,
        { detail: 'You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds' },
        {
          'x-sentry-rate-limit-limit': '40',
          'x-sentry-rate-limit-remaining': '0',
          'x-sentry-rate-limit-reset': String(resetAtEpochSeconds),
          'x-sentry-rate-limit-concurrentlimit': '25',
          'x-sentry-rate-limit-concurrentremaining': '24',
        },
      ),
    );
  }

  reset(): void {
    this.http.clear();
    this.violations.length = 0;
    this.releases.clear();
  }

  protected answer(req: RecordedRequest): SentryAnswer {
    const auth = req.headers.authorization;
    if (!auth) return json(401, { detail: 'Authentication credentials were not provided.' });
    if (auth !== `Bearer ${SENTRY_TOKEN}`) return json(401, { detail: 'Invalid token' });
    const match = /^\/api\/0\/organizations\/([^/]+)\/(?:releases\/(?:([^/]+)\/(deploys\/)?)?)?$/.exec(req.path);
    if (!match) {
      if (!req.path.endsWith('/')) this.violations.push(`${req.method} ${req.path}: Sentry's paths end in a slash`);
      return json(404, NOT_FOUND);
    }
    const [, org, encodedVersion, deploys] = match;
    if (decodeURIComponent(org!) !== SENTRY_ORG) return json(404, NOT_FOUND);
    if (req.method !== 'GET' && !/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return json(415, { detail: `Unsupported media type "${req.headers['content-type'] ?? ''}" in request.` });
    }
    const isReleases = req.path.endsWith('/releases/');
    if (req.method === 'GET' && !isReleases && !encodedVersion) return json(200, { id: '1', slug: SENTRY_ORG, name: 'Acme' });
    if (req.method === 'POST' && isReleases) return this.createRelease(req.json);
    if (req.method === 'POST' && encodedVersion && deploys) return this.createDeploy(decodeURIComponent(encodedVersion), req.json);
    return json(405, { detail: `Method "${req.method}" not allowed.` });
  }

  private createRelease(body: unknown): SentryAnswer {
    const { version, projects, ref } = (body ?? {}) as { version?: unknown; projects?: unknown; ref?: unknown };
    const errors: Record<string, string[]> = {};
    if (typeof version !== 'string' || version === '') errors.version = ['This field is required.'];
    // Sentry's rule for release names (its message, inferred from getsentry/sentry's serializer).
    else if (version.length > 250 || /[/\\\n\r\t]/.test(version) || ['.', '..', 'latest'].includes(version.toLowerCase())) {
      errors.version = [`Release with name ${version} is not allowed`];
    }
    if (!Array.isArray(projects) || projects.length === 0) errors.projects = ['This field is required.'];
    else if (!projects.every((p) => SENTRY_PROJECTS.includes(p as string))) errors.projects = ['Invalid project ids or slugs'];
    if (Object.keys(errors).length > 0) return json(400, errors);
    const existing = this.releases.get(version as string);
    const slugs = projects as string[];
    let status = 201;
    if (existing) {
      const added = slugs.filter((p) => !existing.projects.includes(p));
      existing.projects.push(...added);
      status = added.length > 0 ? 201 : 208;
    } else {
      this.releases.set(version as string, {
        version: version as string,
        projects: [...slugs],
        ...(typeof ref === 'string' ? { ref } : {}),
        deploys: [],
      });
    }
    const release = this.releases.get(version as string)!;
    return json(status, {
      id: 1,
      version: release.version,
      shortVersion: release.version,
      ref: release.ref ?? null,
      dateCreated: new Date().toISOString(),
      dateReleased: null,
      projects: release.projects.map((slug) => ({ slug, name: slug })),
      deployCount: release.deploys.length,
    });
  }

  private createDeploy(version: string, body: unknown): SentryAnswer {
    const release = this.releases.get(version);
    if (!release) return json(404, NOT_FOUND);
    const b = (body ?? {}) as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    if (typeof b.environment !== 'string' || b.environment === '') errors.environment = ['This field is required.'];
    else if (b.environment.length > 64) errors.environment = ['Ensure this field has no more than 64 characters.'];
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length > 64))
      errors.name = ['Ensure this field has no more than 64 characters.'];
    if (b.url !== undefined && (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url))) errors.url = ['Enter a valid URL.'];
    for (const field of ['dateStarted', 'dateFinished']) {
      if (b[field] !== undefined && !isDate(b[field]))
        errors[field] = ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'];
    }
    if (b.projects !== undefined && (!Array.isArray(b.projects) || !b.projects.every((p) => release.projects.includes(p as string)))) {
      errors.projects = ['Invalid projects'];
    }
    for (const key of Object.keys(b))
      if (!['environment', 'name', 'url', 'dateStarted', 'dateFinished', 'projects'].includes(key))
        this.violations.push(`deploy field ${key} is not Sentry's`);
    if (Object.keys(errors).length > 0) return json(400, errors);
    const deploy = {
      id: String(this.nextId++),
      environment: b.environment as string,
      name: (b.name as string | undefined) ?? null,
      url: (b.url as string | undefined) ?? null,
      dateStarted: (b.dateStarted as string | undefined) ?? null,
      dateFinished: (b.dateFinished as string | undefined) ?? new Date().toISOString(),
    };
    release.deploys.push(deploy);
    return json(201, { ...DEPLOYED, ...deploy });
  }
}
