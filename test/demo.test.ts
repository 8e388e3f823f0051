import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../src/demo/index.js';
import type { RunningDemo } from '../src/demo/index.js';
import { eventually } from './support/sink.js';

interface Run {
  id: string;
  status: string;
  steps?: Array<{ id: string; channel: string | null; output: unknown }>;
}
interface Deploy {
  id: string;
  source: string;
  status: string;
  environment: string | null;
  serviceAlias: string;
  deployedAt: string;
  commit: { date: string | null } | null;
}

/** Counts of the handle kinds that would keep a process alive after the demo closes. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (/TCP|Timeout|FSReq/.test(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('shipline demo', () => {
  let demo: RunningDemo;
  const lines: string[] = [];
  let before: Record<string, number>;

  beforeAll(async () => {
    before = handles();
    demo = await startDemo({
      port: 0,
      print: (line) => lines.push(line),
      logLevel: 'silent',
      timings: { queuedMs: 20, executingMs: 100, deployMinMs: 50, deployMaxMs: 150, octopusEveryMs: 400, approveAfterMs: 200, pollMs: 50 },
    });
  });
  afterAll(async () => {
    await demo.close();
  });

  async function get<T>(path: string): Promise<T> {
    const res = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${demo.token}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  }

  it('prints the URL, the token, the export line, commands to try and the Octopus stand-in', () => {
    const text = lines.join('\n');
    expect(text).toContain(demo.url);
    expect(text).toContain(`export SHIPLINE_URL=${demo.url} SHIPLINE_TOKEN=${demo.token}`);
    for (const command of ['shipline deploys list', 'shipline runs list', 'shipline events tail', 'shipline insights dora'])
      expect(text).toContain(command);
    expect(text).toContain(demo.octopusUrl);
    expect(text).toContain(demo.octopusApiKey);
    expect(text).toContain(`Sign in as        ${demo.user.email}   password ${demo.user.password}`);
  });

  it('prints a sign-in that opens the web UI', async () => {
    const signIn = await fetch(`${demo.url}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(demo.user),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const deploys = await fetch(`${demo.url}/api/v1/deploys`, { headers: { cookie } });
    expect(deploys.status).toBe(200);
    const page = await fetch(`${demo.url}/deploys`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root"></div>');
  });

  it('records deploys from several pipelines', async () => {
    const deploys = await eventually(
      async () => {
        const { items } = await get<{ items: Deploy[] }>('/api/v1/deploys?limit=100');
        const custom = items.filter((d) => d.source === 'custom');
        return custom.length >= 6 && new Set(custom.map((d) => d.serviceAlias)).size >= 3 ? custom : undefined;
      },
      20_000,
      'deploys from the pipelines',
    );
    expect(deploys.every((d) => d.status === 'succeeded')).toBe(true);
    // Commit times before the deploy give Insights its lead times.
    expect(deploys.every((d) => d.commit?.date && d.commit.date < d.deployedAt)).toBe(true);
  });

  it('promotes an Octopus release from Staging to Production once the demo approves it', async () => {
    const run = await eventually(
      async () => {
        const { items } = await get<{ items: Run[] }>('/api/v1/runs?reaction=promote-to-production&status=succeeded');
        return items[0] ? get<Run>(`/api/v1/runs/${items[0].id}`) : undefined;
      },
      20_000,
      'a promotion that succeeded',
    );
    expect(run.steps?.find((s) => s.id === 'gate')?.channel).toBe('approved');
    const production = run.steps?.find((s) => s.id === 'production');
    expect(production?.channel).toBe('success');
    expect(production?.output).toMatchObject({ data: { taskState: 'Success' } });
    expect(lines.some((l) => l.includes(`shipline runs approve ${run.id} gate`))).toBe(true);
    const { items } = await get<{ items: Deploy[] }>('/api/v1/deploys?environment=Production&limit=200');
    expect(items.some((d) => d.source === 'octopus' && d.status === 'succeeded')).toBe(true);
  });

  it('tells the Slack stand-in about the failed Production deployment', async () => {
    const message = await eventually(
      async () => demo.slack.messages.find((m) => /Payments API \S+ failed to deploy to Production/.test(m)),
      20_000,
      'a Slack message about the failure',
    );
    expect(lines).toContain(`[slack] ${message}`);
  });

  it('turns deploys of an unknown service into a suggestion', async () => {
    const suggestion = await eventually(
      async () => {
        const { items } = await get<{ items: Array<{ alias: string; deployCount: number }> }>('/api/v1/suggestions');
        return items.find((s) => s.alias === 'recommendations');
      },
      20_000,
      'a suggestion',
    );
    expect(suggestion.deployCount).toBeGreaterThan(0);
  });

  it('close() stops everything and removes its data directory', async () => {
    expect(fs.existsSync(demo.dataDir)).toBe(true);
    await demo.close();
    expect(fs.existsSync(demo.dataDir)).toBe(false);
    await expect(fetch(`${demo.url}/healthz`)).rejects.toThrow();
    await expect(fetch(`${demo.octopusUrl}/api`)).rejects.toThrow();
    await expect(fetch(`${demo.slack.url}/services/T0/B0/demo`, { method: 'POST', body: '{}' })).rejects.toThrow();
    // Sockets wind down as their peers close: poll for the process's handles to be back to before.
    let after = handles();
    await eventually(
      async () => {
        after = handles();
        return Object.entries(after).every(([kind, n]) => n <= (before[kind] ?? 0)) ? true : undefined;
      },
      5000,
      'no handles left',
    ).catch((err: Error) => {
      throw new Error(`${err.message}: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
    });
  });
});
