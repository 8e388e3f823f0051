import type { Command } from 'commander';
import type { Page, Service } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { collect, parseLimit } from './options.js';
import { printDetails, printJson, printNextCursor, printTable, truncate, wantsJson, withJsonOption } from './output.js';

export function printService(service: Service): void {
  printDetails([
    ['ID', service.id],
    ['Name', service.name],
    ['Aliases', service.aliases.join(', ')],
    ['Description', service.description],
    ['Owner', service.owner],
    ['Tags', service.tags.join(', ')],
    ['Created', service.createdAt],
    ['Updated', service.updatedAt],
  ]);
}

interface CreateOptions {
  alias?: string[];
  description?: string;
  owner?: string;
  tag?: string[];
}

interface ListOptions {
  limit?: number;
  cursor?: string;
}

export function registerServiceCommands(program: Command): void {
  const services = program.command('services').description('manage the service catalog');

  withJsonOption(
    services
      .command('create')
      .description('create a service; its name is always one of its aliases')
      .argument('<name>', 'service name')
      .option('--alias <alias>', 'another name deploys may use for it (repeatable)', collect)
      .option('--description <text>', 'what the service does')
      .option('--owner <owner>', 'owning team or person')
      .option('--tag <tag>', 'a tag (repeatable)', collect),
  ).action(async (name: string, options: CreateOptions, command: Command) => {
    // Only given fields are sent, so the server's defaults apply to the rest.
    const body: Record<string, unknown> = { name };
    if (options.alias) body.aliases = options.alias;
    if (options.description !== undefined) body.description = options.description;
    if (options.owner !== undefined) body.owner = options.owner;
    if (options.tag) body.tags = options.tag;
    const service = await clientFor(command).post<Service>(apiPath('services'), body);
    if (wantsJson(command)) return printJson(service);
    printService(service);
  });

  withJsonOption(
    services
      .command('list')
      .description('list services by name')
      .option('--limit <n>', 'services per page (1-500)', parseLimit)
      .option('--cursor <cursor>', 'continue from a previous page'),
  ).action(async (options: ListOptions, command: Command) => {
    const page = await clientFor(command).get<Page<Service>>(apiPath('services'), { limit: options.limit, cursor: options.cursor });
    if (wantsJson(command)) return printJson(page);
    printTable(
      ['id', 'name', 'aliases', 'owner', 'tags'],
      page.items.map((s) => [s.id, s.name, truncate(s.aliases.join(', '), 40), truncate(s.owner, 30), truncate(s.tags.join(', '), 30)]),
      'No services yet.',
    );
    printNextCursor(page.nextCursor);
  });

  withJsonOption(services.command('show').description('show one service').argument('<idOrAlias>', 'service id, name or alias')).action(
    async (idOrAlias: string, _options: unknown, command: Command) => {
      const service = await clientFor(command).get<Service>(apiPath('services', idOrAlias));
      if (wantsJson(command)) return printJson(service);
      printService(service);
    },
  );

  withJsonOption(
    services
      .command('alias-add')
      .description('add an alias to a service; earlier deploys under it attach to the service')
      .argument('<idOrAlias>', 'service id, name or alias')
      .argument('<alias>', 'the new alias'),
  ).action(async (idOrAlias: string, alias: string, _options: unknown, command: Command) => {
    const service = await clientFor(command).post<Service>(apiPath('services', idOrAlias, 'aliases'), { alias });
    if (wantsJson(command)) return printJson(service);
    printService(service);
  });
}
