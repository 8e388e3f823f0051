import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from './support/server-process.js';
import { runCli, runCliJson } from './support/cli-runner.js';
import { startServer } from './support/server-process.js';
import { eventually } from './support/sink.js';

// The reactions workflow as a platform engineer runs it: documents in a directory, applied with
// the CLI; runs and events inspected and steered with it.

describe('shipline reactions, runs and events commands', () => {
  const adminToken = randomBytes(24).toString('hex');
  let dataDir: string;
  let docs: string;
  let server: ServerProcess | undefined;

  const env = () => ({ SHIPLINE_URL: server!.url, SHIPLINE_TOKEN: adminToken });
  const cli = (args: string[]) => runCli(args, env());
  const json = <T>(args: string[]) => runCliJson<T>(args, env());

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-cli-reactions-'));
    docs = path.join(dataDir, 'reactions');
    fs.mkdirSync(docs);
    server = await startServer({ dataDir, adminToken });
  });

  afterAll(async () => {
    if (server?.running()) await server.stop();
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
});
