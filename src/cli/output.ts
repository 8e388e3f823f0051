import type { Command } from 'commander';

/** Every API command has `--json`: scripts get the server's body unchanged, people get tables. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print the raw JSON response');
}

export function wantsJson(command: Command): boolean {
  return command.opts<{ json?: boolean }>().json === true;
}

/**
 * A reader that stops early (`shipline deploys list | head -1`) closes the pipe; the output was
 * wanted only that far, so the CLI exits 0 without a word, as Unix tools do. Node ignores SIGPIPE,
 * so without this the next write's EPIPE would end the process with a stack trace.
 */
export function exitQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** How a missing value looks in a table: a visible dash rather than an empty, shifted-looking cell. */
export function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value);
}

/** Shortens one-line text for a table cell; newlines would break the row layout. */
export function truncate(text: string | null | undefined, max = 50): string {
  if (!text) return '-';
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Prints rows under upper-case headers, columns padded to their widest cell. */
export function printTable(headers: string[], rows: string[][], emptyMessage: string): void {
  if (rows.length === 0) {
    printLine(emptyMessage);
    return;
  }
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (row: string[]) =>
    row
      .map((value, i) => (i === row.length - 1 ? value : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  printLine(format(headers.map((h) => h.toUpperCase())));
  for (const row of rows) printLine(format(row));
}

/** Prints `label: value` lines with the labels aligned, for one record. */
export function printDetails(pairs: Array<[string, string | number | null | undefined]>): void {
  const width = Math.max(...pairs.map(([label]) => label.length));
  for (const [label, value] of pairs) printLine(`${`${label}:`.padEnd(width + 1)} ${cell(value)}`);
}

/** Tells people how to get the next page; only in table mode, JSON users read `nextCursor`. */
export function printNextCursor(nextCursor: string | null | undefined): void {
  if (nextCursor) printLine(`\nMore results: repeat with --cursor ${nextCursor}`);
}
