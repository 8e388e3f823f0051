import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ShiplineError } from '../core/errors.js';
import type { Role } from '../core/vocabulary.js';
import type { Db } from './database.js';

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Tokens are long random strings, so one SHA-256 is enough to store them safely. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function generateToken(): string {
  return `shp_${randomBytes(32).toString('base64url')}`;
}

/** The admin token a first start makes and prints when no admin exists and none is configured. */
export const FIRST_START_TOKEN = 'admin (first start)';
/** The admin token `shipline admin reset-token` makes. */
export const RECOVERY_TOKEN = 'admin (recovery)';

// last_used_at is written at most this often per token, to keep reads from becoming writes.
const LAST_USED_RESOLUTION_MS = 60_000;

export function tokensRepo(db: Db) {
  const k = db.kysely;
  const toToken = (r: {
    id: string;
    name: string;
    role: string;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  }): ApiToken => ({
    id: r.id,
    name: r.name,
    role: r.role as Role,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  });

  async function insert(name: string, role: Role, token: string): Promise<ApiToken> {
    const row = {
      id: randomUUID(),
      name,
      role,
      token_hash: hashToken(token),
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
      expires_at: null,
      run_id: null,
    };
    await k.insertInto('api_tokens').values(row).execute();
    return toToken(row);
  }

  return {
    /** Creates a token; the secret is returned here once and never again. */
    async create(name: string, role: Role): Promise<ApiToken & { token: string }> {
      const token = generateToken();
      return { ...(await insert(name, role, token)), token };
    },

    /** Makes sure a token with this exact value exists with role admin (SHIPLINE_ADMIN_TOKEN). */
    async ensure(name: string, role: Role, token: string): Promise<void> {
      const hash = hashToken(token);
      const existing = await k.selectFrom('api_tokens').select(['id']).where('token_hash', '=', hash).executeTakeFirst();
      if (existing) {
        await k.updateTable('api_tokens').set({ role, revoked_at: null }).where('id', '=', existing.id).execute();
      } else {
        await insert(name, role, token);
      }
    },

    /**
     * A token with role write for one run (scripts call the API with it): it expires after
     * `ttlMs` at the latest and is revoked when the run ends.
     */
    async createForRun(runId: string, name: string, ttlMs = 60 * 60_000): Promise<string> {
      const token = generateToken();
      const now = Date.now();
      const row = {
        id: randomUUID(),
        name,
        role: 'write',
        token_hash: hashToken(token),
        created_at: new Date(now).toISOString(),
        last_used_at: null,
        revoked_at: null,
        expires_at: new Date(now + ttlMs).toISOString(),
        run_id: runId,
      };
      await k.insertInto('api_tokens').values(row).execute();
      return token;
    },

    /**
     * A new admin token for someone who lost theirs, made from the store alone (no API): revokes
     * the tokens Shipline printed before (the first start's, earlier recoveries'), since a lost
     * token may have been seen, and creates one more, in one transaction. Admin tokens people
     * named, and the SHIPLINE_ADMIN_TOKEN one (restored at each start), stay as they are.
     */
    async resetAdmin(): Promise<{ created: ApiToken & { token: string }; revoked: ApiToken[] }> {
      const token = generateToken();
      const now = new Date().toISOString();
      const created = {
        id: randomUUID(),
        name: RECOVERY_TOKEN,
        role: 'admin' as Role,
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
        token,
      };
      type Row = { id: string; name: string; role: string; created_at: string; last_used_at: string | null; revoked_at: string | null };
      const revoked = await db.transaction(async (run) => {
        const earlier = await run.query<Row>(
          "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_tokens WHERE name IN (?, ?) AND role = 'admin' AND revoked_at IS NULL ORDER BY created_at",
          [FIRST_START_TOKEN, RECOVERY_TOKEN],
        );
        for (const row of earlier) await run.query('UPDATE api_tokens SET revoked_at = ? WHERE id = ?', [now, row.id]);
        await run.query(
          "INSERT INTO api_tokens (id, name, role, token_hash, created_at, last_used_at, revoked_at, expires_at, run_id) VALUES (?, ?, 'admin', ?, ?, NULL, NULL, NULL, NULL)",
          [created.id, created.name, hashToken(token), now],
        );
        return earlier.map((row) => toToken({ ...row, revoked_at: now }));
      });
      return { created, revoked };
    },

    async hasActiveAdmin(): Promise<boolean> {
      const row = await k
        .selectFrom('api_tokens')
        .select('id')
        .where('role', '=', 'admin')
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** The active token with this secret, or undefined. */
    async authenticate(token: string): Promise<ApiToken | undefined> {
      const row = await k
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (!row) return undefined;
      const now = Date.now();
      if (row.expires_at && Date.parse(row.expires_at) <= now) return undefined;
      if (!row.last_used_at || now - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
        row.last_used_at = new Date(now).toISOString();
        await k.updateTable('api_tokens').set({ last_used_at: row.last_used_at }).where('id', '=', row.id).execute();
      }
      return toToken(row);
    },

    async list(): Promise<ApiToken[]> {
      // Run tokens come and go with runs; they are not the tokens people manage.
      const rows = await k.selectFrom('api_tokens').selectAll().where('run_id', 'is', null).orderBy('created_at').orderBy('id').execute();
      return rows.map(toToken);
    },

    async revoke(id: string): Promise<ApiToken> {
      const row = await k.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new ShiplineError('token.not_found');
      if (!row.revoked_at) {
        row.revoked_at = new Date().toISOString();
        await k.updateTable('api_tokens').set({ revoked_at: row.revoked_at }).where('id', '=', id).execute();
      }
      return toToken(row);
    },
  };
}

export type TokensRepo = ReturnType<typeof tokensRepo>;
