import readline from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './client.js';

/** stdin as the prompts read it: a terminal tells itself apart by `isTTY`. */
export type Stdin = NodeJS.ReadableStream & { isTTY?: boolean };

/** Reads one line from a terminal without echoing it: readline writes what is typed to a sink that drops it. */
export async function promptHidden(prompt: string, stdin: Stdin = process.stdin): Promise<string> {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  // The terminal stops echoing when readline takes it over, so the prompt comes after: whatever
  // is typed as soon as the prompt shows is not echoed.
  const rl = readline.createInterface({ input: stdin, output: muted, terminal: true });
  process.stderr.write(prompt);
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('SIGINT', () => reject(new CliError('Cancelled', 130)));
      rl.once('close', () => resolve(''));
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
