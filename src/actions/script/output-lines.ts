import { StringDecoder } from 'node:string_decoder';

/** Turning a script's output streams into bounded lines and a bounded tail. */

/** Longest line passed on whole; longer ones are cut into pieces of this size. */
export const MAX_LINE_CHARS = 8 * 1024;

export interface LineSplitter {
  write(chunk: Buffer): void;
  /** Flushes a last line without a newline. */
  end(): void;
}

/**
 * Calls `onLine` per line (without `\n` or `\r\n`). A process that never writes a newline
 * cannot make us buffer without limit: pending text is cut at `maxLineChars`.
 */
export function createLineSplitter(onLine: (line: string) => void, maxLineChars = MAX_LINE_CHARS): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emit = (line: string) => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    write(chunk) {
      pending += decoder.write(chunk);
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        emit(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
      while (pending.length > maxLineChars) {
        emit(pending.slice(0, maxLineChars));
        pending = pending.slice(maxLineChars);
      }
    },
    end() {
      pending += decoder.end();
      if (pending.length > 0) emit(pending);
      pending = '';
    },
  };
}

/** Keeps the last `maxChars` of the lines added (whole lines where possible). */
export function createTail(maxChars: number): { add(line: string): void; text(): string } {
  const lines: string[] = [];
  let size = 0;
  return {
    add(line) {
      // `size` counts a newline after every line; the joined text has one fewer.
      lines.push(line);
      size += line.length + 1;
      while (size - 1 > maxChars && lines.length > 1) size -= lines.shift()!.length + 1;
    },
    text() {
      const joined = lines.join('\n');
      return joined.length > maxChars ? joined.slice(-maxChars) : joined;
    },
  };
}

const OUTPUT_LINE = /^::output ([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/;

/** `::output name=value` as `[name, value]`, else undefined. */
export function parseOutputLine(line: string): [string, string] | undefined {
  const match = OUTPUT_LINE.exec(line);
  return match ? [match[1]!, match[2]!] : undefined;
}
