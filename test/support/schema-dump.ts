// A deterministic text form of a migrated database's schema, one per dialect, so a change to the
// migrations shows up as a diff of test/schema/{sqlite,postgres}.sql (as graphile-worker keeps a
// dumped schema beside its SQL). Tables, columns (type, nullability, default), keys and indexes,
// each list sorted; Kysely's migration bookkeeping is left out.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Db } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';

/** Kysely's own migration tables: bookkeeping, not Shipline's schema. */
const BOOKKEEPING = new Set(['shipline_migrations', 'shipline_migrations_lock']);

export interface ColumnDump {
  name: string;
  type: string;
  notNull: boolean;
  defaultValue: string | null;
}

interface TableDump {
  name: string;
  columns: ColumnDump[];
  /** Table constraints (primary key, unique, foreign keys), one line each. */
  constraints: string[];
}

interface SchemaDump {
  tables: TableDump[];
  /** The indexes (and SQLite triggers) the migrations create by name, with their `CREATE` statement. */
  indexes: { name: string; definition: string }[];
}

/** The schema of the database `db` is connected to, as SQL text. */
export async function dumpSchema(db: Db): Promise<string> {
  const dump = db.shared ? await readPostgres(db.kysely) : await readSqlite(db.kysely);
  return render(dump);
}

function render(dump: SchemaDump): string {
  const lines: string[] = [];
  for (const table of [...dump.tables].sort((a, b) => a.name.localeCompare(b.name))) {
    const body = [
      ...table.columns.map(
        (c) => `${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}${c.defaultValue === null ? '' : ` DEFAULT ${c.defaultValue}`}`,
      ),
      ...[...table.constraints].sort(),
    ];
    lines.push(`CREATE TABLE ${table.name} (`, body.map((line) => `  ${line}`).join(',\n'), ');', '');
  }
  lines.push(...[...dump.indexes].sort((a, b) => a.name.localeCompare(b.name)).map((index) => `${index.definition};`));
  return `${lines.join('\n')}\n`;
}

async function readSqlite(db: Kysely<Database>): Promise<SchemaDump> {
  const rows = async <R>(query: string) => (await sql<R>`${sql.raw(query)}`.execute(db)).rows;
  const master = await rows<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const tables: TableDump[] = [];
  for (const { name, sql: definition } of master.filter((m) => m.type === 'table' && !BOOKKEEPING.has(m.name))) {
    const info = await rows<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
      `PRAGMA table_info('${name}')`,
    );
    const constraints: string[] = [];
    const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    // AUTOINCREMENT shows only in the table's SQL; it changes what a deleted newest row leaves behind.
    const autoIncrement = /\bAUTOINCREMENT\b/i.test(definition ?? '') ? ' AUTOINCREMENT' : '';
    if (primaryKey.length > 0) constraints.push(`PRIMARY KEY (${primaryKey.map((c) => c.name).join(', ')})${autoIncrement}`);
    for (const index of await rows<{ name: string; origin: string }>(`PRAGMA index_list('${name}')`)) {
      if (index.origin !== 'u') continue;
      const columns = await rows<{ seqno: number; name: string }>(`PRAGMA index_info('${index.name}')`);
      constraints.push(
        `UNIQUE (${columns
          .sort((a, b) => a.seqno - b.seqno)
          .map((c) => c.name)
          .join(', ')})`,
      );
    }
    const foreignKeys = await rows<{ id: number; seq: number; table: string; from: string; to: string; on_delete: string }>(
      `PRAGMA foreign_key_list('${name}')`,
    );
    for (const id of new Set(foreignKeys.map((fk) => fk.id))) {
      const parts = foreignKeys.filter((fk) => fk.id === id).sort((a, b) => a.seq - b.seq);
      constraints.push(
        foreignKey(
          parts.map((p) => p.from),
          parts[0]!.table,
          parts.map((p) => p.to),
          parts[0]!.on_delete,
        ),
      );
    }
    const columns = info.map((c) => ({ name: c.name, type: c.type.toLowerCase(), notNull: c.notnull === 1, defaultValue: c.dflt_value }));
    tables.push({ name, columns, constraints });
  }
  // Indexes with SQL are the ones created by name; the others back PRIMARY KEY and UNIQUE, above.
  // Triggers are listed with them.
  const indexes = master
    .filter((m) => (m.type === 'index' || m.type === 'trigger') && m.sql !== null)
    .map((m) => ({ name: m.name, definition: m.sql!.replace(/\s+/g, ' ') }));
  return { tables, indexes };
}

async function readPostgres(db: Kysely<Database>): Promise<SchemaDump> {
  const rows = async <R>(query: string) => (await sql<R>`${sql.raw(query)}`.execute(db)).rows;
  const columns = await rows<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = current_schema()
      ORDER BY table_name, ordinal_position`,
  );
  const constraints = await rows<{ table_name: string; definition: string }>(
    `SELECT c.conrelid::regclass::text AS table_name, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')`,
  );
  const indexes = await rows<{ indexname: string; tablename: string; indexdef: string }>(
    `SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = current_schema()
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))`,
  );
  const tables = new Map<string, TableDump>();
  for (const c of columns) {
    if (BOOKKEEPING.has(c.table_name)) continue;
    let table = tables.get(c.table_name);
    if (!table) tables.set(c.table_name, (table = { name: c.table_name, columns: [], constraints: [] }));
    table.columns.push({ name: c.column_name, type: c.data_type, notNull: c.is_nullable === 'NO', defaultValue: c.column_default });
  }
  for (const c of constraints) tables.get(c.table_name)?.constraints.push(c.definition);
  const schemaPrefix = /\b(ON|REFERENCES) (?:public|"[^"]+"|\w+)\./g;
  return {
    tables: [...tables.values()],
    indexes: indexes
      .filter((i) => !BOOKKEEPING.has(i.tablename))
      .map((i) => ({ name: i.indexname, definition: i.indexdef.replace(schemaPrefix, '$1 ') })),
  };
}

function foreignKey(from: string[], table: string, to: string[], onDelete: string): string {
  const action = onDelete === 'NO ACTION' ? '' : ` ON DELETE ${onDelete}`;
  return `FOREIGN KEY (${from.join(', ')}) REFERENCES ${table}(${to.join(', ')})${action}`;
}

export interface ParsedTable {
  columns: ColumnDump[];
  primaryKey: string[];
}

/** The tables, columns and primary keys of a dump written by `dumpSchema`, read back (for the check against schema.ts). */
export function parseSchemaDump(text: string): Map<string, ParsedTable> {
  const tables = new Map<string, ParsedTable>();
  for (const match of text.matchAll(/^CREATE TABLE (\w+) \(\n([\s\S]*?)\n\);$/gm)) {
    const table: ParsedTable = { columns: [], primaryKey: [] };
    for (const line of match[2]!.split(',\n').map((l) => l.trim())) {
      const primaryKey = /^PRIMARY KEY \((.*)\)(?: AUTOINCREMENT)?$/.exec(line);
      if (primaryKey) table.primaryKey = primaryKey[1]!.split(', ');
      if (/^(PRIMARY KEY|UNIQUE|FOREIGN KEY)\b/.test(line)) continue;
      const column = /^(\w+) (.+?)( NOT NULL)?(?: DEFAULT (.*))?$/.exec(line);
      if (!column) throw new Error(`unreadable column line in schema dump: ${line}`);
      table.columns.push({ name: column[1]!, type: column[2]!, notNull: column[3] !== undefined, defaultValue: column[4] ?? null });
    }
    tables.set(match[1]!, table);
  }
  return tables;
}
