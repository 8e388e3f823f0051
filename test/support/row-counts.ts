import { sql } from 'kysely';
import type { Store } from '../../src/store/index.js';

/** The tables a request could add a row to; a refused request must leave their counts unchanged. */
const TABLES = [
  'services',
  'service_aliases',
  'deploy_endpoints',
  'deploys',
  'dismissed_suggestions',
  'api_tokens',
  'events',
  'reactions',
  'reaction_versions',
  'runs',
  'step_executions',
  'jobs',
  'secrets',
  'webhooks',
  'connections',
  'inbox',
  'kv',
  'environment_tiers',
  'deploy_failure_marks',
  'users',
  'user_sessions',
] as const;

/** The number of rows in each table, in one statement. */
export async function rowCounts(store: Store): Promise<Record<string, number>> {
  const columns = TABLES.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(', ');
  const { rows } = await sql.raw<Record<string, number | string>>(`SELECT ${columns}`).execute(store.db.kysely);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]));
}
