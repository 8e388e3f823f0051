import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from './support/server-process.js';
import { runCli, runCliJson } from './support/cli-runner.js';
import { startServer } from './support/server-process.js';
import { eventually } from './support/sink.js';
import { DIALECTS, freshDatabase } from './support/databases.js';
import type { TestDatabase } from './support/databases.js';
import { parse as parseYaml } from 'yaml';

// The reactions workflow as a platform engineer runs it: documents in a directory, applied with
// the CLI; runs and events inspected and steered with it.

describe.each(DIALECTS)('shipline reactions, runs and events commands on %s', (dialect) => {
  const adminToken = randomBytes(24).toString('hex');
  let dataDir: string;
  let docs: string;
  let server: ServerProcess | undefined;
  let database: TestDatabase | undefined;

  const env = () => ({ SHIPLINE_URL: server!.url, SHIPLINE_TOKEN: adminToken });
  const cli = (args: string[]) => runCli(args, env());
  const json = <T>(args: string[]) => runCliJson<T>(args, env());

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-cli-reactions-'));
    docs = path.join(dataDir, 'reactions');
    fs.mkdirSync(docs);
    // The files stay in dataDir; on PostgreSQL the store is a fresh database of its own.
    database = dialect === 'postgres' ? await freshDatabase(dialect) : undefined;
    server = await startServer({ dataDir, databaseUrl: database?.options.databaseUrl, adminToken });
  });

  afterAll(async () => {
    if (server?.running()) await server.stop();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies a directory of documents idempotently and prunes what the files no longer define', async () => {
    fs.writeFileSync(
      path.join(docs, 'gate.yaml'),
      [
        'name: gate',
        'on:',
        '  event: deploy.recorded',
        '  filter: { environment: Production }',
        'steps:',
        '  ask: { uses: approval, with: { message: "Ship {{ data.serviceAlias }}?" } }',
        '  done:',
        '    after: { step: ask, channel: approved }',
        '    uses: emit',
        '    with: { type: release.approved, data: { service: "{{ data.serviceAlias }}" } }',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(docs, 'others.yaml'),
      'name: one\non: { event: "webhook.*" }\nsteps: { w: { uses: wait, with: { duration: 1s } } }\n---\nname: two\non: { event: x.y }\nsteps: { w: { uses: wait, with: { duration: 1s } } }\n',
    );
    const first = await json<{ items: Array<{ name: string; action: string }> }>(['reactions', 'apply', '-f', docs]);
    expect(first.items.map((r) => `${r.name}:${r.action}`).sort()).toEqual(['gate:created', 'one:created', 'two:created']);
    const again = await json<{ items: Array<{ name: string; action: string }> }>(['reactions', 'apply', '-f', docs]);
    expect(again.items.every((r) => r.action === 'unchanged')).toBe(true);
    fs.writeFileSync(
      path.join(docs, 'others.yaml'),
      'name: one\non: { event: "webhook.*" }\nsteps: { w: { uses: wait, with: { duration: 2s } } }\n',
    );
    const pruned = await json<{ items: Array<{ name: string; action: string }> }>(['reactions', 'apply', '-f', docs, '--prune']);
    expect(pruned.items.map((r) => `${r.name}:${r.action}`).sort()).toEqual(['gate:unchanged', 'one:updated', 'two:deleted']);
    const table = await cli(['reactions', 'list']);
    expect(table.stdout).toMatch(/gate\s+1\s+yes\s+deploy\.recorded/);
  });

  it('refuses a bad document with the problems on stderr and exit 1', async () => {
    const bad = path.join(dataDir, 'bad.yaml');
    fs.writeFileSync(bad, 'name: bad\non: { event: deploy.recorded }\nsteps: { a: { uses: nope } }\n');
    const result = await cli(['reactions', 'apply', '-f', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('reaction.invalid');
    expect(result.stderr).toContain('nope');
  });

  it('approves a waiting run and shows the path it took, and lists the events it caused', async () => {
    const endpoint = await json<{ url: string }>(['endpoints', 'create', 'ci']);
    const recorded = await cli([
      'deploys',
      'record',
      endpoint.url,
      '--service',
      'cart',
      '--description',
      'd',
      '--env',
      'Production',
      '--deployer-name',
      'ci',
    ]);
    expect(recorded.code, recorded.stderr).toBe(0);
    const waiting = await eventually(async () =>
      (await json<{ items: Array<{ id: string; status: string }> }>(['runs', 'list', '--reaction', 'gate'])).items.find(
        (r) => r.status === 'waiting',
      ),
    );
    expect((await cli(['runs', 'approve', waiting.id, 'ask', '--comment', 'go'])).code).toBe(0);
    const done = await eventually(async () => {
      const r = await json<{ status: string; steps: Array<{ id: string; channel: string | null }> }>(['runs', 'show', waiting.id]);
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(done.steps.map((s) => `${s.id}:${s.channel}`)).toEqual(['ask:approved', 'done:success']);
    const shown = await cli(['runs', 'show', waiting.id]);
    expect(shown.stdout).toContain('approved by admin');
    const events = await json<{ items: Array<{ type: string; data: { service?: string } }> }>(['events', 'list', '--type', 'release.*']);
    expect(events.items).toEqual([expect.objectContaining({ type: 'release.approved', data: { service: 'cart' } })]);
  });

  it('writes a ready-made reaction that applies as it is, and never overwrites a file by accident', async () => {
    const list = await json<{ items: Array<{ name: string; description: string }> }>(['reactions', 'init', '--list']);
    expect(list.items.map((t) => t.name)).toContain('octopus-staging-to-production');
    const file = path.join(dataDir, 'promote.yaml');
    const written = await cli(['reactions', 'init', 'octopus-staging-to-production', '-o', file]);
    expect(written.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('uses: octopus.deployRelease');
    const again = await cli(['reactions', 'init', 'octopus-staging-to-production', '-o', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
    const applied = await json<{ items: Array<{ name: string; action: string }> }>(['reactions', 'apply', '-f', file]);
    expect(applied.items).toEqual([expect.objectContaining({ name: 'octopus-staging-to-production' })]);
    const unknown = await cli(['reactions', 'init', 'no-such-template']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--list');
  });

  it('fills in the blanks of a ready-made reaction with --set, keeping its comments', async () => {
    const list = await json<{ items: Array<{ name: string; blanks: Array<{ id: string }> }> }>(['reactions', 'init', '--list']);
    expect(list.items.find((t) => t.name === 'octopus-staging-to-production')?.blanks.map((b) => b.id)).toEqual([
      'connection',
      'from',
      'to',
    ]);
    const file = path.join(dataDir, 'promote-live.yaml');
    const args = ['reactions', 'init', 'octopus-staging-to-production', '--set', 'connection=octo-eu', '--set', 'to=Live: EU'];
    expect((await cli([...args, '-o', file])).code).toBe(0);
    const written = fs.readFileSync(file, 'utf8');
    expect(written).toContain('connection: octo-eu # your Octopus connection');
    expect(written).toContain('environment: "Live: EU"');
    await json(['reactions', 'apply', '-f', file]);
    const shown = await json<{ document: { on: Record<string, unknown>; steps: { promote: { with: Record<string, unknown> } } } }>([
      'reactions',
      'show',
      'octopus-staging-to-production',
    ]);
    expect(shown.document.on).toMatchObject({ connection: 'octo-eu', environment: 'Staging' });
    expect(shown.document.steps.promote.with).toMatchObject({ connection: 'octo-eu', environment: 'Live: EU' });
    const wrong = await cli(['reactions', 'init', 'octopus-staging-to-production', '--set', 'channel=#x']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('has no blank channel (its blanks: connection, from, to)');
  });

  it('applies every file given with -f, and shows a reaction as YAML that applies back as it is', async () => {
    const a = path.join(dataDir, 'from-a.yaml');
    const b = path.join(dataDir, 'from-b.json');
    fs.writeFileSync(
      a,
      [
        'name: from-a',
        'description: "Says: hello"',
        'on: { event: deploy.recorded, filter: { environment: [Production, "123"] } }',
        'steps:',
        '  note: { uses: emit, with: { type: a.noted, data: { service: "{{ data.serviceAlias }}", at: "12:30", flag: "yes" } } }',
      ].join('\n'),
    );
    fs.writeFileSync(b, JSON.stringify({ name: 'from-b', on: { event: 'x.y' }, steps: { w: { uses: 'wait', with: { duration: '1s' } } } }));
    const applied = await json<{ items: Array<{ name: string; action: string }> }>(['reactions', 'apply', '-f', a, '-f', b]);
    expect(applied.items.map((r) => `${r.name}:${r.action}`)).toEqual(['from-a:created', 'from-b:created']);
    const twice = await cli(['reactions', 'apply', '-f', a, '-f', a]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('reaction from-a is defined twice');

    const shown = await cli(['reactions', 'show', 'from-a']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^# Name: {4}from-a\n# Version: 1\n/);
    expect(shown.stdout).toContain('\nname: from-a\n');
    const { document } = await json<{ document: unknown }>(['reactions', 'show', 'from-a']);
    // YAML that reads back as the stored document (quoted where a plain scalar would change type)...
    expect(parseYaml(shown.stdout)).toEqual(document);
    // ... and applies as it is.
    const copy = path.join(dataDir, 'shown.yaml');
    fs.writeFileSync(copy, shown.stdout);
    const again = await json<{ items: Array<{ name: string; action: string }> }>(['reactions', 'apply', '-f', copy]);
    expect(again.items).toEqual([{ name: 'from-a', action: 'unchanged', version: 1 }]);
  });

  it('says why each reaction would or would not start on an event, naming the part that refused, and replays the event', async () => {
    const endpoint = await json<{ url: string }>(['endpoints', 'create', 'why']);
    for (const env of ['Staging', 'Production']) {
      const recorded = await cli([
        'deploys',
        'record',
        endpoint.url,
        '--service',
        'basket',
        '--description',
        'd',
        '--env',
        env,
        '--deployer-name',
        'ci',
      ]);
      expect(recorded.code, recorded.stderr).toBe(0);
    }
    const events = await json<{ items: Array<{ id: string; data: { serviceAlias?: string; environment?: string } }> }>([
      'events',
      'list',
      '--type',
      'deploy.recorded',
    ]);
    const eventIn = (env: string) => events.items.find((e) => e.data.serviceAlias === 'basket' && e.data.environment === env)!.id;
    const staging = eventIn('Staging');

    const why = await cli(['events', 'why', staging]);
    expect(why.code, why.stderr).toBe(0);
    const lines = why.stdout.split('\n');
    expect(lines[0]).toMatch(/^REACTION\s+VERSION\s+STARTS\s+REFUSED BY\s+WHY NOT$/);
    expect(lines.find((l) => l.startsWith('gate '))).toMatch(
      /^gate\s+1\s+no\s+on\.filter\.environment\s+on\.filter\.environment accepts "Production", but the event has environment "Staging"$/,
    );
    expect(lines.find((l) => l.startsWith('one '))).toMatch(/\sno\s+on\.event\s+event type deploy\.recorded does not match webhook\.\*$/);

    const gate = await json<{ items: Array<Record<string, unknown>> }>(['events', 'why', staging, '--reaction', 'gate']);
    expect(gate.items).toEqual([
      expect.objectContaining({
        reaction: 'gate',
        matched: false,
        refusedBy: { part: 'filter', key: 'environment', expected: ['Production'], actual: 'Staging' },
      }),
    ]);
    const production = await cli(['events', 'why', eventIn('Production'), '--reaction', 'gate']);
    expect(production.stdout).toMatch(/^gate\s+1\s+yes\s+-\s+-$/m);
    const unknown = await cli(['events', 'why', staging, '--reaction', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No reaction named nope');
    const missing = await cli(['events', 'why', 'no-such-event']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('event.not_found');

    // Replay: nothing matches the staging deploy; the production one starts the gate (and from-a) again.
    const none = await cli(['events', 'replay', staging]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('No reaction matches the event now');
    const replayed = await json<{ runs: Array<{ id: string; reaction: string }> }>(['events', 'replay', eventIn('Production')]);
    expect(replayed.runs.map((r) => r.reaction).sort()).toEqual(['from-a', 'gate']);
    const forced = await cli(['events', 'replay', staging, '--reaction', 'gate']);
    expect(forced.stdout).toMatch(/^RUN\s+REACTION\n\S+\s+gate$/m);
    const runs = await json<{ items: Array<{ id: string; eventId: string }> }>(['runs', 'list', '--reaction', 'gate']);
    expect(runs.items.map((r) => r.id)).toContain(replayed.runs.find((r) => r.reaction === 'gate')!.id);
  });
});
