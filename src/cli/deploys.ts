import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { parseDatetime } from '../core/datetime.js';
import { DEPLOY_STATUSES } from '../core/vocabulary.js';
import type { Deploy, Page } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { registerRecordCommand } from './deploy-record.js';
import { registerShowCommand } from './deploy-show.js';
import { parseLimit } from './options.js';
import { cell, printJson, printLine, printNextCursor, printTable, truncate, wantsJson, withJsonOption } from './output.js';

interface ListOptions {
  service?: string;
  env?: string;
  status?: string;
  source?: string;
  endpoint?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

/** `--since`/`--until`: checked and sent in UTC ISO 8601, so a typo fails here, naming the option. */
function parseDatetimeOption(raw: string): string {
  const parsed = parseDatetime(raw);
  if (!parsed) {
    throw new InvalidArgumentError(
      'must be a datetime: ISO 8601 (2026-01-31, 2026-01-31T09:30:00Z, ...+01:00) or YYYY-MM-DD HH:MM:SS in UTC',
    );
  }
  return parsed;
}

/** A deploy under an alias no service claims yet is shown as such, so it is not mistaken for a service. */
function serviceLabel(deploy: Deploy): string {
  return deploy.service ? deploy.service.name : `${deploy.serviceAlias} (no service)`;
}

export function registerDeployCommands(program: Command): void {
  const deploys = program.command('deploys').description('list recorded deploys, or record one');

  withJsonOption(
    deploys
      .command('list')
      .description('list deploys, newest first')
      .option('--service <idOrAlias>', 'only this service (id, name or alias)')
      .option('--env <environment>', 'only this environment')
      .addOption(
        new Option('--status <status>', 'only deploys that read this status (a deploy marked failed is failed)').choices(DEPLOY_STATUSES),
      )
      .option('--source <source>', 'only deploys from this source: custom (a deploy endpoint), octopus, ...')
      .option('--endpoint <name>', 'only deploys through the deploy endpoint of this name')
      .option('--since <datetime>', 'deployed at or after this time (ISO 8601 or YYYY-MM-DD HH:MM:SS UTC)', parseDatetimeOption)
      .option('--until <datetime>', 'deployed at or before this time', parseDatetimeOption)
      .option('--limit <n>', 'deploys per page (1-500)', parseLimit)
      .option('--cursor <cursor>', 'continue from a previous page'),
  ).action(async (options: ListOptions, command: Command) => {
    const page = await clientFor(command).get<Page<Deploy>>(apiPath('deploys'), {
      service: options.service,
      environment: options.env,
      status: options.status,
      source: options.source,
      endpoint: options.endpoint,
      since: options.since,
      until: options.until,
      limit: options.limit,
      cursor: options.cursor,
    });
    if (wantsJson(command)) return printJson(page);
    // The ID is what `deploys show` and `mark-failed` take, so it leads.
    printTable(
      ['id', 'deployed at', 'service', 'environment', 'number', 'status', 'source', 'deployer', 'description'],
      page.items.map((d) => [
        d.id,
        d.deployedAt,
        serviceLabel(d),
        cell(d.environment),
        cell(d.deployNumber),
        d.status,
        d.source,
        cell(d.deployer.email ?? d.deployer.name),
        truncate(d.description, 40),
      ]),
      'No deploys found.',
    );
    printNextCursor(page.nextCursor);
  });

  withJsonOption(
    deploys
      .command('mark-failed <id>')
      .description('mark a deploy as failed: it reads failed everywhere and counts once in the change failure rate (rule "marked")')
      .requiredOption('--reason <text>', 'why it failed (shown in the DORA drill-down)'),
  ).action(async (id: string, options: { reason: string }, command: Command) => {
    const mark = await clientFor(command).post<{ deployId: string; reason: string; markedBy: string | null; markedAt: string }>(
      apiPath('deploys', id, 'failure'),
      { reason: options.reason },
    );
    if (wantsJson(command)) return printJson(mark);
    printLine(`Deploy ${mark.deployId} marked as failed: ${mark.reason}`);
  });

  withJsonOption(
    deploys.command('clear-failure <id>').description("remove a deploy's failure mark: it reads the status its source reported again"),
  ).action(async (id: string, _options: unknown, command: Command) => {
    await clientFor(command).delete(apiPath('deploys', id, 'failure'));
    if (wantsJson(command)) return printJson({ deployId: id, cleared: true });
    printLine(`Deploy ${id}: failure mark cleared`);
  });

  registerShowCommand(deploys);
  registerRecordCommand(deploys);
}
