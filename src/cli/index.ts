import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { CliError } from './client.js';
import { errorMessage } from '../core/error-message.js';
import { exitQuietlyWhenOutputCloses } from './output.js';
import { newProgram } from './program.js';

/**
 * The program for a command line. `shipline start` (the command a server runs under, where every
 * millisecond and MiB of a start counts) loads its own command's module only; any other command
 * line, help included, loads them all (decision 0062).
 */
async function programFor(argv: readonly string[]): Promise<Command> {
  if (argv[2] === 'start') {
    const { registerServerCommands } = await import('./server.js');
    const program = newProgram();
    registerServerCommands(program);
    return program;
  }
  const { buildProgram } = await import('./commands.js');
  return buildProgram();
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
    await (await programFor(argv)).parseAsync(argv);
  } catch (err) {
    process.exitCode = report(err);
  }
}
