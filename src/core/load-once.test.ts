import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once.js';

describe('loadOnce', () => {
  it('shares one load between concurrent first calls and later ones', async () => {
    let loads = 0;
    const get = loadOnce(async () => {
      loads++;
      await new Promise((resolve) => setImmediate(resolve));
      return { loaded: loads };
    });
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(loads).toBe(1);
  });

  it('tries a failed load again on the next call', async () => {
    let attempts = 0;
    const get = loadOnce(async () => {
      if (++attempts === 1) throw new Error('not yet');
      return attempts;
    });
    await expect(get()).rejects.toThrow('not yet');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
  });
});
