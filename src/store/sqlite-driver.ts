import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Which build of better-sqlite3 Shipline opens SQLite with (docs/decisions/0041-sqlite-driver-per-node-api.md).
 *
 * better-sqlite3 12 wraps its objects in Node's own `node::ObjectWrap`. On Node 24.19 to 24.21
 * that class removes an environment cleanup hook when V8 collects the object, and aborts the
 * process when the collection runs outside any JavaScript context (an idle-time GC): a start
 * aborted 2 times in 5 on Node 24.21. better-sqlite3 13 is built on Node-API and does not do
 * this, and ships its binaries in its package; it needs Node-API 10 (Node 22.14 and later).
 * So: 13 wherever Node-API 10 exists and its binary loads, else 12 (Node 20, where the abort
 * cannot happen, or a platform 13 has no binary for, where 12 builds from source).
 */
const NODE_API_DRIVER = 'better-sqlite3-napi';
const OBJECT_WRAP_DRIVER = 'better-sqlite3';

const require = createRequire(import.meta.url);
let chosen: string | undefined;

/** The package name of the build in use, chosen once per process. */
export function sqliteDriver(): string {
  chosen ??= Number(process.versions.napi) >= 10 && loads(NODE_API_DRIVER) ? NODE_API_DRIVER : OBJECT_WRAP_DRIVER;
  return chosen;
}

/** Whether the driver's native binary loads here (opening an in-memory database loads it). */
function loads(name: string): boolean {
  try {
    const Database = require(name) as typeof BetterSqlite3;
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

/** The driver's entry file, for a worker thread to load the same build. */
export function sqliteDriverPath(): string {
  return require.resolve(sqliteDriver());
}

/** The driver's Database class (both builds have the same API). */
export function sqliteDatabaseClass(): typeof BetterSqlite3 {
  return require(sqliteDriver()) as typeof BetterSqlite3;
}
