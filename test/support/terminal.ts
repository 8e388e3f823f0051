import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shiplineEnv } from './server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'shipline');

export interface TerminalResult {
  code: number;
  /** Everything the terminal showed: stdout, stderr and any echo of what was typed. */
  screen: string;
}

/** One exchange: when the screen shows `prompt` (after the previous answer), type `answer` and Enter. */
export interface Exchange {
  prompt: string;
  answer: string;
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Runs the compiled CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal
 * would: each answer is typed only once its prompt is on the screen. Fails after `timeoutMs`.
 */
export function runCliInTerminal(
  args: string[],
  env: Record<string, string | undefined>,
  exchanges: Exchange[],
  timeoutMs = 30_000,
): Promise<TerminalResult> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  // -q: no banner; -e: exit with the command's code; /dev/null: no typescript file.
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: shiplineEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let shown = 0;
  const pending = [...exchanges];
  const onOutput = (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    for (let next = pending[0]; next && screen.indexOf(next.prompt, shown) >= 0; next = pending[0]) {
      shown = screen.indexOf(next.prompt, shown) + next.prompt.length;
      pending.shift();
      child.stdin.write(`${next.answer}\r`);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the terminal session did not end in ${timeoutMs} ms; the screen:\n${screen}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code: code ?? 1, screen });
    });
  });
}
