import { ShiplineError } from '../../core/errors.js';
import type { ReactionSpec } from '../../core/reactions/document.js';
import { validateReaction } from '../../core/reactions/document.js';
import type { Db, SqlRunner } from '../database.js';
import type { Page, PageRequest } from '../pagination.js';
import { decodeCursor, DEFAULT_LIMIT, toPage } from '../pagination.js';

/** The newest run of a reaction, in brief. */
export interface LastRun {
  id: string;
  status: string;
  createdAt: string;
}

/** A reaction as the API shows it: the document as applied, plus its bookkeeping. */
export interface StoredReaction {
  name: string;
  version: number;
  enabled: boolean;
  description: string | null;
  trigger: string;
  document: unknown;
  createdAt: string;
  updatedAt: string;
  /** Its newest run (of any version), or null. */
  lastRun: LastRun | null;
}

/** One applied version of a reaction, as the API shows it. */
export interface VersionView {
  version: number;
  enabled: boolean;
  createdAt: string;
  document: unknown;
}

export interface ReactionVersion {
  name: string;
  version: number;
  spec: ReactionSpec;
}

// Bumped in the transaction of every reaction change: a process whose matcher was built at an
// older generation rebuilds it before dispatching the next events.
const BUMP_GENERATION = `INSERT INTO engine_state (name, value) VALUES ('reactions', 1)
  ON CONFLICT (name) DO UPDATE SET value = engine_state.value + 1`;

/** Stored documents were validated when applied; loading re-derives the spec without context checks. */
export function specOf(document: unknown): ReactionSpec {
  const result = validateReaction(document, {});
  if (!result.ok) throw new Error(`stored reaction document no longer validates: ${result.problems.join('; ')}`);
  return result.reaction;
}

type Row = {
  name: string;
  version: number | string;
  enabled: number | string;
  trigger: string;
  document: string;
  created_at: string;
  updated_at: string;
};
type ViewRow = Row & { last_run_id: string | null; last_run_status: string | null; last_run_created_at: string | null };

// A reaction with its newest run: run ids are time-ordered, so MAX(id) per reaction is one seek
// into runs_by_reaction (reaction, id) on both dialects.
const VIEW = `SELECT r.*, l.id AS last_run_id, l.status AS last_run_status, l.created_at AS last_run_created_at
  FROM reactions r LEFT JOIN runs l ON l.id = (SELECT MAX(x.id) FROM runs x WHERE x.reaction = r.name)`;

function toReaction(row: ViewRow): StoredReaction {
  const document = JSON.parse(row.document) as unknown;
  const spec = specOf(document);
  return {
    name: row.name,
    version: Number(row.version),
    enabled: Number(row.enabled) === 1,
    description: spec.description,
    trigger: row.trigger,
    document,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastRun: row.last_run_id ? { id: row.last_run_id, status: row.last_run_status!, createdAt: row.last_run_created_at! } : null,
  };
}

function toVersion(row: { version: number | string; document: string; created_at: string }): VersionView {
  const document = JSON.parse(row.document) as unknown;
  return { version: Number(row.version), enabled: specOf(document).enabled, createdAt: row.created_at, document };
}

