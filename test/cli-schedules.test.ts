import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickText } from '../src/cli/reaction-schedule.js';
import type { ReactionDetail as Reaction } from '../src/cli/api-types.js';
import type { ServerProcess } from './support/server-process.js';
import { runCli, runCliJson } from './support/cli-runner.js';
import { startServer } from './support/server-process.js';
import { eventually } from './support/sink.js';

// Scheduled reactions as a release manager reads them from a terminal: when each fires next, the
// schedule in words, the next five ticks and the last ones with their runs.

describe('shipline reactions with schedules', () => {
  const adminToken = randomBytes(24).toString('hex');
  let dataDir: string;
  let server: ServerProcess | undefined;

  const env = () => ({ SHIPLINE_URL: server!.url, SHIPLINE_TOKEN: adminToken });
  const cli = (args: string[]) => runCli(args, env());
  const json = <T>(args: string[]) => runCliJson<T>(args, env());

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-cli-schedules-'));
    server = await startServer({ dataDir, adminToken });
    fs.writeFileSync(
      path.join(dataDir, 'reactions.yaml'),
      [
        'name: staging-every-weekday',
        'on: { schedule: { cron: "0 9 * * 1-5", timezone: Europe/Berlin } }',
        'steps: { note: { uses: emit, with: { type: staging.due, data: { at: "{{ data.scheduledAt }}" } } } }',
        '---',
        'name: on-deploy',
        'on: { event: deploy.recorded }',
        'steps: { note: { uses: emit, with: { type: deploy.seen, data: {} } } }',
      ].join('\n'),
    );
    const applied = await cli(['reactions', 'apply', '-f', path.join(dataDir, 'reactions.yaml')]);
    expect(applied.code, applied.stderr).toBe(0);
  });

  afterAll(async () => {
    if (server?.running()) await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists when each scheduled reaction fires next, and nothing for one started by events', async () => {
    const shown = await json<Reaction>(['reactions', 'show', 'staging-every-weekday']);
    const next = shown.schedule!.nextFireAt!;
    const table = (await cli(['reactions', 'list'])).stdout.split('\n');
    expect(table[0]).toMatch(/^NAME\s+VERSION\s+ENABLED\s+TRIGGER\s+NEXT\s+DESCRIPTION$/);
    const scheduled = table.find((line) => line.startsWith('staging-every-weekday'))!;
    expect(scheduled).toContain('schedule 0 9 * * 1-5 (Europe/Berlin)');
    expect(scheduled).toContain(`${next.slice(0, 10)} ${next.slice(11, 16)} UTC`);
    const byEvent = table.find((line) => line.startsWith('on-deploy'))!;
    expect(byEvent).toMatch(/deploy\.recorded\s+-$/);
    expect(byEvent).not.toContain('UTC');
  });

  it('shows the schedule in words, the next five ticks in UTC and Berlin time, and no ticks yet', async () => {
    const shown = await json<Reaction>(['reactions', 'show', 'staging-every-weekday']);
    const schedule = shown.schedule!;
    expect(schedule.next).toHaveLength(5);
    const out = (await cli(['reactions', 'show', 'staging-every-weekday'])).stdout;
    expect(out).toContain(`Schedule: ${schedule.description}`);
    expect(out).toContain('cron 0 9 * * 1-5, time zone Europe/Berlin, missed ticks: latest');
    const lines = out.split('\n');
    const at = lines.indexOf('# Next ticks:');
    expect(lines.slice(at + 1, at + 6)).toEqual(schedule.next.map((iso) => `#   ${tickText(iso, 'Europe/Berlin')}`));
    for (const line of lines.slice(at + 1, at + 6)) expect(line).toMatch(/ 09:00 Europe\/Berlin\)$/);
    expect(out).toContain('# Last ticks:\n#   none yet');

    const byEvent = await cli(['reactions', 'show', 'on-deploy']);
    expect(byEvent.stdout).not.toContain('Schedule:');
  });

  it('dry-runs the next tick without an event, and lists the ticks that fired with their runs', async () => {
    const dry = await cli(['reactions', 'test', 'staging-every-weekday']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('The event matches: a run would start.');

    const byEvent = await cli(['reactions', 'test', 'on-deploy']);
    expect(byEvent.code).toBe(1);

    const file = path.join(dataDir, 'every-second.yaml');
    fs.writeFileSync(
      file,
      'name: every-second\non: { schedule: { cron: "* * * * * *" } }\nsteps: { note: { uses: emit, with: { type: tick.seen, data: {} } } }\n',
    );
    expect((await cli(['reactions', 'apply', '-f', file])).code).toBe(0);
    await eventually(async () => {
      const r = await json<Reaction>(['reactions', 'show', 'every-second']);
      return r.schedule?.lastTicks.some((t) => t.runId) ? r : undefined;
    });
    // Disabled, it holds still while it is read, and says why nothing is ahead.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('name: every-second', 'name: every-second\nenabled: false'));
    expect((await cli(['reactions', 'apply', '-f', file])).code).toBe(0);
    const stopped = await json<Reaction>(['reactions', 'show', 'every-second']);
    const tick = stopped.schedule!.lastTicks.find((t) => t.runId)!;
    const out = (await cli(['reactions', 'show', 'every-second'])).stdout;
    expect(out).toContain('# Next ticks:\n#   none: the reaction is disabled');
    expect(out).toContain(`  ${tickText(tick.scheduledAt, 'UTC')}`);
    expect(out).toContain(`run ${tick.runId}`);
  });
});
