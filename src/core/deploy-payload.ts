import { parseDatetime } from './datetime.js';
import type { CommitInfo, Deployer, DeployStatus } from './vocabulary.js';

/**
 * The body of `POST /integrations/deploy/:endpointId`, validated to the rules of OpsLevel's
 * custom deploy webhook so existing pipelines switch by changing one URL.
 */
export interface DeployInput {
  service: string;
  description: string;
  deployedAt: string;
  environment: string | null;
  deployUrl: string | null;
  deployNumber: string | null;
  dedupId: string | null;
  deployer: Deployer;
  commit: CommitInfo | null;
  /** Set by integrations (Octopus); a posted deploy is `succeeded` unless its `status` says `failed`. */
  status?: DeployStatus;
  source?: string;
}

/** One entry of OpsLevel's error format: `{status, title, detail}`. */
export interface PayloadError {
  status: 400;
  title: string;
  detail: string;
}

export type DeployPayloadResult = { ok: true; input: DeployInput } | { ok: false; errors: PayloadError[] };

const COMMIT_FIELDS = {
  sha: 'sha',
  message: 'message',
  branch: 'branch',
  date: 'date',
  committer_name: 'committerName',
  committer_email: 'committerEmail',
  author_name: 'authorName',
  author_email: 'authorEmail',
  authoring_date: 'authoringDate',
} as const satisfies Record<string, keyof CommitInfo>;
const COMMIT_DATES = new Set(['date', 'authoring_date']);
const MAX_FIELD_LENGTH = 64 * 1024;

/** `deployed_at` → `Deployed at`, `commit.authoring_date` → `Commit authoring date`. */
function humanize(field: string): string {
  const words = field.replace(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function error(field: string, detail: string): PayloadError {
  return { status: 400, title: `${humanize(field)} Error`, detail };
}

const missing = (field: string) => error(field, `param is missing or the value is empty: ${field}`);
const notString = (field: string) => error(field, `param must be a string: ${field}`);
const notDatetime = (field: string) => error(field, `param is not a valid datetime (use YYYY-MM-DD HH:MM:SS in UTC or ISO 8601): ${field}`);
const tooLong = (field: string) => error(field, `param is longer than ${MAX_FIELD_LENGTH} characters: ${field}`);

/** The words pipelines use for a finished deploy's outcome (an extension of OpsLevel's format, which has none). */
const POSTED_STATUS: Record<string, DeployStatus> = {
  succeeded: 'succeeded',
  success: 'succeeded',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
};

/** `status`: absent means succeeded; a failed deploy posted as such reads failed, rather than being recorded as a success. */
function readStatus(body: Record<string, unknown>, errors: PayloadError[]): DeployStatus | null {
  const raw = optionalString(body, 'status', 'status', errors);
  if (raw === null || raw.trim() === '') return null;
  const status = POSTED_STATUS[raw.trim().toLowerCase()];
  if (!status) errors.push(error('status', 'param must be succeeded or failed: status'));
  return status ?? null;
}

/**
 * Reads an optional scalar. Numbers are accepted as strings because pipelines often send
 * `deploy_number: 234`; anything else that is not a string is an error.
 */
function optionalString(body: Record<string, unknown>, key: string, field: string, errors: PayloadError[]): string | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') {
    errors.push(notString(field));
    return null;
  }
  if (value.length > MAX_FIELD_LENGTH) {
    errors.push(tooLong(field));
    return null;
  }
  return value;
}

function requiredString(body: Record<string, unknown>, key: string, errors: PayloadError[]): string {
  const value = optionalString(body, key, key, errors);
  if (value !== null && value.trim() === '') {
    errors.push(missing(key));
    return '';
  }
  if (value === null && (body[key] === undefined || body[key] === null)) errors.push(missing(key));
  return value ?? '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDeployer(body: Record<string, unknown>, errors: PayloadError[]): Deployer {
  const raw = body.deployer;
  const empty: Deployer = { id: null, email: null, name: null };
  if (raw === undefined || raw === null) {
    errors.push(missing('deployer'));
    return empty;
  }
  if (!isObject(raw)) {
    errors.push(error('deployer', 'param must be an object with an email or a name: deployer'));
    return empty;
  }
  const deployer: Deployer = {
    id: optionalString(raw, 'id', 'deployer.id', errors),
    email: optionalString(raw, 'email', 'deployer.email', errors)?.trim() || null,
    name: optionalString(raw, 'name', 'deployer.name', errors)?.trim() || null,
  };
  if (!deployer.email && !deployer.name) {
    errors.push(error('deployer', 'param is missing or the value is empty: deployer.email or deployer.name'));
  }
  return deployer;
}

function readCommit(body: Record<string, unknown>, errors: PayloadError[]): CommitInfo | null {
  const raw = body.commit;
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) {
    errors.push(error('commit', 'param must be an object: commit'));
    return null;
  }
  const commit = {} as CommitInfo;
  for (const [key, prop] of Object.entries(COMMIT_FIELDS)) {
    const field = `commit.${key}`;
    let value = optionalString(raw, key, field, errors);
    if (value !== null && value.trim() === '') value = null;
    if (value !== null && COMMIT_DATES.has(key)) {
      const parsed = parseDatetime(value);
      if (parsed === null) errors.push(notDatetime(field));
      value = parsed;
    }
    commit[prop] = value;
  }
  return commit;
}

/** Validates a deploy webhook body. Every problem is reported, in field order. */
export function parseDeployPayload(body: unknown): DeployPayloadResult {
  if (!isObject(body)) {
    return { ok: false, errors: [error('body', 'the request body must be a JSON object')] };
  }
  const errors: PayloadError[] = [];
  const service = requiredString(body, 'service', errors).trim();
  const description = requiredString(body, 'description', errors);
  const deployedAtRaw = requiredString(body, 'deployed_at', errors);
  let deployedAt = '';
  if (deployedAtRaw.trim() !== '') {
    deployedAt = parseDatetime(deployedAtRaw) ?? '';
    if (!deployedAt) errors.push(notDatetime('deployed_at'));
  }
  const deployer = readDeployer(body, errors);
  const environment = optionalString(body, 'environment', 'environment', errors)?.trim() || null;
  const deployUrl = optionalString(body, 'deploy_url', 'deploy_url', errors) || null;
  const deployNumber = optionalString(body, 'deploy_number', 'deploy_number', errors)?.trim() || null;
  const dedupId = optionalString(body, 'dedup_id', 'dedup_id', errors)?.trim() || null;
  const commit = readCommit(body, errors);
  const status = readStatus(body, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: {
      service,
      description,
      deployedAt,
      environment,
      deployUrl,
      deployNumber,
      dedupId,
      deployer,
      commit,
      ...(status ? { status } : {}),
    },
  };
}
