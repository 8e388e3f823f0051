import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './admin.js';
import { CliError, DEFAULT_URL } from './client.js';
import { registerConnectionCommands } from './connections.js';
import { registerDemoCommand } from './demo.js';
import { registerDeployCommands } from './deploys.js';
import { registerEventCommands } from './events.js';
import { registerInsightCommands } from './insights.js';
import { registerReactionCommands } from './reactions.js';
import { registerRunCommands } from './runs.js';
import { registerEndpointCommands } from './endpoints.js';
import { registerOctopusCommands } from './octopus.js';
import { registerOctopusSimCommand } from './octopus-sim.js';
import { registerSecretCommands } from './secrets.js';
import { registerServerCommands } from './server.js';
import { registerServiceCommands } from './services.js';
import { registerSuggestionCommands } from './suggestions.js';
import { registerTokenCommands } from './tokens.js';
import { registerUserCommands } from './users.js';
import { registerWebhookCommands } from './webhooks.js';
import { errorMessage } from '../core/error-message.js';
import { exitQuietlyWhenOutputCloses } from './output.js';

/** The package version, read at run time: package.json sits outside the compiled tree. */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('shipline')
    .description('Shipline: a self-hosted deployment event hub')
    .version(packageVersion())
    // Parse errors and --help throw instead of calling process.exit, so run() decides the exit code.
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .option('--url <url>', `Shipline server URL (default: $SHIPLINE_URL or ${DEFAULT_URL})`)
    // Prefer the variable: a command-line argument is visible to other users in the process list.
    .option('--token <token>', 'API token (default: $SHIPLINE_TOKEN)');

  registerServerCommands(program);
  registerAdminCommands(program);
  registerTokenCommands(program);
  registerUserCommands(program);
  registerServiceCommands(program);
  registerEndpointCommands(program);
  registerDeployCommands(program);
  registerSuggestionCommands(program);
  registerInsightCommands(program);
  registerReactionCommands(program);
  registerRunCommands(program);
  registerEventCommands(program);
  registerSecretCommands(program);
  registerWebhookCommands(program);
  registerConnectionCommands(program);
  registerOctopusCommands(program);
  registerOctopusSimCommand(program);
  registerDemoCommand(program);
  return program;
}

/** One message per failure on stderr; the exit code says whether it failed. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return err.exitCode;
  }
  if (err instanceof CliError) {
    process.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
  const message = errorMessage(err);
  process.stderr.write(`Error: ${message}\n`);
  return 1;
}

/** The entry bin/shipline calls with process.argv: the process-wide output handling, then the command. */
export async function main(argv: string[]): Promise<void> {
  exitQuietlyWhenOutputCloses();
  await run(argv);
}

/** Runs one command line. Never rejects: failures set process.exitCode. */
export async function run(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = report(err);
  }
}
