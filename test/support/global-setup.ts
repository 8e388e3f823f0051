import { existsSync } from 'node:fs';
import pg from 'pg';

/**
 * Runs once before the suite. With SHIPLINE_TEST_DATABASE_URL set, PostgreSQL must answer (CI
 * fails rather than silently skipping); without it, one line says what did not run.
 */
export default async function setup(): Promise<void> {
  const chromium = process.env.SHIPLINE_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium) && process.env.SHIPLINE_E2E_REQUIRED !== '1') {
    console.log(`\n[shipline] Browser tests skipped: no Chromium at ${chromium}; apt-get install -y chromium to run them too.\n`);
  }
  const url = process.env.SHIPLINE_TEST_DATABASE_URL;
  if (!url) {
    console.log(
      '\n[shipline] PostgreSQL tests skipped: set SHIPLINE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them too.\n',
    );
    return;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(`SHIPLINE_TEST_DATABASE_URL is set but PostgreSQL is not reachable at ${url}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
