import type { Command } from 'commander';
import type { List, Service, Suggestion } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

export function registerSuggestionCommands(program: Command): void {
  const suggestions = program.command('suggestions').description('aliases that received deploys but match no service');

  withJsonOption(suggestions.command('list').description('list open suggestions')).action(async (_options: unknown, command: Command) => {
    const list = await clientFor(command).get<List<Suggestion>>(apiPath('suggestions'));
    if (wantsJson(command)) return printJson(list);
    printTable(
      ['alias', 'deploys', 'first seen', 'last seen'],
      list.items.map((s) => [s.alias, String(s.deployCount), s.firstSeenAt, s.lastSeenAt]),
      'No suggestions: every deploy matches a service.',
    );
  });

  withJsonOption(
    suggestions
      .command('accept')
      .description('create a service for the alias, or attach the alias to an existing service; its deploys follow')
      .argument('<alias>', 'the suggested alias')
      .option('--service <idOrAlias>', 'attach to this existing service instead of creating one'),
  ).action(async (alias: string, options: { service?: string }, command: Command) => {
    const body = options.service === undefined ? {} : { serviceId: options.service };
    const service = await clientFor(command).post<Service>(apiPath('suggestions', alias, 'accept'), body);
    if (wantsJson(command)) return printJson(service);
    printLine(`Alias '${alias}' now belongs to service ${service.name} (${service.id})`);
  });

  withJsonOption(
    suggestions.command('dismiss').description('hide a suggestion; its deploys stay recorded').argument('<alias>', 'the suggested alias'),
  ).action(async (alias: string, _options: unknown, command: Command) => {
    await clientFor(command).post(apiPath('suggestions', alias, 'dismiss'));
    // The server answers 204 with no body, so in JSON mode there is nothing to print.
    if (!wantsJson(command)) printLine(`Dismissed suggestion '${alias}'`);
  });
}
