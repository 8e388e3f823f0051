import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { DeployStatus } from '../../core/vocabulary.js';
import type { InboundDeploy, InboundEvent, StoredWebhook } from '../connection-type.js';
import { obj } from '../../core/objects.js';

/**
 * GitHub webhooks (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries): verified by `X-Hub-Signature-256` (`sha256=<hex
 * HMAC-SHA256 of the raw body>` keyed by the webhook secret); every delivery but a ping becomes a
 * `github.<event>[.<action>]` event, and a finished `deployment_status` also records a deploy in
 * the catalog, keyed by repository and deployment so later statuses move the same deploy.
 */

export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** The `data` of a `github.*` event. */
export interface GitHubEventData {
  /** X-GitHub-Event, e.g. `deployment_status`. */
  event: string;
  action: string | null;
  /** X-GitHub-Delivery. */
  delivery: string | null;
  /** `owner/name`. */
  repository: string | null;
  sender: string | null;
  payload: unknown;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** null when the signature matches the raw body; otherwise why not. */
export function verifyGitHubSignature(secret: string | undefined, headers: IncomingHttpHeaders, raw: Buffer): string | null {
  if (!secret) return 'the connection has no webhookSecret: set the same secret on the GitHub webhook and on the connection';
  const value = header(headers, SIGNATURE_HEADER)?.trim();
  if (!value) return 'missing X-Hub-Signature-256 header';
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value);
  if (!match) return 'X-Hub-Signature-256 is not sha256=<64 hex digits>';
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(raw).digest();
  return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected)
    ? null
    : 'X-Hub-Signature-256 does not match the body (wrong webhookSecret?)';
}

const str = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
/** Event type segments may hold only letters, digits, `_` and `-`. */
const segment = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_');

export function githubEvents(body: unknown, headers: IncomingHttpHeaders): InboundEvent[] {
  const event = header(headers, 'x-github-event');
  if (!event || event === 'ping') return [];
  const payload = obj(body) ?? {};
  const action = str(payload.action);
  const delivery = header(headers, 'x-github-delivery') ?? null;
  const data: GitHubEventData = {
    event,
    action,
    delivery,
    repository: str(obj(payload.repository)?.full_name),
    sender: str(obj(payload.sender)?.login),
    payload: body,
  };
  return [
    {
      type: action ? `github.${segment(event)}.${segment(action)}` : `github.${segment(event)}`,
      data,
      ...(delivery ? { sourceKey: `github:${delivery}` } : {}),
    },
  ];
}

/** Finished deployment states; `error` is GitHub's "could not deploy", a failure for DORA. */
const FINISHED: Record<string, DeployStatus> = { success: 'succeeded', failure: 'failed', error: 'failed' };
const FULL_SHA = /^[0-9a-f]{40}$/i;

/** A finished `deployment_status` as a catalog deploy; nothing for any other delivery. */
export function githubDeploys(body: unknown, headers: IncomingHttpHeaders): InboundDeploy[] {
  if (header(headers, 'x-github-event') !== 'deployment_status') return [];
  const payload = obj(body);
  const status = obj(payload?.deployment_status);
  const deployment = obj(payload?.deployment);
  const repository = obj(payload?.repository);
  const state = str(status?.state);
  const finished = state ? FINISHED[state] : undefined;
  const deploymentId = str(deployment?.id);
  const repositoryId = str(repository?.id);
  if (!status || !deployment || !finished || !deploymentId || !repositoryId) return [];
  const fullName = str(repository?.full_name);
  const service = str(repository?.name) ?? fullName?.split('/').pop() ?? `github-repository-${repositoryId}`;
  const environment = str(deployment.environment) ?? str(status.environment);
  const sha = str(deployment.sha);
  const ref = str(deployment.ref);
  const creator = str(obj(deployment.creator)?.login) ?? str(obj(status.creator)?.login) ?? str(obj(payload?.sender)?.login);
  const description =
    str(status.description) ??
    str(deployment.description) ??
    `GitHub deployment ${deploymentId} of ${fullName ?? service}${environment ? ` to ${environment}` : ''}: ${state}`;
  return [
    {
      dedupId: `github:${repositoryId}:${deploymentId}`,
      status: finished,
      input: {
        service,
        description,
        deployedAt: str(status.created_at) ?? str(status.updated_at) ?? str(deployment.updated_at) ?? new Date().toISOString(),
        environment,
        deployUrl: str(status.target_url) ?? str(status.log_url) ?? str(status.environment_url) ?? null,
        // A branch or tag says what was deployed; a bare SHA is shortened as people write it.
        deployNumber: ref ? (FULL_SHA.test(ref) ? ref.slice(0, 7) : ref) : sha ? sha.slice(0, 7) : null,
        deployer: { id: null, email: null, name: creator },
        commit: sha
          ? {
              sha,
              message: null,
              branch: null,
              date: null,
              committerName: null,
              committerEmail: null,
              authorName: null,
              authorEmail: null,
              authoringDate: null,
            }
          : null,
      },
    },
  ];
}

export const githubWebhook: StoredWebhook = {
  deliveryId: 'the `X-GitHub-Delivery` header (GitHub keeps it when it redelivers)',
  verify: (connection, headers, raw) => verifyGitHubSignature(connection.secrets.webhookSecret, headers, raw),
  events: (_connection, body, headers) => githubEvents(body, headers),
  deploys: (_connection, body, headers) => githubDeploys(body, headers),
};
