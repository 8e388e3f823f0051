import { describe, expect, it } from 'vitest';
import { parseDeployPayload } from './deploy-payload.js';

const minimal = { service: 'cart', description: 'd', deployed_at: '2024-01-01 00:00:00', deployer: { email: 'a@b.c' } };

describe('parseDeployPayload', () => {
  it('reads a minimal body, leaving optional fields null', () => {
    const parsed = parseDeployPayload(minimal);
    expect(parsed).toEqual({
      ok: true,
      input: {
        service: 'cart',
        description: 'd',
        deployedAt: '2024-01-01T00:00:00.000Z',
        environment: null,
        deployUrl: null,
        deployNumber: null,
        dedupId: null,
        deployer: { id: null, email: 'a@b.c', name: null },
        commit: null,
      },
    });
  });

  it('records a deploy posted as failed as failed, in the words pipelines use, and refuses any other status', () => {
    const status = (value: unknown) => {
      const parsed = parseDeployPayload({ ...minimal, status: value });
      return parsed.ok ? parsed.input.status : parsed.errors.map((e) => e.detail);
    };
    expect(status('failed')).toBe('failed');
    expect(status('Failure')).toBe('failed');
    expect(status('error')).toBe('failed');
    expect(status('success')).toBe('succeeded');
    expect(status('')).toBeUndefined();
    expect(status(null)).toBeUndefined();
    expect(status('in_progress')).toEqual(['param must be succeeded or failed: status']);
    expect(status(true)).toEqual(['param must be a string: status']);
  });

  it('accepts numbers where pipelines send them for string fields', () => {
    const parsed = parseDeployPayload({ ...minimal, deploy_number: 234, dedup_id: 99 });
    expect(parsed.ok && [parsed.input.deployNumber, parsed.input.dedupId]).toEqual(['234', '99']);
  });

  it('humanizes nested field names in titles', () => {
    const parsed = parseDeployPayload({ ...minimal, commit: { authoring_date: 'x', sha: true } });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.title)).toEqual(['Commit sha Error', 'Commit authoring date Error']);
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'x', 5]) expect(parseDeployPayload(body).ok).toBe(false);
  });
});
