import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineTestApp } from './support/runtime.js';
import { startEngineApp } from './support/runtime.js';

// The example reactions in examples/ must stay valid as Shipline changes.
const dir = new URL('../examples/reactions/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('examples/reactions', () => {
  let t: EngineTestApp;

  beforeAll(async () => {
    t = await startEngineApp('sqlite');
    for (const name of ['SLACK_WEBHOOK_URL', 'PAGERDUTY_ROUTING_KEY', 'GITHUB_TOKEN', 'AUDIT_TOKEN']) {
      await t.api({ method: 'PUT', url: `/api/v1/secrets/${name}`, payload: { value: 'example-value' } });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('has one example per On Deployment Event use case, and the create-release one', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s is a valid reaction', async (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    const name = /^name: (\S+)$/m.exec(text)![1]!;
    const res = await t.api({
      method: 'PUT',
      url: `/api/v1/reactions/${name}`,
      headers: { 'content-type': 'application/yaml' },
      payload: text,
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});
