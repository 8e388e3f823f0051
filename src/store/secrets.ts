import { ShiplineError } from '../core/errors.js';
import { open, seal } from '../core/secret-box.js';
import { MAX_SECRET_HOSTS, normalizeHostPattern } from '../core/secret-hosts.js';
import type { Db } from './database.js';

/** A secret as anyone but the engine sees it: never its value. */
export interface SecretInfo {
  name: string;
  /** The hosts the secret may be sent to; empty: any host outgoing requests may reach. */
  hosts: string[];
  createdAt: string;
  updatedAt: string;
}

export const SECRET_NAME = /^[A-Z_][A-Z0-9_]{0,99}$/;
/** Shorter values would be unsafe to redact: masking `ab` in a log would mangle ordinary text and still hint at the value. */
export const SECRET_MIN_CHARS = 4;
export const SECRET_MAX_BYTES = 64 * 1024;

/**
 * How long values decrypted here are trusted without asking the database again, in ms (default
 * 5 s). Changes made through this process drop the cache at once; the TTL only bounds how long
 * another instance sharing the database may use a value changed or deleted elsewhere.
 */
export const SECRETS_CACHE_TTL_MS = 5_000;

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new ShiplineError(
      'secret.invalid',
      'A secret name is 1–100 characters of A–Z, 0–9 and _, not starting with a digit (e.g. SLACK_TOKEN)',
    );
  }
}

function checkValue(value: string): void {
  if ([...value].length < SECRET_MIN_CHARS) {
    throw new ShiplineError(
      'secret.invalid',
      `A secret value must be at least ${SECRET_MIN_CHARS} characters: shorter values cannot be reliably redacted from logs and run records`,
    );
  }
  if (Buffer.byteLength(value, 'utf8') > SECRET_MAX_BYTES) {
    throw new ShiplineError('secret.invalid', `A secret value may be at most ${SECRET_MAX_BYTES / 1024} KiB`);
  }
}

function checkHosts(hosts: readonly string[]): string[] {
  if (hosts.length > MAX_SECRET_HOSTS)
    throw new ShiplineError('secret.invalid', `A secret may be bound to at most ${MAX_SECRET_HOSTS} hosts`);
  const patterns = new Set<string>();
  for (const raw of hosts) {
    const checked = normalizeHostPattern(raw);
    if (!checked.ok) throw new ShiplineError('secret.invalid', `hosts: ${checked.reason}`);
    patterns.add(checked.pattern);
  }
  return [...patterns];
}

function hostsOf(column: string | null): string[] {
  if (column === null) return [];
  try {
    const parsed = JSON.parse(column) as unknown;
    return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string') : [];
  } catch {
    return [];
  }
}

/** Named secrets, AES-256-GCM encrypted under the master key; only `values()` ever decrypts. */
export function secretsRepo(db: Db, key: Buffer, options: { cacheTtlMs?: number } = {}) {
  const k = db.kysely;
  const ttl = options.cacheTtlMs ?? SECRETS_CACHE_TTL_MS;

  // Every value decrypted at once: secrets are few and small, and the engine asks per step.
  let cache: { values: Map<string, string>; hosts: Map<string, string[]>; loadedAt: number } | undefined;
  let loading: Promise<Loaded> | undefined;
  // Bumped on every change, so a load that started before it cannot refill the cache with old values.
  let generation = 0;

  const invalidate = () => {
    generation++;
    cache = undefined;
    loading = undefined;
  };

  type Loaded = { values: Map<string, string>; hosts: Map<string, string[]> };

  async function load(): Promise<Loaded> {
    const started = generation;
    const rows = await k.selectFrom('secrets').select(['name', 'value', 'hosts']).execute();
    const values = new Map(rows.map((r) => [r.name, open(key, r.value)]));
    const hosts = new Map(rows.filter((r) => r.hosts !== null).map((r) => [r.name, hostsOf(r.hosts)]));
    if (started === generation) cache = { values, hosts, loadedAt: Date.now() };
    return { values, hosts };
  }

  async function all(): Promise<Loaded> {
    if (cache && Date.now() - cache.loadedAt < ttl) return cache;
    // Concurrent steps share one query rather than each decrypting the table.
    if (!loading) {
      const pending: Promise<Loaded> = load().finally(() => {
        if (loading === pending) loading = undefined;
      });
      loading = pending;
    }
    return loading;
  }

  return {
    /**
     * Creates or replaces a secret. `hosts` binds it to the hosts it may be sent to (an empty
     * list unbinds it); omitted, a replaced secret keeps its binding, so rotating a value never
     * silently widens where it may go.
     */
    async set(name: string, value: string, hosts?: readonly string[]): Promise<SecretInfo> {
      checkName(name);
      checkValue(value);
      const patterns = hosts === undefined ? undefined : checkHosts(hosts);
      const column = patterns === undefined || patterns.length === 0 ? null : JSON.stringify(patterns);
      const now = new Date().toISOString();
      const row = await k
        .insertInto('secrets')
        .values({ name, value: seal(key, value), hosts: column, created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            updated_at: eb.ref('excluded.updated_at'),
            ...(patterns === undefined ? {} : { hosts: eb.ref('excluded.hosts') }),
          })),
        )
        .returning(['name', 'hosts', 'created_at', 'updated_at'])
        .executeTakeFirstOrThrow();
      invalidate();
      return { name: row.name, hosts: hostsOf(row.hosts), createdAt: row.created_at, updatedAt: row.updated_at };
    },

    /** Names, bindings and dates, by name; never values. */
    async list(): Promise<SecretInfo[]> {
      const rows = await k.selectFrom('secrets').select(['name', 'hosts', 'created_at', 'updated_at']).orderBy('name').execute();
      return rows.map((r) => ({ name: r.name, hosts: hostsOf(r.hosts), createdAt: r.created_at, updatedAt: r.updated_at }));
    },

    async remove(name: string): Promise<void> {
      const result = await k.deleteFrom('secrets').where('name', '=', name).executeTakeFirst();
      invalidate();
      if (Number(result.numDeletedRows) === 0) throw new ShiplineError('secret.not_found');
    },

    /** The names of all stored secrets, e.g. to check a reaction's references; decrypts nothing. */
    async names(): Promise<Set<string>> {
      const rows = await k.selectFrom('secrets').select('name').execute();
      return new Set(rows.map((r) => r.name));
    },

    /** The host patterns of those of `names` that are bound to hosts (unbound ones are absent). */
    async bindings(names: readonly string[]): Promise<Map<string, string[]>> {
      const { hosts } = await all();
      const picked = new Map<string, string[]>();
      for (const name of names) {
        const bound = hosts.get(name);
        if (bound && bound.length > 0) picked.set(name, bound);
      }
      return picked;
    },

    /**
     * Decrypted values, for the engine only: of `names` (those that exist), or of every secret.
     * Served from an in-process cache; see SECRETS_CACHE_TTL_MS.
     */
    async values(names?: string[]): Promise<Map<string, string>> {
      const { values } = await all();
      if (!names) return new Map(values);
      const picked = new Map<string, string>();
      for (const name of names) {
        const value = values.get(name);
        if (value !== undefined) picked.set(name, value);
      }
      return picked;
    },
  };
}

export type SecretsRepo = ReturnType<typeof secretsRepo>;
