import type { Static } from '@fastify/type-provider-typebox';
import type { Command } from 'commander';
import type * as Schemas from '../server/schemas.js';
import type { List } from './api-types.js';
import { apiPath, CliError, clientFor } from './client.js';
import { collect } from './options.js';
import { printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

type Secret = Static<typeof Schemas.Secret>;

/**
 * The value comes from stdin, never from an argument (the process list and shell history would
 * show it). A terminal is refused rather than read: typing would echo the value on screen.
 */
export async function readSecretValue(stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<string> {
  if (stdin.isTTY) {
    throw new CliError(
      'Pass the value on stdin, e.g. `shipline secrets set NAME < value.txt` or `printenv VALUE | shipline secrets set NAME`',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  // One trailing newline is what `echo` and editors add; the value itself may still end in one.
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (value === '') throw new CliError('The value read from stdin is empty');
  return value;
}

export function registerSecretCommands(program: Command): void {
  const secrets = program.command('secrets').description('manage secrets that reactions use, encrypted at rest (needs an admin token)');

  withJsonOption(
    secrets
      .command('set')
      .description('create or replace a secret; the value is read from stdin (one trailing newline is dropped)')
      .argument('<name>', 'A–Z, 0–9 and _, e.g. SLACK_TOKEN')
      .option('--host <host>', 'bind the secret to a host it may be sent to (repeatable; e.g. api.example.com or *.datadoghq.com)', collect)
      .option(
        '--any-host',
        'remove the binding: any host outgoing requests may reach (without --host or this, a replaced secret keeps its hosts)',
      ),
  ).action(async (name: string, options: { host?: string[]; anyHost?: boolean }, command: Command) => {
    if (options.host && options.anyHost) throw new CliError('Give --host or --any-host, not both');
    const value = await readSecretValue();
    const hosts = options.anyHost ? [] : options.host;
    const secret = await clientFor(command).put<Secret>(apiPath('secrets', name), hosts === undefined ? { value } : { value, hosts });
    if (wantsJson(command)) return printJson(secret);
    const bound = secret.hosts.length > 0 ? `, bound to ${secret.hosts.join(', ')}` : ', sendable to any host';
    printLine(`${secret.createdAt === secret.updatedAt ? 'Created' : 'Updated'} secret ${secret.name}${bound}`);
  });

  withJsonOption(secrets.command('list').description('list secrets: names, bound hosts and dates, never values')).action(
    async (_options: unknown, command: Command) => {
      const list = await clientFor(command).get<List<Secret>>(apiPath('secrets'));
      if (wantsJson(command)) return printJson(list);
      printTable(
        ['name', 'hosts', 'created', 'updated'],
        list.items.map((s) => [s.name, s.hosts.length > 0 ? s.hosts.join(', ') : 'any', s.createdAt, s.updatedAt]),
        'No secrets.',
      );
    },
  );

  withJsonOption(secrets.command('delete').description('delete a secret').argument('<name>', 'secret name')).action(
    async (name: string, _options: unknown, command: Command) => {
      await clientFor(command).delete(apiPath('secrets', name));
      if (!wantsJson(command)) printLine(`Deleted secret ${name}`);
    },
  );
}
