import { ShiplineError } from '../core/errors.js';
import type { ReactionSpec } from '../core/reactions/document.js';
import { validateReaction } from '../core/reactions/document.js';
import type { Db, SqlRunner } from './database.js';

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

type Row = { name: string; version: number | string; enabled: number | string; trigger: string; document: string; created_at: string; updated_at: string };

function toReaction(row: Row): StoredReaction {
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
  };
}

export function reactionsRepo(db: Db) {
  // Versions never change once written, so they are cached for the life of the process.
  const versions = new Map<string, ReactionVersion>();

  async function current(run: SqlRunner, name: string): Promise<Row | undefined> {
    const [row] = await run.query<Row>('SELECT * FROM reactions WHERE name = ?', [name]);
    return row;
  }

  return {
    /**
     * Creates or updates a reaction by name. A changed document becomes a new version; applying
     * the same document again changes nothing (`changed: false`).
     */
    async apply(spec: ReactionSpec, document: unknown): Promise<{ reaction: StoredReaction; changed: boolean; created: boolean }> {
      const text = JSON.stringify(document);
      const now = new Date().toISOString();
      return db.transaction(async (run) => {
        const existing = await current(run, spec.name);
        if (existing && existing.document === text) return { reaction: toReaction(existing), changed: false, created: false };
        const [last] = await run.query<{ v: number | string | null }>('SELECT MAX(version) AS v FROM reaction_versions WHERE name = ?', [spec.name]);
        const version = Number(last?.v ?? 0) + 1;
        await run.query('INSERT INTO reaction_versions (name, version, document, created_at) VALUES (?, ?, ?, ?)', [spec.name, version, text, now]);
        const enabled = spec.enabled ? 1 : 0;
        if (existing) {
          await run.query('UPDATE reactions SET version = ?, enabled = ?, trigger = ?, document = ?, updated_at = ? WHERE name = ?', [version, enabled, spec.on.event, text, now, spec.name]);
        } else {
          await run.query('INSERT INTO reactions (name, version, enabled, trigger, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [spec.name, version, enabled, spec.on.event, text, now, now]);
        }
        await run.query(BUMP_GENERATION);
        const row = (await current(run, spec.name))!;
        return { reaction: toReaction(row), changed: true, created: !existing };
      });
    },

    async get(name: string): Promise<StoredReaction> {
      const row = await db.transaction((run) => current(run, name));
      if (!row) throw new ShiplineError('reaction.not_found', `No reaction named '${name}'`);
      return toReaction(row);
    },

    async list(): Promise<StoredReaction[]> {
      const rows = await db.kysely.selectFrom('reactions').selectAll().orderBy('name').execute();
      return rows.map(toReaction);
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
      const rows = run ? await run.query<{ document: string }>(sql, [name, version]) : await db.transaction((r) => r.query<{ document: string }>(sql, [name, version]));
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
