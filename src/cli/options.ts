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
