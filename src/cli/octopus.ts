import { text } from 'node:stream/consumers';
import { Argument } from 'commander';
import type { Command } from 'commander';
import type { ResourceKind } from '../integrations/octopus/resources.js';
import { RESOURCE_KINDS } from '../integrations/octopus/resources.js';
import type { List } from './api-types.js';
import { apiPath, CliError, clientFor, parseHttpUrl } from './client.js';
import type { ConnectionView } from './connections.js';
import { failIfError, printConnection } from './connections.js';
import { printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';
import type { Stdin } from './prompt.js';
import { promptHidden } from './prompt.js';

// Kept here rather than imported: the CLI loads none of the server's code (the type keeps them in step).

interface Resource {
  id: string;
  name: string;
}

interface ConnectOptions {
  name: string;
  octopusUrl?: string;
  space?: string;
  trackDeploys: boolean;
  apiKeyEnv?: string;
}

interface ResourcesOptions {
  project?: string;
  search?: string;
}

/**
 * The API key never comes from an argument (the process list and shell history would show
 * it): from the variable `--api-key-env` names, else from stdin, prompted for on a terminal.
 * Surrounding whitespace is dropped: `echo` adds a newline and an Octopus key holds none.
 */
export async function readApiKey(
  envVar: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  stdin: Stdin = process.stdin,
): Promise<string> {
  if (envVar !== undefined) {
    const value = env[envVar]?.trim();
    if (!value) throw new CliError(`No Octopus API key: the environment variable ${envVar} is not set or is empty`);
    return value;
  }
  const value = (stdin.isTTY ? await promptHidden('Octopus API key: ', stdin) : await text(stdin)).trim();
  if (!value) throw new CliError('No Octopus API key: give it on stdin, or name an environment variable holding it with --api-key-env');
  return value;
}

const CONNECT_HELP = `
The API key is never a command-line argument (the process list would show it): it is read from
the environment variable --api-key-env names, or else from stdin (prompted for, without echo,
when stdin is a terminal).

Exit code: 0 when the connection is ready; 1 when the server refuses it, and 1 too when it is
created but its test fails (status error), after its details and Octopus's message are printed.
Fix the cause, then \`shipline connections test <name>\`, or delete it and connect again.

Examples:
  shipline octopus connect --name prod --octopus-url https://my-company.octopus.app --api-key-env OCTOPUS_API_KEY
  printenv OCTOPUS_API_KEY | shipline octopus connect --name staging --octopus-url https://octopus.internal --space Staging`;

export function registerOctopusCommands(program: Command): void {
  const octopus = program.command('octopus').description('connect Octopus Deploy servers and browse what they hold');

  withJsonOption(
    octopus
      .command('connect')
      .description(
        'connect an Octopus Deploy server (needs an admin token): Shipline tests it, then keeps a subscription there; exits 1 if the test fails',
      )
      .requiredOption('--name <name>', 'connection name: a–z, 0–9, _ and -; reactions refer to it')
      // Not --url: commander gives that to the global option (the Shipline server) wherever it appears.
      .option('--octopus-url <url>', 'the Octopus server, e.g. https://my-company.octopus.app (required)')
      .option('--space <space>', "space name or id (default: the server's default space)")
      .option('--no-track-deploys', 'do not record every Octopus deployment in the deploy catalog')
      .option('--api-key-env <var>', 'read the API key from this environment variable (default: read it from stdin)')
      .addHelpText('after', CONNECT_HELP),
  ).action(async (options: ConnectOptions, command: Command) => {
    if (options.octopusUrl === undefined) {
      const hint = command.optsWithGlobals<{ url?: string }>().url ? " (--url is the Shipline server's URL)" : '';
      throw new CliError(`--octopus-url is required${hint}`);
    }
    parseHttpUrl(options.octopusUrl, '--octopus-url');
    // The token is checked before the key is asked for, and the key before any request.
    const client = clientFor(command);
    const apiKey = await readApiKey(options.apiKeyEnv);
    const config = {
      serverUrl: options.octopusUrl,
      trackDeploys: options.trackDeploys,
      ...(options.space === undefined ? {} : { space: options.space }),
    };
    const connection = await client.post<ConnectionView>(apiPath('connections'), {
      type: 'octopus',
      name: options.name,
      config,
      secrets: { apiKey },
    });
    if (wantsJson(command)) {
      printJson(connection);
    } else {
      printConnection(connection);
      if (connection.status === 'ready' && (!connection.subscription || connection.subscription.state === 'pending')) {
        printLine(`\nShipline sets up the subscription in the background: see it with \`shipline connections show ${connection.name}\``);
      }
    }
    failIfError(connection, `Connection ${connection.name} was created, but testing it failed`);
  });

  withJsonOption(
    octopus
      .command('resources')
      .description(
        'list what a connection can pick from: projects, environments, releases (newest first), channels or machines (deployment targets)',
      )
      .argument('<connection>', 'connection name')
      .addArgument(new Argument('<kind>', 'what to list').choices(RESOURCE_KINDS))
      .option('--project <project>', 'releases and channels (required for them): the project, by name or id')
      .option('--search <text>', 'only names containing this text, case-insensitive'),
  ).action(async (connection: string, kind: ResourceKind, options: ResourcesOptions, command: Command) => {
    if ((kind === 'releases' || kind === 'channels') && !options.project) throw new CliError(`Listing ${kind} needs --project <project>`);
    const list = await clientFor(command).get<List<Resource>>(apiPath('connections', connection, 'resources', kind), {
      project: options.project,
      search: options.search,
    });
    if (wantsJson(command)) return printJson(list);
    printTable(
      ['id', 'name'],
      list.items.map((r) => [r.id, r.name]),
      `No ${kind} found.`,
    );
  });
}
