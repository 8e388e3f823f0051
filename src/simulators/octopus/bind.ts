/**
 * Request bodies are read as Octopus's model binder reads them: keys match case-insensitively
 * (`releaseid` is `ReleaseId`; the official client even sends `spaceIdOrName` in camelCase) and
 * unknown keys are ignored. Values of the wrong type read as absent rather than failing.
 */
export class Bound {
  private readonly fields = new Map<string, unknown>();

  constructor(body: unknown) {
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      for (const [key, value] of Object.entries(body)) this.fields.set(key.toLowerCase(), value);
    }
  }

  has(name: string): boolean {
    return this.fields.has(name.toLowerCase());
  }

  raw(name: string): unknown {
    return this.fields.get(name.toLowerCase());
  }

  /** A non-empty string (numbers are accepted and stringified), else undefined. */
  string(name: string): string | undefined {
    const value = this.raw(name);
    if (typeof value === 'number') return String(value);
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return undefined;
  }

  number(name: string): number | undefined {
    const value = this.raw(name);
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    return undefined;
  }

  /** An array of strings; a single string counts as a list of one. */
  strings(name: string): string[] | undefined {
    const value = this.raw(name);
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value)) return undefined;
    return value.filter((v): v is string => typeof v === 'string');
  }

  /** A nested object, itself bound case-insensitively. */
  object(name: string): Bound | undefined {
    const value = this.raw(name);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? new Bound(value) : undefined;
  }

  objects(name: string): Bound[] {
    const value = this.raw(name);
    return Array.isArray(value) ? value.filter((v) => v !== null && typeof v === 'object').map((v) => new Bound(v)) : [];
  }

  /** A plain object as given (for free-form maps such as FormValues). */
  record(name: string): Record<string, unknown> | undefined {
    const value = this.raw(name);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  }
}

export function bind(body: unknown): Bound {
  return new Bound(body);
}
