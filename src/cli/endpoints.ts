import type { Command } from 'commander';
import type { DeployEndpoint, List } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { printDetails, printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

export function registerEndpointCommands(program: Command): void {
  const endpoints = program
    .command('endpoints')
    .description('manage deploy endpoints: the URLs CI pipelines send deploys to (needs a write token)');

  withJsonOption(
    endpoints
      .command('create')
      .description('create a deploy endpoint and print its URL')
      .argument('<name>', 'a name saying who uses it, e.g. the CI system'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    const endpoint = await clientFor(command).post<DeployEndpoint>(apiPath('deploy-endpoints'), { name });
    if (wantsJson(command)) return printJson(endpoint);
    printDetails([
      ['ID', endpoint.id],
      ['Name', endpoint.name],
      ['URL', endpoint.url],
      ['Created', endpoint.createdAt],
    ]);
    printLine('\nCI jobs POST deploys to this URL without a token: keep it secret, like a password.');
  });

  withJsonOption(endpoints.command('list').description('list deploy endpoints with their URLs')).action(
    async (_options: unknown, command: Command) => {
      const list = await clientFor(command).get<List<DeployEndpoint>>(apiPath('deploy-endpoints'));
      if (wantsJson(command)) return printJson(list);
      printTable(
        ['id', 'name', 'created', 'url'],
        list.items.map((e) => [e.id, e.name, e.createdAt, e.url]),
        'No deploy endpoints yet.',
      );
    },
  );

  withJsonOption(
    endpoints
      .command('delete')
      .description('delete a deploy endpoint; its URL stops accepting deploys, recorded deploys stay')
      .argument('<id>', 'endpoint id'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    await clientFor(command).delete(apiPath('deploy-endpoints', id));
    // The server answers 204 with no body, so in JSON mode there is nothing to print.
    if (!wantsJson(command)) printLine(`Deleted deploy endpoint ${id}`);
  });
}
