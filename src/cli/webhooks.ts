import type { Static } from '@fastify/type-provider-typebox';
import { Option } from 'commander';
import type { Command } from 'commander';
import type * as Schemas from '../server/schemas.js';
import type { List } from './api-types.js';
import { apiPath, CliError, clientFor } from './client.js';
import { cell, printDetails, printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

type Webhook = Static<typeof Schemas.Webhook>;
type CreatedWebhook = Static<typeof Schemas.WebhookCreated>;

const AUTH_TYPES = ['api_key', 'hmac_sha256', 'standard_webhooks'];

interface CreateOptions {
  auth: string;
  header?: string;
}

export function registerWebhookCommands(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('manage external webhooks: URLs other systems POST events to (needs an admin token)');

  withJsonOption(
    webhooks
      .command('create')
      .description('create an external webhook; prints its URL and, once, its key or signing secret')
      .argument('<name>', 'a–z, 0–9, _ and -; events are typed webhook.<name>')
      .addOption(new Option('--auth <type>', 'how deliveries authenticate').choices(AUTH_TYPES).makeOptionMandatory())
      .option('--header <name>', 'hmac_sha256 only: the signature header (default X-Hub-Signature-256)'),
  ).action(async (name: string, options: CreateOptions, command: Command) => {
    if (options.header !== undefined && options.auth !== 'hmac_sha256') throw new CliError('--header applies to --auth hmac_sha256 only');
    const auth = options.header === undefined ? { type: options.auth } : { type: options.auth, header: options.header };
    const created = await clientFor(command).post<CreatedWebhook>(apiPath('webhooks'), { name, auth });
    if (wantsJson(command)) return printJson(created);
    printDetails([
      ['Name', created.name],
      ['URL', created.url],
      ['Auth', created.auth.type],
      ...(created.auth.header ? [['Header', created.auth.header] as [string, string]] : []),
      ['Created', created.createdAt],
    ]);
    // Stored encrypted and never shown again: this is the one chance to copy it.
    if (created.key) printLine(`\nKey (shown once, store it now): ${created.key}`);
    if (created.secret) printLine(`\nSigning secret (shown once, store it now): ${created.secret}`);
  });

  withJsonOption(webhooks.command('list').description('list external webhooks (never their keys or secrets)')).action(
    async (_options: unknown, command: Command) => {
      const list = await clientFor(command).get<List<Webhook>>(apiPath('webhooks'));
      if (wantsJson(command)) return printJson(list);
      printTable(
        ['name', 'auth', 'header', 'created', 'url'],
        list.items.map((w) => [w.name, w.auth.type, cell(w.auth.header), w.createdAt, w.url]),
        'No webhooks yet.',
      );
    },
  );

  withJsonOption(
    webhooks
      .command('delete')
      .description('delete an external webhook; its URL answers 404 afterwards, stored events stay')
      .argument('<name>', 'webhook name'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    await clientFor(command).delete(apiPath('webhooks', name));
    if (!wantsJson(command)) printLine(`Deleted webhook ${name}`);
  });
}