export function reactionsRepo(db: Db) {
  // Versions never change once written, so they are cached for the life of the process.
  const versions = new Map<string, ReactionVersion>();

  async function current(run: SqlRunner, name: string): Promise<Row | undefined> {
    const [row] = await run.query<Row>('SELECT * FROM reactions WHERE name = ?', [name]);
    return row;
  }

  async function viewIn(run: SqlRunner, name: string): Promise<StoredReaction> {
    const [row] = await run.query<ViewRow>(`${VIEW} WHERE r.name = ?`, [name]);
    if (!row) throw new ShiplineError('reaction.not_found', `No reaction named '${name}'`);
    return toReaction(row);
  }

  type Applied = { reaction: StoredReaction; changed: boolean; created: boolean };

  /** Stores `document` as the reaction's next version, unless it is the current one; in the caller's transaction. */
  async function applyIn(run: SqlRunner, spec: ReactionSpec, document: unknown): Promise<Applied> {
    const text = JSON.stringify(document);
    const now = new Date().toISOString();
    const existing = await current(run, spec.name);
    if (existing && existing.document === text) return { reaction: await viewIn(run, spec.name), changed: false, created: false };
    const [last] = await run.query<{ v: number | string | null }>('SELECT MAX(version) AS v FROM reaction_versions WHERE name = ?', [
      spec.name,
    ]);
    const version = Number(last?.v ?? 0) + 1;
    await run.query('INSERT INTO reaction_versions (name, version, document, created_at) VALUES (?, ?, ?, ?)', [
      spec.name,
      version,
      text,
      now,
    ]);
    const enabled = spec.enabled ? 1 : 0;
    if (existing) {
      await run.query('UPDATE reactions SET version = ?, enabled = ?, trigger = ?, document = ?, updated_at = ? WHERE name = ?', [
        version,
        enabled,
        spec.on.event,
        text,
        now,
        spec.name,
      ]);
    } else {
      await run.query(
        'INSERT INTO reactions (name, version, enabled, trigger, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [spec.name, version, enabled, spec.on.event, text, now, now],
      );
    }
    await run.query(BUMP_GENERATION);
    return { reaction: await viewIn(run, spec.name), changed: true, created: !existing };
  }

  return {
    /**
     * Creates or updates a reaction by name. A changed document becomes a new version; applying
     * the same document again changes nothing (`changed: false`).
     */
    apply(spec: ReactionSpec, document: unknown): Promise<Applied> {
      return db.transaction((run) => applyIn(run, spec, document));
    },

    /**
     * Enables or disables a reaction by applying its current document with `enabled` set, so the
     * flag and the stored document agree and a change is a new version like any other. `check`
     * sees the current spec first and may refuse by throwing (the admin-only rule).
     */
    async setEnabled(name: string, enabled: boolean, check: (spec: ReactionSpec) => void = () => undefined): Promise<Applied> {
      return db.transaction(async (run) => {
        const row = await current(run, name);
        if (!row) throw new ShiplineError('reaction.not_found', `No reaction named '${name}'`);
        const document = JSON.parse(row.document) as Record<string, unknown>;
        const spec = specOf(document);
        if (spec.enabled === enabled) return { reaction: await viewIn(run, name), changed: false, created: false };
        check(spec);
        return applyIn(run, { ...spec, enabled }, { ...document, enabled });
      });
    },

    async get(name: string): Promise<StoredReaction> {
      return db.transaction((run) => viewIn(run, name));
    },

    async list(): Promise<StoredReaction[]> {
      const rows = await db.transaction((run) => run.query<ViewRow>(`${VIEW} ORDER BY r.name`));
      return rows.map(toReaction);
    },

    /** Applied versions of a reaction (also of a deleted one), newest first; reaction.not_found when it never existed. */
    async versions(name: string, page: PageRequest = {}): Promise<Page<VersionView>> {
      const limit = page.limit ?? DEFAULT_LIMIT;
      const params: unknown[] = [name];
      let below = '';
      if (page.cursor !== undefined) {
        const version = Number(decodeCursor(page.cursor, 1)[0]);
        if (!Number.isSafeInteger(version)) throw new ShiplineError('request.invalid_cursor');
        below = ' AND version < ?';
        params.push(version);
      }
      const rows = await db.transaction((run) =>
        run.query<{ version: number | string; document: string; created_at: string }>(
          `SELECT version, document, created_at FROM reaction_versions WHERE name = ?${below} ORDER BY version DESC LIMIT ?`,
          [...params, limit + 1],
        ),
      );
      if (rows.length === 0 && page.cursor === undefined) throw new ShiplineError('reaction.not_found', `No reaction named '${name}'`);
      return toPage(rows, limit, toVersion, (r) => [String(Number(r.version))]);
    },

    /** One applied version, as the API shows it. */
    async versionView(name: string, version: number): Promise<VersionView> {
      const [row] = await db.transaction((run) =>
        run.query<{ version: number | string; document: string; created_at: string }>(
          'SELECT version, document, created_at FROM reaction_versions WHERE name = ? AND version = ?',
          [name, version],
        ),
      );
      if (!row) throw new ShiplineError('reaction.not_found', `No version ${version} of reaction '${name}'`);
      return toVersion(row);
    },

    /** Deletes a reaction; its versions stay, so the runs that used them still show what ran. */
    async remove(name: string): Promise<void> {
      await db.transaction(async (run) => {
        if (!(await current(run, name))) throw new ShiplineError('reaction.not_found', `No reaction named '${name}'`);
        await run.query('DELETE FROM reactions WHERE name = ?', [name]);
        await run.query(BUMP_GENERATION);
      });
    },

    /** One version's spec; cached, since versions are immutable. */
    async version(name: string, version: number, run?: SqlRunner): Promise<ReactionVersion> {
      const key = `${name}@${version}`;
      const cached = versions.get(key);
      if (cached) return cached;
      const sql = 'SELECT document FROM reaction_versions WHERE name = ? AND version = ?';
      const rows = run
        ? await run.query<{ document: string }>(sql, [name, version])
        : await db.transaction((r) => r.query<{ document: string }>(sql, [name, version]));
      if (!rows[0]) throw new ShiplineError('reaction.not_found', `No version ${version} of reaction '${name}'`);
      const loaded = { name, version, spec: specOf(JSON.parse(rows[0].document)) };
      versions.set(key, loaded);
      return loaded;
    },

    /** The current version of one reaction. */
    current(name: string): Promise<ReactionVersion> {
      return db.transaction((run) => this.currentIn(run, name));
    },

    /** The current version of one reaction, read in the caller's transaction. */
    async currentIn(run: SqlRunner, name: string): Promise<ReactionVersion> {
      const row = await current(run, name);
      if (!row) throw new ShiplineError('reaction.not_found', `No reaction named '${name}'`);
      return { name: row.name, version: Number(row.version), spec: specOf(JSON.parse(row.document)) };
    },

    /** The counter every change to a reaction moves, in any instance (one primary-key read). */
    generation(): Promise<number> {
      return db.transaction((run) => readGeneration(run));
    },

    /** The enabled reactions and the generation they belong to, read in the caller's transaction. */
    async loadEnabled(run: SqlRunner): Promise<{ generation: number; reactions: ReactionVersion[] }> {
      const generation = await readGeneration(run);
      const rows = await run.query<Row>('SELECT * FROM reactions WHERE enabled = 1');
      const reactions = rows.map((row) => {
        const loaded = { name: row.name, version: Number(row.version), spec: specOf(JSON.parse(row.document)) };
        versions.set(`${row.name}@${loaded.version}`, loaded);
        return loaded;
      });
      return { generation, reactions };
    },
  };
}

export async function readGeneration(run: SqlRunner): Promise<number> {
  const [row] = await run.query<{ value: number | string }>("SELECT value FROM engine_state WHERE name = 'reactions'");
  return Number(row?.value ?? 0);
}

export type ReactionsRepo = ReturnType<typeof reactionsRepo>;
