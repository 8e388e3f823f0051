import { beforeEach, describe, expect, it, vi } from 'vitest';

// prom-client as a stand-in that counts the registries made and can fail the next load, so the
// first-scrape loading of the process's metrics can be watched (decision 0061).
const promClient = vi.hoisted(() => ({ registries: 0, failNext: false }));
vi.mock('prom-client', () => ({
  Registry: class {
    constructor() {
      if (promClient.failNext) {
        promClient.failNext = false;
        throw new Error('prom-client failed to load');
      }
      promClient.registries++;
    }
    async metrics() {
      return '# process metrics\n';
    }
  },
  collectDefaultMetrics: () => undefined,
}));

const { createMetrics } = await import('./metrics.js');

beforeEach(() => {
  promClient.registries = 0;
  promClient.failNext = false;
});

describe('createMetrics', () => {
  it('sets up the process metrics once, at the first scrape, however many scrapes run at once', async () => {
    const metrics = createMetrics();
    expect(promClient.registries).toBe(0);
    const bodies = await Promise.all([metrics.render(), metrics.render(), metrics.render()]);
    await metrics.render();
    expect(promClient.registries).toBe(1);
    for (const body of bodies) expect(body.startsWith('# process metrics\n')).toBe(true);
  });

  it('tries the process metrics again at the next scrape after a failed load', async () => {
    const metrics = createMetrics();
    promClient.failNext = true;
    await expect(metrics.render()).rejects.toThrow('prom-client failed to load');
    await expect(metrics.render()).resolves.toContain('# process metrics');
    expect(promClient.registries).toBe(1);
  });

  it("renders Shipline's ingest counter by result after the process's and the requests' metrics", async () => {
    const metrics = createMetrics();
    metrics.ingested.inc('ok');
    metrics.ingested.inc('ok');
    metrics.ingested.inc('duplicate_deploy');
    const body = await metrics.render();
    expect(body).toMatch(/^shipline_deploys_ingested_total\{result="ok"\} 2$/m);
    expect(body).toMatch(/^shipline_deploys_ingested_total\{result="duplicate_deploy"\} 1$/m);
    expect(body.indexOf('# TYPE shipline_deploys_ingested_total counter')).toBeGreaterThan(body.indexOf('# process metrics'));
  });
});
