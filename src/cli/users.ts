import type { Static } from '@fastify/type-provider-typebox';
import { Option } from 'commander';
import type { Command } from 'commander';
import type * as UserSchemas from '../server/user-schemas.js';
import type { List } from './api-types.js';
import { ROLES } from './api-types.js';
import { ApiError, apiPath, CliError, clientFor, readJson, send, serverUrlFor } from './client.js';
import { cell, printDetails, printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';
import type { Stdin } from './prompt.js';
import { promptHidden } from './prompt.js';
import { readSecretValue } from './secrets.js';
import { trimTrailingSlashes } from '../core/urls.js';

type User = Static<typeof UserSchemas.User>;

// Kept equal to PASSWORD_MIN_CHARS in src/store/users.ts (the server checks it too); the CLI
// loads none of the server's code, so it says it again to fail before any request.
const PASSWORD_MIN_CHARS = 12;

/**
 * A password never comes from an argument (the process list and shell history would show it): on
 * a terminal it is prompted for twice without echo, as `octopus connect` prompts for its key;
 * otherwise it is read from stdin (a file or a pipe).
 */
async function readPassword(stdin: Stdin = process.stdin): Promise<string> {
  let password: string;
  if (stdin.isTTY) {
    password = await promptHidden(`Password (at least ${PASSWORD_MIN_CHARS} characters): `, stdin);
    checkLength(password);
    // Typed blind, so typed twice: a typo would otherwise lock the account's owner out.
    if ((await promptHidden('Repeat the password: ', stdin)) !== password)
      throw new CliError('The two passwords differ: nothing was changed');
    return password;
  }
  password = await readSecretValue(stdin);
  checkLength(password);
  return password;
}

function checkLength(password: string): void {
  if ([...password].length < PASSWORD_MIN_CHARS) throw new CliError(`The password must be at least ${PASSWORD_MIN_CHARS} characters`);
}

/**
 * PATCH, which the shared API client does not offer yet; same URL, token and error handling.
 * TODO: move into client.ts as `ApiClient.patch` (owned elsewhere at the time of writing).
 */
async function patch<T>(command: Command, path: string, body: unknown): Promise<T> {
  const globals = command.optsWithGlobals<{ url?: string; token?: string }>();
  const token = globals.token || process.env.SHIPLINE_TOKEN;
  if (!token) throw new CliError('No API token: set SHIPLINE_TOKEN or pass --token');
  const base = serverUrlFor(command);
  const target = new URL(base);
  target.pathname = trimTrailingSlashes(base.pathname) + path;
  const response = await send({ method: 'PATCH', url: target, headers: { authorization: `Bearer ${token}` }, body });
  const parsed = (await readJson(response)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (!response.ok) {
    const error = parsed?.error;
    if (typeof error?.code === 'string') throw new ApiError(error.code, String(error.message ?? response.statusText), response.status);
    throw new CliError(`Unexpected answer from the server: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  return parsed as T;
}

function printUser(user: User): void {
  printDetails([
    ['Email', user.email],
    ['Name', user.name],
    ['Role', user.role],
    ['Disabled', user.disabledAt ?? 'no'],
    ['Created', user.createdAt],
  ]);
}

interface CreateOptions {
  email: string;
  name: string;
  role: string;
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage user accounts that sign in to the web UI (needs an admin token)');

  withJsonOption(
    users
      .command('create')
      .description('create a user; the password (at least 12 characters) is prompted for on a terminal, else read from stdin')
      .requiredOption('--email <email>', 'sign-in email (stored lower case)')
      .requiredOption('--name <name>', 'display name')
      .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).makeOptionMandatory()),
  ).action(async (options: CreateOptions, command: Command) => {
    const client = clientFor(command);
    const password = await readPassword();
    const user = await client.post<User>(apiPath('users'), { email: options.email, name: options.name, role: options.role, password });
    if (wantsJson(command)) return printJson(user);
    printUser(user);
  });

  withJsonOption(users.command('list').description('list users (never their passwords)')).action(
    async (_options: unknown, command: Command) => {
      const list = await clientFor(command).get<List<User>>(apiPath('users'));
      if (wantsJson(command)) return printJson(list);
      printTable(
        ['email', 'name', 'role', 'disabled', 'created'],
        list.items.map((u) => [u.email, u.name, u.role, cell(u.disabledAt), u.createdAt]),
        'No users.',
      );
    },
  );

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withJsonOption(
      users
        .command(verb)
        .description(disabled ? 'disable a user: they cannot sign in and their sessions end at once' : 'let a disabled user sign in again')
        .argument('<email>', "the user's email"),
    ).action(async (email: string, _options: unknown, command: Command) => {
      const user = await patch<User>(command, apiPath('users', email), { disabled });
      if (wantsJson(command)) return printJson(user);
      printLine(`${disabled ? 'Disabled' : 'Enabled'} user ${user.email}`);
    });
  }

  withJsonOption(
    users
      .command('reset-password')
      .description("set a user's password (prompted for on a terminal, else read from stdin); their sessions end")
      .argument('<email>', "the user's email"),
  ).action(async (email: string, _options: unknown, command: Command) => {
    const client = clientFor(command);
    const password = await readPassword();
    const user = await client.post<User>(apiPath('users', email, 'password'), { password });
    if (wantsJson(command)) return printJson(user);
    printLine(`Set a new password for ${user.email}; their sessions have ended`);
  });
}
