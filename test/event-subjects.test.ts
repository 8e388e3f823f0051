import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { DIALECTS, freshDatabase, migrateTo } from './support/databases.js';
import { TEST_MASTER_KEY } from './support/runtime.js';

describe.each(DIALECTS)('event subjects on %s', (dialect) => {
  it('are backfilled by their migration for the deploy.updated and octopus.deployment.* events stored before it', async () => {
    const database = await freshDatabase(dialect);
    const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    try {
      await migrateTo(store.db.kysely, dialect, '0006-users');
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
          await run.query('INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
            `e${i}`,
            type,
            source,
            sourceKey,
            now,
            JSON.stringify(data),
            now,
          ]);
        }
      });
      expect(await store.migrate()).toContain('0007-event-subjects');
      const rows = await store.db.transaction((run) =>
        run.query<{ id: string; subject: string | null }>('SELECT id, subject FROM events ORDER BY seq'),
      );
      expect(rows.map((r) => r.subject)).toEqual([
        null,
        'github:1',
        null,
        'octopus:conn-1:Deployments-7',
        'octopus:conn-1:Deployments-7',
        null,
        null,
      ]);
      // What the deploys' runs are found by.
      expect(
        await store.events.aboutDeploy({ id: 'd9', deployedAt: now, receivedAt: now, dedupId: 'octopus:conn-1:Deployments-7' }),
      ).toEqual(['e3', 'e4']);
      expect(await store.events.aboutDeploy({ id: 'd1', deployedAt: now, receivedAt: now, dedupId: 'github:1' })).toEqual(['e0', 'e1']);
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('makes deploys marked before migration 0008 read failed, keeping what was reported, links their mark events to them, and converts Octopus times to UTC', async () => {
    const database = await freshDatabase(dialect);
    const store = openStore({ ...database.options, masterKey: TEST_MASTER_KEY });
    try {
      await migrateTo(store.db.kysely, dialect, '0007-event-subjects');
      const now = '2025-05-01T10:00:00.000Z';
      await store.db.transaction(async (run) => {
        for (const [id, status] of [
          ['d1', 'succeeded'],
          ['d2', 'succeeded'],
          ['d3', 'failed'],
        ]) {
          await run.query(
            `INSERT INTO deploys (id, endpoint_id, service_alias, description, deployed_at, deploy_number, received_at, status, source)
              VALUES (?, 'e1', 'cart', 'd', ?, ?, ?, ?, 'custom')`,
            [id, now, id, now, status],
          );
        }
        await run.query(
          "INSERT INTO deploy_failure_marks (deploy_id, reason, marked_by, marked_at) VALUES ('d1', 'broke', 'ops', ?), ('d3', 'also', null, ?)",
          [now, now],
        );
        await run.query(
          "INSERT INTO events (id, type, source, occurred_at, data, created_at) VALUES ('m1', 'deploy.marked_failed', 'token:ops', ?, ?, ?)",
          [now, JSON.stringify({ deployId: 'd1', reason: 'broke' }), now],
        );
        // Octopus's own offset, as stored before times were converted.
        await run.query(
          `INSERT INTO deploys (id, endpoint_id, service_alias, description, deployed_at, deploy_number, received_at, status, source)
            VALUES ('o1', 'e1', 'web', 'd', '2026-03-02T09:14:07.1234567+10:00', '1', ?, 'succeeded', 'octopus')`,
          [now],
        );
        await run.query(
          "INSERT INTO events (id, type, source, source_key, occurred_at, data, created_at) VALUES ('o2', 'octopus.deployment.succeeded', 'connection:prod', 'octopus:c:Events-1', '2026-03-02T09:14:07+10:00', '{}', ?)",
          [now],
        );
      });
      expect(await store.migrate()).toContain('0009-deploy-failure-status');
      const rows = await store.db.transaction((run) =>
        run.query<{ id: string; status: string; reported_status: string | null }>(
          "SELECT id, status, reported_status FROM deploys WHERE source = 'custom' ORDER BY id",
        ),
      );
      expect(rows).toEqual([
        { id: 'd1', status: 'failed', reported_status: 'succeeded' },
        { id: 'd2', status: 'succeeded', reported_status: null },
        { id: 'd3', status: 'failed', reported_status: 'failed' },
      ]);
      expect((await store.deploys.get('o1')).deployedAt).toBe('2026-03-01T23:14:07.123Z');
      expect((await store.events.get('o2')).timestamp).toBe('2026-03-01T23:14:07.000Z');
      expect(await store.events.aboutDeploy({ id: 'd1', deployedAt: now, receivedAt: now, dedupId: null })).toEqual(['m1']);
      // Clearing a mark made before the migration restores what was reported.
      await store.insights.unmarkFailed('d1');
      expect((await store.deploys.get('d1')).status).toBe('succeeded');
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
