// The row types in src/store/schema.ts against the committed schema snapshots
// (test/schema/{sqlite,postgres}.sql, which snapshot.test.ts keeps equal to a fresh migration):
// same tables, columns, nullability, kinds and generated defaults. Reads files only, so it runs
// with the unit tests.
import fs from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { ParsedTable } from '../support/schema-dump.js';
import { parseSchemaDump } from '../support/schema-dump.js';

const SNAPSHOTS = ['sqlite', 'postgres'] as const;
const snapshot = (dialect: string) => fs.readFileSync(new URL(`./${dialect}.sql`, import.meta.url), 'utf8');

/** What schema.ts says of one column. */
interface DeclaredColumn {
  nullable: boolean;
  generated: boolean;
  kinds: Set<'string' | 'number'>;
}

/** The `Database` interface of schema.ts: table name → column name → declared type, read with the TypeScript compiler. */
function declaredTables(): Map<string, Map<string, DeclaredColumn>> {
  const file = new URL('../../src/store/schema.ts', import.meta.url);
  const source = ts.createSourceFile('schema.ts', fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const members = (name: string) =>
    interfaces
      .get(name)!
      .members.filter(ts.isPropertySignature)
      .map((m) => ({ name: m.name.getText(source), type: m.type! }));
  const tables = new Map<string, Map<string, DeclaredColumn>>();
  for (const table of members('Database')) {
    const columns = new Map<string, DeclaredColumn>();
    for (const column of members(table.type.getText(source))) columns.set(column.name, describeType(column.type, source));
    tables.set(table.name, columns);
  }
  return tables;
}

function describeType(type: ts.TypeNode, source: ts.SourceFile): DeclaredColumn {
  let generated = false;
  let node = type;
  if (ts.isTypeReferenceNode(node) && node.typeName.getText(source) === 'Generated') {
    generated = true;
    node = node.typeArguments![0]!;
  }
  const parts = ts.isUnionTypeNode(node) ? [...node.types] : [node];
  const texts = parts.map((p) => p.getText(source));
  const kinds = new Set(texts.filter((t): t is 'string' | 'number' => t === 'string' || t === 'number'));
  const unknown = texts.filter((t) => t !== 'string' && t !== 'number' && t !== 'null');
  if (unknown.length > 0) throw new Error(`schema.ts: unexpected column type ${unknown.join(' | ')}`);
  return { nullable: texts.includes('null'), generated, kinds };
}

/** The TypeScript type a column of this SQL type reads as (bigint is read as a number by the store's callers). */
const kindOf = (sqlType: string): 'string' | 'number' =>
  /^(integer|bigint|real|double precision|numeric)$/.test(sqlType) ? 'number' : 'string';

/** Tables one dialect has and the other does not (deploy_environments: SQLite's migration 0016). */
const ONLY_ON: Record<string, (typeof SNAPSHOTS)[number]> = { deploy_environments: 'sqlite' };

describe.each(SNAPSHOTS)('schema.ts against the %s snapshot', (dialect) => {
  const tables = parseSchemaDump(snapshot(dialect));
  const declared = declaredTables();
  for (const [table, only] of Object.entries(ONLY_ON)) if (only !== dialect) declared.delete(table);

  it('declares the same tables', () => {
    expect([...declared.keys()].sort()).toEqual([...tables.keys()].sort());
  });

  it('declares the same columns, with the same nullability, kind and generated defaults', () => {
    const mismatches: string[] = [];
    for (const [name, table] of tables) {
      const columns = declared.get(name);
      if (!columns) continue;
      const inDump = table.columns.map((c) => c.name).sort();
      const inTypes = [...columns.keys()].sort();
      if (inDump.join() !== inTypes.join())
        mismatches.push(`${name}: columns ${inDump.join(', ')} in SQL, ${inTypes.join(', ')} in schema.ts`);
      for (const column of table.columns) {
        const type = columns.get(column.name);
        if (!type) continue;
        mismatches.push(...compareColumn(`${name}.${column.name}`, column, type, table));
      }
    }
    expect(mismatches).toEqual([]);
  });
});

function compareColumn(label: string, column: ParsedTable['columns'][number], type: DeclaredColumn, table: ParsedTable): string[] {
  const out: string[] = [];
  // SQLite lets a non-integer PRIMARY KEY column hold NULL, but the store never writes one.
  const nullable = !column.notNull && !table.primaryKey.includes(column.name);
  if (nullable !== type.nullable)
    out.push(`${label}: ${nullable ? 'nullable' : 'NOT NULL'} in SQL, ${type.nullable ? '' : 'not '}nullable in schema.ts`);
  if (!type.kinds.has(kindOf(column.type))) out.push(`${label}: ${column.type} in SQL, ${[...type.kinds].join(' | ')} in schema.ts`);
  // An integer primary key of its own is SQLite's rowid: the database assigns it.
  const assigned = column.defaultValue !== null || (column.type === 'integer' && table.primaryKey.join() === column.name);
  if (type.generated && !assigned) out.push(`${label}: Generated<> in schema.ts, but SQL gives it no default`);
  return out;
}
