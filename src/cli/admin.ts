import type { Command } from 'commander';
import { CliError } from './client.js';
import { printJson, printLine } from './output.js';
import { readConfig } from './server.js';
import { errorMessage } from '../core/error-message.js';

/**
 * Commands that work on the store directly, not through the API: for an operator on the
 * Shipline host (or with DATABASE_URL), when no working admin token is left to call the API with.
 */
export function registerAdminCommands(program: Command): void {
  const admin = program
    .command('admin')
    .description('recover admin access from the store itself (SHIPLINE_DATA_DIR or DATABASE_URL), without the API');

  admin
    .command('reset-token')
    .description(
      'print a new admin API token (once), revoking the ones Shipline printed before ("admin (first start)", earlier resets); works while the server runs',
    )
    .option('--json', 'print the new token and the revoked ones as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = readConfig();
      // Loaded here, not at the top: the database drivers are not for every API command to pay for.
      const { resetAdminToken } = await import('../admin-recovery.js');
      let result: Awaited<ReturnType<typeof resetAdminToken>>;
      try {
        result = await resetAdminToken(config);
      } catch (err) {
        throw new CliError(`Could not reset the admin token: ${errorMessage(err)}`);
      }
      const { created, revoked } = result;
      if (options.json) return printJson({ ...created, revoked });
      for (const t of revoked) printLine(`Revoked ${t.name} token ${t.id} (created ${t.createdAt})`);
      printLine('Other admin tokens and users are unchanged: review them with `shipline token list` and `shipline users list`.');
      printLine(`Admin API token (shown once, keep it safe): ${created.token}`);
    });
}
