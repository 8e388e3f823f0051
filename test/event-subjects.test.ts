import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { MigrationContext } from '../src/store/migrations/index.js';
import { migrationProvider } from '../src/store/migrations/index.js';
import { openStore } from '../src/store/index.js';
import type { DialectName } from './support/databases.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

// What database.ts passes each dialect's migrations.
const CONTEXT: Record<DialectName, MigrationContext> = {
  sqlite: { autoIncrementType: 'integer', autoIncrementColumn: (c) => c.autoIncrement() },
  postgres: { autoIncrementType: 'bigserial', autoIncrementColumn: (c) => c },
};

describe.each(DIALECTS)('event subjects on %s', (dialect) => {
  it('are backfilled by their migration for the deploy.updated and octopus.deployment.* events stored before it', async () => {
    const database = await freshDatabase(dialect);
    const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    try {
      const migrator = new Migrator({ db: store.db.kysely, provider: migrationProvider(CONTEXT[dialect]), migrationTableName: 'shipline_migrations', migrationLockTableName: 'shipline_migrations_lock' });
      expect((await migrator.migrateTo('0006-users')).error).toBeUndefined();
      const now = new Date().toISOString();
      const old: Array<[string, string, string | null, unknown]> = [
        ['deploy.recorded', 'deploy-endpoint:e1', null, { id: 'd1', dedupId: 'github:1' }],
        ['deploy.updated', 'deploy-endpoint:e1', null, { id: 'd1', dedupId: 'github:1', previousStatus: 'started' }],
        ['deploy.updated', 'deploy-endpoint:e1', null, { id: 'd2', dedupId: null }],
        ['octopus.deployment.started', 'connection:prod', 'octopus:conn-1:Events-1', { deploymentId: 'Deployments-7' }],
        ['octopus.deployment.succeeded', 'connection:prod', 'octopus:conn-1:Events-2', { deploymentId: 'Deployments-7' }],
        ['octopus.event', 'connection:prod', 'octopus:conn-1:Events-3', { deploymentId: 'Deployments-7' }],
        ['octopus.deployment.queued', 'connection:prod', 'octopus:conn-1:Events-4', { deploymentId: null }],
      ];
      await store.db.transaction(async (run) => {
        for (const [i, [type, source, sourceKey, data]] of old.entries()) {
          await run.query('INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [`e${i}`, type, source, sourceKey, now, JSON.stringify(data), now]);
        }
      });
      expect(await store.migrate()).toContain('0007-event-subjects');
      const rows = await store.db.transaction((run) => run.query<{ id: string; subject: string | null }>('SELECT id, subject FROM events ORDER BY seq'));
      expect(rows.map((r) => r.subject)).toEqual([null, 'github:1', null, 'octopus:conn-1:Deployments-7', 'octopus:conn-1:Deployments-7', null, null]);
      // What the deploys' runs are found by.
      expect(await store.events.aboutDeploy({ id: 'd9', deployedAt: now, receivedAt: now, dedupId: 'octopus:conn-1:Deployments-7' })).toEqual(['e3', 'e4']);
      expect(await store.events.aboutDeploy({ id: 'd1', deployedAt: now, receivedAt: now, dedupId: 'github:1' })).toEqual(['e0', 'e1']);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
