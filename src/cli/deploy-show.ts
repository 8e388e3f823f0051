import type { Command } from 'commander';
import type { DeployDetail, List, Run } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { printDetails, printJson, printLine, printTable, truncate, wantsJson, withJsonOption } from './output.js';

/** The status as it reads, with why when a failure mark overrides what the source reported. */
function statusLine(deploy: DeployDetail): string {
  if (!deploy.failure) return deploy.status;
  return `${deploy.status} (marked; its source reported ${deploy.reportedStatus})`;
}

/** `Name <email>`, either part alone, or null. */
function person(name: string | null | undefined, email: string | null | undefined): string | null {
  return [name, email && name ? `<${email}>` : email].filter(Boolean).join(' ') || null;
}

function deployerLine(deploy: DeployDetail): string | null {
  const { email, name, id, user } = deploy.deployer;
  const who = person(name, email);
  const extra = [id ? `id ${id}` : null, user ? `Shipline user ${user.email}` : null].filter(Boolean).join(', ');
  return [who || null, extra ? `(${extra})` : null].filter(Boolean).join(' ') || null;
}

function serviceLine(deploy: DeployDetail): string {
  if (!deploy.service) return `${deploy.serviceAlias} (no service claims this alias yet)`;
  const alias = deploy.serviceAlias === deploy.service.name ? '' : `, as ${deploy.serviceAlias}`;
  return `${deploy.service.name} (${deploy.service.id}${alias})`;
}

/** Every field of one deploy as `label: value` lines; absent values read as a dash. */
export function printDeploy(deploy: DeployDetail): void {
  const commit = deploy.commit;
  printDetails([
    ['ID', deploy.id],
    ['Number', deploy.deployNumber],
    ['Service', serviceLine(deploy)],
    ['Environment', deploy.environment],
    ['Status', statusLine(deploy)],
    ['Source', deploy.source],
    ['Endpoint', deploy.endpoint],
    ['Description', deploy.description],
    ['Deployed at', deploy.deployedAt],
    ['Received at', deploy.receivedAt],
    ['Deployer', deployerLine(deploy)],
    ['Deploy URL', deploy.deployUrl],
    ['Dedup ID', deploy.dedupId],
    ['Commit', commit?.sha],
    ['Branch', commit?.branch],
    ['Message', commit?.message ? truncate(commit.message, 100) : null],
    ['Author', person(commit?.authorName, commit?.authorEmail)],
    ['Authored at', commit?.authoringDate],
    ['Committer', person(commit?.committerName, commit?.committerEmail)],
    ['Committed at', commit?.date],
  ]);
  if (deploy.failure) {
    printLine('\nFailure mark');
    printDetails([
      ['Reason', deploy.failure.reason],
      ['Marked by', deploy.failure.markedBy],
      ['Marked at', deploy.failure.markedAt],
    ]);
  }
}

export function registerShowCommand(deploys: Command): void {
  withJsonOption(
    deploys
      .command('show')
      .description('show one deploy: every field, its failure mark and the runs of reactions its events started')
      .argument('<id>', 'deploy id (the ID column of `deploys list`)'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const client = clientFor(command);
    const deploy = await client.get<DeployDetail>(apiPath('deploys', id));
    // Scripts get the server's body unchanged; the runs are one more request, for people.
    if (wantsJson(command)) return printJson(deploy);
    printDeploy(deploy);
    const runs = await client.get<List<Run>>(apiPath('deploys', id, 'runs'));
    printLine('\nRuns');
    printTable(
      ['id', 'reaction', 'status', 'created', 'error'],
      runs.items.map((r) => [r.id, r.reaction, r.status, r.createdAt, truncate(r.error, 40)]),
      'No reaction ran for its events.',
    );
  });
}
