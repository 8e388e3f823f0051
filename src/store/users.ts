import { createHash, randomBytes } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';
import { ShiplineError } from '../core/errors.js';
import { loadOnce } from '../core/load-once.js';
import type { Role } from '../core/vocabulary.js';
import type { Db } from './database.js';
import type { UsersTable } from './schema.js';

/** A user as everyone outside the store sees it: never the password hash. */
export interface User {
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Shorter passwords are refused (NIST SP 800-63B asks for at least 8; we ask 12). */
export const PASSWORD_MIN_CHARS = 12;
/** argon2 hashes any length, but a megabyte "password" would only be a way to burn CPU. */
export const PASSWORD_MAX_CHARS = 1024;

/** OWASP's argon2id parameters (m=19456 KiB, t=2, p=1), which are also the library's defaults. */
// 2 is Algorithm.Argon2id: an ambient const enum, which verbatimModuleSyntax cannot read.
const ARGON2 = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// Loaded when a password is first set or checked: most servers never do either (API tokens only).
const argon2 = loadOnce(() => import('@node-rs/argon2'));

/** Trimmed and lower case: the form emails are stored, looked up and compared in. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkEmail(email: string): void {
  // Deliberately loose: one @ with something either side; deliverability is not ours to judge.
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320)
    throw new ShiplineError('user.invalid', 'The email must look like name@example.com');
}

export function checkPassword(password: string): void {
  const chars = [...password].length;
  if (chars < PASSWORD_MIN_CHARS) throw new ShiplineError('user.invalid', `A password must be at least ${PASSWORD_MIN_CHARS} characters`);
  if (chars > PASSWORD_MAX_CHARS) throw new ShiplineError('user.invalid', `A password may be at most ${PASSWORD_MAX_CHARS} characters`);
}

export async function hashPassword(password: string): Promise<string> {
  const { hash } = await argon2();
  return hash(password, ARGON2);
}

// Verified against when the email is unknown, so that answer costs one argon2 run like any other.
let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummyHash;
}

const toUser = (r: Omit<UsersTable, 'password_hash'>): User => ({
  email: r.email,
  name: r.name,
  role: r.role as Role,
  disabled: r.disabled_at !== null,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const PUBLIC_COLUMNS = ['email', 'name', 'role', 'disabled_at', 'created_at', 'updated_at'] as const;

export interface UserCreate {
  email: string;
  name: string;
  role: Role;
  password: string;
}

export interface UserPatch {
  name?: string | undefined;
  role?: Role | undefined;
  disabled?: boolean | undefined;
}

/** Local accounts. Disabling a user or changing their password ends every session they have. */
export function usersRepo(db: Db) {
  const k = db.kysely;

  async function find(email: string): Promise<User | undefined> {
    const row = await k.selectFrom('users').select(PUBLIC_COLUMNS).where('email', '=', normaliseEmail(email)).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  /** Deletes the user's sessions (by the email index), but the one whose cookie id is `keep`. */
  async function endSessions(email: string, keep?: string): Promise<void> {
    let query = k.deleteFrom('user_sessions').where('email', '=', email);
    if (keep !== undefined) query = query.where('id_hash', '!=', hashSessionId(keep));
    await query.execute();
  }

  return {
    async create(input: UserCreate): Promise<User> {
      const email = normaliseEmail(input.email);
      checkEmail(email);
      checkPassword(input.password);
      const now = new Date().toISOString();
      const row = {
        email,
        name: input.name.trim(),
        role: input.role,
        password_hash: await hashPassword(input.password),
        disabled_at: null,
        created_at: now,
        updated_at: now,
      };
      const inserted = await k
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.column('email').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new ShiplineError('user.email_conflict');
      return toUser(row);
    },

    /**
     * The first account, an admin, created only while no user exists: the check and the insert
     * are one transaction that no other writer of `users` can interleave with, on either store,
     * so of two setups racing (two browsers, two instances) one creates the admin and the other
     * gets undefined. The password is hashed first, outside the transaction.
     */
    async createFirst(input: Omit<UserCreate, 'role'>): Promise<User | undefined> {
      const email = normaliseEmail(input.email);
      checkEmail(email);
      checkPassword(input.password);
      const passwordHash = await hashPassword(input.password);
      const now = new Date().toISOString();
      const user: User = {
        email,
        name: input.name.trim(),
        role: 'admin',
        disabled: false,
        disabledAt: null,
        createdAt: now,
        updatedAt: now,
      };
      return db.transaction(async (run) => {
        const lock = db.exclusiveWrites('users');
        if (lock) await run.query(lock);
        if ((await run.query('SELECT 1 AS one FROM users LIMIT 1')).length > 0) return undefined;
        await run.query(
          "INSERT INTO users (email, name, role, password_hash, disabled_at, created_at, updated_at) VALUES (?, ?, 'admin', ?, NULL, ?, ?)",
          [email, user.name, passwordHash, now, now],
        );
        return user;
      });
    },

    /** Whether any account exists, disabled or not: the first-run setup is open only while none does. */
    async any(): Promise<boolean> {
      return (await k.selectFrom('users').select('email').limit(1).executeTakeFirst()) !== undefined;
    },

    async list(): Promise<User[]> {
      const rows = await k.selectFrom('users').select(PUBLIC_COLUMNS).orderBy('email').execute();
      return rows.map(toUser);
    },

    async get(email: string): Promise<User> {
      const user = await find(email);
      if (!user) throw new ShiplineError('user.not_found');
      return user;
    },

    async update(emailIn: string, patch: UserPatch): Promise<User> {
      const email = normaliseEmail(emailIn);
      const current = await find(email);
      if (!current) throw new ShiplineError('user.not_found');
      const now = new Date().toISOString();
      const set: Partial<UsersTable> = { updated_at: now };
      if (patch.name !== undefined) set.name = patch.name.trim();
      if (patch.role !== undefined) set.role = patch.role;
      if (patch.disabled !== undefined && patch.disabled !== current.disabled) set.disabled_at = patch.disabled ? now : null;
      await k.updateTable('users').set(set).where('email', '=', email).execute();
      // Sessions read the user's row on every request, so a disabled user is already locked out;
      // deleting the rows as well keeps re-enabling from reviving old sessions.
      if (patch.disabled === true) await endSessions(email);
      return (await find(email))!;
    },

    /**
     * Replaces the password and signs the user out everywhere, but in the session whose cookie id
     * is `options.keepSession` (a user changing their own password stays signed in where they did it).
     */
    async setPassword(emailIn: string, password: string, options: { keepSession?: string } = {}): Promise<User> {
      const email = normaliseEmail(emailIn);
      checkPassword(password);
      const passwordHash = await hashPassword(password);
      const result = await k
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: new Date().toISOString() })
        .where('email', '=', email)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new ShiplineError('user.not_found');
      await endSessions(email, options.keepSession);
      return (await find(email))!;
    },

    /**
     * The active user with this email and password, or undefined. Always runs argon2 once, whether
     * the email exists or not, so the time taken does not tell which emails have accounts.
     */
    async verify(emailIn: string, password: string): Promise<User | undefined> {
      const email = normaliseEmail(emailIn);
      const row = await k
        .selectFrom('users')
        .select([...PUBLIC_COLUMNS, 'password_hash'])
        .where('email', '=', email)
        .executeTakeFirst();
      // argon2's verify compares the derived hash in constant time.
      const { verify } = await argon2();
      const ok = await verify(row?.password_hash ?? (await dummy()), password.length > PASSWORD_MAX_CHARS ? '' : password).catch(
        () => false,
      );
      if (!row || !ok || row.disabled_at !== null) return undefined;
      return toUser(row);
    },

    /** Users by normalised email, for linking deployers to accounts at read time. */
    async byEmails(emails: string[]): Promise<Map<string, { email: string; name: string }>> {
      const wanted = [...new Set(emails.map(normaliseEmail))].filter((e) => e !== '');
      if (wanted.length === 0) return new Map();
      const rows = await k.selectFrom('users').select(['email', 'name']).where('email', 'in', wanted).execute();
      return new Map(rows.map((r) => [r.email, r]));
    },
  };
}

export type UsersRepo = ReturnType<typeof usersRepo>;

/** Session ids are 256 random bits, so one SHA-256 is enough to store them safely (as for tokens). */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
