import type { Static } from '@fastify/type-provider-typebox';
import type { Command } from 'commander';
import type * as ConnectionSchemas from '../server/connection-schemas.js';
import type { List } from './api-types.js';
import { apiPath, CliError, clientFor } from './client.js';
import { cell, printDetails, printJson, printLine, printTable, truncate, wantsJson, withJsonOption } from './output.js';

export type ConnectionView = Static<typeof ConnectionSchemas.ConnectionView>;

/**
 * The subscription Shipline keeps in the connected system, in a few words, or null for a type
 * that keeps none (the server sends null: Slack, PagerDuty, ...). `pending` means the reconciler
 * has not run for it yet; an id of `null` means nothing needs its events; no categories with an
 * id means every category.
 */
export function subscriptionSummary(connection: ConnectionView): string | null {
  const subscription = connection.subscription;
  if (!subscription) return null;
  if (subscription.state === 'pending') return 'pending (not set up yet)';
  if (subscription.error) return `error: ${subscription.error}`;
  if (!subscription.id) return 'none (nothing needs its events)';
  const count = subscription.categories.length;
  if (count === 0) return `${subscription.id}, every category`;
  return `${subscription.id}, ${count} ${count === 1 ? 'category' : 'categories'} (${subscription.categories.join(', ')})`;
}

/** The table cell: categories count or error, short enough for one row; a dash for a type that keeps none. */
function subscriptionCell(connection: ConnectionView): string {
  const subscription = connection.subscription;
  if (!subscription) return cell(null);
  if (subscription.state === 'pending') return 'pending';
  if (subscription.error) return `error: ${truncate(subscription.error, 40)}`;
  if (!subscription.id) return 'none';
  const count = subscription.categories.length;
  return count === 0 ? 'all' : `${count} ${count === 1 ? 'category' : 'categories'}`;
}

function spaceLabel(connection: ConnectionView): string | null {
  return connection.space ? `${connection.space.name} (${connection.space.id})` : null;
}

/** One connection as `label: value` lines; shared with `octopus connect`. */
export function printConnection(connection: ConnectionView): void {
  const serverUrl = (connection.config as { serverUrl?: unknown }).serverUrl;
  printDetails([
    ['Name', connection.name],
    ['Type', connection.type],
    ['Status', connection.status],
    ...(connection.error ? [['Error', connection.error] as [string, string]] : []),
    ['Server', typeof serverUrl === 'string' ? serverUrl : null],
    ['Space', spaceLabel(connection)],
    ['Version', connection.version],
    ['Checked', connection.checkedAt],
    ['Webhook URL', connection.webhookUrl],
    ...(connection.subscription ? [['Subscription', subscriptionSummary(connection)] as [string, string | null]] : []),
    ['Created', connection.createdAt],
  ]);
}

/**
 * A connection whose last test failed is still stored; scripts learn of it through the exit
 * code, after the details (Octopus's message included) have been printed.
 */
export function failIfError(connection: ConnectionView, message: string): void {
  if (connection.status === 'error') throw new CliError(`${message}: ${connection.error ?? 'no message'}`);
}

export function registerConnectionCommands(program: Command): void {
  const connections = program
    .command('connections')
    .description('inspect and remove connections to other systems (create one with `shipline octopus connect`)');

  withJsonOption(connections.command('list').description('list connections: status, space and subscription (never their keys)')).action(
    async (_options: unknown, command: Command) => {
      const list = await clientFor(command).get<List<ConnectionView>>(apiPath('connections'));
      if (wantsJson(command)) return printJson(list);
      printTable(
        ['name', 'type', 'status', 'space', 'subscription'],
        list.items.map((c) => [c.name, c.type, c.status, cell(c.space?.name), subscriptionCell(c)]),
        'No connections yet.',
      );
    },
  );

  withJsonOption(
    connections
      .command('show')
      .description('show a connection: status, error, space, version, webhook URL, subscription')
      .argument('<name>', 'connection name'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    const connection = await clientFor(command).get<ConnectionView>(apiPath('connections', name));
    if (wantsJson(command)) return printJson(connection);
    printConnection(connection);
  });

  withJsonOption(
    connections
      .command('test')
      .description('test a connection now and print its status; exits with code 1 when the status is error')
      .argument('<name>', 'connection name'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    const connection = await clientFor(command).post<ConnectionView>(apiPath('connections', name, 'test'));
    if (wantsJson(command)) printJson(connection);
    else printConnection(connection);
    failIfError(connection, `Testing connection ${connection.name} failed`);
  });

  withJsonOption(
    connections
      .command('delete')
      .description('delete a connection; Shipline deletes its subscription in the other system too')
      .argument('<name>', 'connection name'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    await clientFor(command).delete(apiPath('connections', name));
    if (!wantsJson(command)) printLine(`Deleted connection ${name}`);
  });
}
