import { Option } from 'commander';
import type { Command } from 'commander';
import type { ApiToken, CreatedToken, List } from './api-types.js';
import { ROLES } from './api-types.js';
import { apiPath, clientFor } from './client.js';
import { cell, printDetails, printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

interface CreateOptions {
  role: string;
  name: string;
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens (needs an admin token)');

  withJsonOption(
    token
      .command('create')
      .description('create an API token; its secret is printed once')
      .addOption(new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory())
      .requiredOption('--name <name>', 'who or what uses the token'),
  ).action(async (options: CreateOptions, command: Command) => {
    const created = await clientFor(command).post<CreatedToken>(apiPath('tokens'), { name: options.name, role: options.role });
    if (wantsJson(command)) return printJson(created);
    printDetails([
      ['ID', created.id],
      ['Name', created.name],
      ['Role', created.role],
      ['Created', created.createdAt],
    ]);
    // The server keeps only a hash, so this is the one chance to copy the secret.
    printLine(`\nToken (shown once, store it now): ${created.token}`);
  });

  withJsonOption(token.command('list').description('list API tokens (never their secrets)')).action(
    async (_options: unknown, command: Command) => {
      const list = await clientFor(command).get<List<ApiToken>>(apiPath('tokens'));
      if (wantsJson(command)) return printJson(list);
      printTable(
        ['id', 'name', 'role', 'created', 'last used', 'revoked'],
        list.items.map((t) => [t.id, t.name, t.role, t.createdAt, cell(t.lastUsedAt), cell(t.revokedAt)]),
        'No API tokens.',
      );
    },
  );

  withJsonOption(token.command('revoke').description('revoke an API token; it stops working at once').argument('<id>', 'token id')).action(
    async (id: string, _options: unknown, command: Command) => {
      const revoked = await clientFor(command).delete<ApiToken>(apiPath('tokens', id));
      if (wantsJson(command)) return printJson(revoked);
      printLine(`Revoked token ${revoked.id} (${revoked.name}, ${revoked.role})`);
    },
  );
}
