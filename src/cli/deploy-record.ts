import type { Command } from 'commander';
import { CliError, originOf, parseHttpUrl, readJson, send } from './client.js';
import { printJson, printLine, wantsJson, withJsonOption } from './output.js';

/** Options of `deploys record`, as commander camel-cases them. */
interface RecordOptions {
  service: string;
  description: string;
  env?: string;
  deployedAt?: string;
  deployerEmail?: string;
  deployerName?: string;
  deployerId?: string;
  deployUrl?: string;
  deployNumber?: string;
  dedupId?: string;
  status?: string;
  commitSha?: string;
  commitMessage?: string;
  commitBranch?: string;
  commitDate?: string;
  commitAuthorName?: string;
  commitAuthorEmail?: string;
  commitCommitterName?: string;
  commitCommitterEmail?: string;
  commitAuthoringDate?: string;
}

/** Wire field of the webhook body → option; the body is OpsLevel's custom deploy format. */
const COMMIT_FIELDS = {
  sha: 'commitSha',
  message: 'commitMessage',
  branch: 'commitBranch',
  date: 'commitDate',
  committer_name: 'commitCommitterName',
  committer_email: 'commitCommitterEmail',
  author_name: 'commitAuthorName',
  author_email: 'commitAuthorEmail',
  authoring_date: 'commitAuthoringDate',
} as const satisfies Record<string, keyof RecordOptions>;

const DEPLOYER_FIELDS = { id: 'deployerId', email: 'deployerEmail', name: 'deployerName' } as const satisfies Record<
  string,
  keyof RecordOptions
>;

const TOP_LEVEL_FIELDS = {
  environment: 'env',
  deploy_url: 'deployUrl',
  deploy_number: 'deployNumber',
  dedup_id: 'dedupId',
  status: 'status',
} as const satisfies Record<string, keyof RecordOptions>;

/** Copies the options that were given; absent ones are left out rather than sent as null. */
function pick(options: RecordOptions, fields: Record<string, keyof RecordOptions>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [wire, option] of Object.entries(fields)) {
    const value = options[option];
    if (value !== undefined) out[wire] = value;
  }
  return out;
}

/**
 * The webhook body. Validation (required fields, datetimes) is left to the server so the CLI and
 * a hand-written curl call get the same answers.
 */
export function buildDeployBody(options: RecordOptions, now: Date = new Date()): Record<string, unknown> {
  const body: Record<string, unknown> = {
    service: options.service,
    description: options.description,
    deployed_at: options.deployedAt ?? now.toISOString(),
    ...pick(options, TOP_LEVEL_FIELDS),
  };
  const deployer = pick(options, DEPLOYER_FIELDS);
  if (Object.keys(deployer).length > 0) body.deployer = deployer;
  const commit = pick(options, COMMIT_FIELDS);
  if (Object.keys(commit).length > 0) body.commit = commit;
  return body;
}

interface WebhookAnswer {
  result?: unknown;
  message?: unknown;
  /** Shipline adds the recorded deploy's id and number; OpsLevel's answer has neither. */
  deployId?: unknown;
  deployNumber?: unknown;
  errors?: unknown;
}

/** `ok: deploy number 42 recorded (id …)`, then the server's message, if any; plain `ok` from OpsLevel. */
export function describeAnswer(answer: WebhookAnswer & { result: string }): string {
  const recorded =
    typeof answer.deployId === 'string'
      ? `deploy number ${typeof answer.deployNumber === 'string' ? answer.deployNumber : '-'} recorded (id ${answer.deployId})`
      : null;
  const parts = [recorded, typeof answer.message === 'string' ? answer.message : null].filter((p) => p !== null);
  return parts.length > 0 ? `${answer.result}: ${parts.join('. ')}` : answer.result;
}

/** `Title: detail` lines from OpsLevel's `{errors: [{status, title, detail}]}` error format. */
function describeErrors(status: number, body: WebhookAnswer | undefined): string {
  const errors = Array.isArray(body?.errors) ? (body.errors as Array<{ title?: unknown; detail?: unknown }>) : [];
  const lines = errors
    .filter((e) => typeof e === 'object' && e !== null)
    .map((e) => `${typeof e.title === 'string' ? e.title : 'Error'}: ${typeof e.detail === 'string' ? e.detail : ''}`.trimEnd());
  return lines.length > 0 ? lines.join('\n') : `The deploy endpoint answered HTTP ${status}`;
}

export function registerRecordCommand(deploys: Command): void {
  withJsonOption(
    deploys
      .command('record')
      .description('send a deploy to a deploy endpoint URL, as a CI job does (no API token needed)')
      .argument('<endpoint-url>', 'the deploy endpoint URL (from `shipline endpoints create`)')
      .requiredOption('--service <alias>', 'the service name or alias that was deployed')
      .requiredOption('--description <text>', 'what was deployed')
      .option('--env <environment>', 'environment deployed to, e.g. Production')
      .option('--deployed-at <datetime>', 'when it was deployed: ISO 8601 or YYYY-MM-DD HH:MM:SS UTC (default: now)')
      .option('--deployer-email <email>', 'who deployed (an email or a name is required)')
      .option('--deployer-name <name>', 'who deployed (an email or a name is required)')
      .option('--deployer-id <id>', 'deployer id in your own systems')
      .option('--deploy-url <url>', 'link to the CI job or release')
      .option('--deploy-number <number>', 'CI build or release number')
      .option('--dedup-id <id>', 'a second deploy with the same dedup id is ignored (safe retries)')
      .option('--status <status>', 'succeeded (default) or failed: a deploy that failed reads failed and stores deploy.failed')
      .option('--commit-sha <sha>', 'commit deployed')
      .option('--commit-message <text>', 'commit message')
      .option('--commit-branch <branch>', 'branch deployed')
      .option('--commit-date <datetime>', 'commit date')
      .option('--commit-author-name <name>', 'commit author name')
      .option('--commit-author-email <email>', 'commit author email')
      .option('--commit-committer-name <name>', 'committer name')
      .option('--commit-committer-email <email>', 'committer email')
      .option('--commit-authoring-date <datetime>', 'commit authoring date'),
  ).action(async (endpointUrl: string, options: RecordOptions, command: Command) => {
    const url = parseHttpUrl(endpointUrl, 'The deploy endpoint URL');
    const response = await send({ method: 'POST', url, body: buildDeployBody(options) });
    const answer = (await readJson(response)) as WebhookAnswer | undefined;
    if (!response.ok) throw new CliError(describeErrors(response.status, answer));
    if (answer === undefined || typeof answer.result !== 'string') {
      // Likely not a Shipline (or OpsLevel) endpoint; name only the origin, the path is secret.
      throw new CliError(`Unexpected answer from ${originOf(endpointUrl)}: HTTP ${response.status} without a result`);
    }
    if (wantsJson(command)) return printJson(answer);
    printLine(describeAnswer({ ...answer, result: answer.result }));
  });
}
