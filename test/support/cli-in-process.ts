import { run } from '../../src/cli/index.js';

/**
 * Runs a CLI command in this process (against a server the test started), capturing what it
 * writes to stdout and its exit code; faster than spawning `bin/shipline` for each command.
 */
export async function runCliInProcess(args: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const previous = process.exitCode;
  process.exitCode = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    await run(['node', 'shipline', ...args]);
  } finally {
    process.stdout.write = write;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = previous;
  return { code, stdout: out.join('') };
}
