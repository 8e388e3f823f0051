import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { DEFAULT_URL } from './client.js';

/** The package version, read at run time: package.json sits outside the compiled tree. */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The program with its name, version and global options, and no commands: `commands.ts` adds them
 * all, and `shipline start` adds its own only.
 */
export function newProgram(): Command {
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
  return program;
}
