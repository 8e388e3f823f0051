import { statSync } from 'node:fs';
import module from 'node:module';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import type { Config } from '../config.js';
import type * as MainModule from '../main.js';
import { CliError } from './client.js';
import { printJson, printLine } from './output.js';

/** A bad setting is the operator's to fix: say which, without a stack trace. */
export function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`Invalid configuration: ${err.message}`);
    throw err;
  }
}

// main.js is imported when these commands run, not at the top: it loads Fastify and the database
// drivers, which every API command (often a CI step) would otherwise pay for at start-up.
// `npm run build` also bundles it with the modules it imports into dist/bundle/main.js
// (scripts/bundle-server.ts), which loads in about half the CPU time. Run from source there is
// none, and a bundle older than main.js (tsc run alone since) is not used.
type Main = typeof MainModule;
async function loadMain(): Promise<Main> {
  const bundle = new URL('../bundle/main.js', import.meta.url);
  const mtime = (url: URL) => statSync(url, { throwIfNoEntry: false })?.mtimeMs;
  const bundled = mtime(bundle);
  const compiled = mtime(new URL('../main.js', import.meta.url));
  if (bundled !== undefined && compiled !== undefined && bundled >= compiled) return (await import(bundle.href)) as Main;
  return import('../main.js');
}

/**
 * Writes the compile cache bin/shipline enabled (Node 22.10+) now that the server is ready, with
 * the code of every function the start ran: a server runs until it is stopped, and Node would
 * otherwise write it only at exit, which a killed process never reaches. Synchronous, once per
 * start; a failed write is skipped by Node.
 */
function saveCompiledCode(): void {
  (module as { flushCompileCache?: () => void }).flushCompileCache?.();
}

export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description('start the Shipline server (configured by SHIPLINE_* environment variables); stops on SIGTERM or SIGINT')
    .action(async () => {
      const config = readConfig();
      const { runUntilSignalled } = await loadMain();
      try {
        await runUntilSignalled(config);
      } catch (err) {
        // The most common first-start failure gets the demo's plain answer, not the socket error.
        if ((err as { code?: unknown }).code === 'EADDRINUSE')
          throw new CliError(`Port ${config.port} is in use: pick another with SHIPLINE_PORT, or SHIPLINE_PORT=0 for a free one`);
        throw err;
      }
      saveCompiledCode();
    });

  program
    .command('migrate')
    .description('apply pending store migrations and exit (start also does this)')
    .option('--json', 'print the applied migration names as a JSON array')
    .action(async (options: { json?: boolean }) => {
      const config = readConfig();
      const { migrateStore } = await loadMain();
      const applied = await migrateStore(config);
      if (options.json) return printJson(applied);
      if (applied.length === 0) return printLine('Store is up to date');
      printLine(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:`);
      for (const name of applied) printLine(`  ${name}`);
    });
}
