import type { Command } from 'commander';
import type { Deploy, Page } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { registerRecordCommand } from './deploy-record.js';
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
      .option(
        '--status <status>',
        'only deploys that read this status: queued, started, succeeded or failed (a deploy marked failed is failed)',
      )
      .option('--source <source>', 'only deploys from this source: custom, octopus, github, ...')
      .option('--endpoint <name>', 'only deploys through the deploy endpoint of this name')
      .option('--since <datetime>', 'deployed at or after this time')
      .option('--until <datetime>', 'deployed at or before this time')
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
    printTable(
      ['deployed at', 'service', 'environment', 'number', 'status', 'deployer', 'description'],
      page.items.map((d) => [
        d.deployedAt,
        serviceLabel(d),
        cell(d.environment),
        cell(d.deployNumber),
        d.status,
        cell(d.deployer.email ?? d.deployer.name),
        truncate(d.description),
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

  registerRecordCommand(deploys);
}
