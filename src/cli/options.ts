import { InvalidArgumentError } from 'commander';

/** For repeatable options (`--alias a --alias b`): commander calls this once per occurrence. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--limit`: the API takes 1–500; checked here so a typo fails before any request. */
export function parseLimit(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 500) {
    throw new InvalidArgumentError('must be a whole number from 1 to 500');
  }
  return value;
}

/** `--port`: 0 picks a free one. */
export function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return port;
}

/** Resolves with the signal's name at the first SIGINT or SIGTERM (foreground commands stop cleanly on it). */
export function untilSignalled(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
