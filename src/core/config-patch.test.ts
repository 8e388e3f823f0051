import { describe, expect, it } from 'vitest';
import { patchedConfig } from './config-patch.js';

describe('a connection settings patch', () => {
  it('replaces the fields given, removes those given as null, keeps the rest', () => {
    expect(patchedConfig({ owner: 'acme', repo: 'shop', apiUrl: 'https://ghe/api/v3' }, { repo: 'site', apiUrl: null })).toEqual({
      owner: 'acme',
      repo: 'site',
    });
  });

  it('changes nothing for an empty patch, and never the stored object', () => {
    const stored = { owner: 'acme' };
    expect(patchedConfig(stored, {})).toEqual({ owner: 'acme' });
    patchedConfig(stored, { owner: null });
    expect(stored).toEqual({ owner: 'acme' });
  });
});
