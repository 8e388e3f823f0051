import { afterEach, describe, expect, it, vi } from 'vitest';
import { scriptUser } from './script-user.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('scriptUser', () => {
  it('as root: the configured user, default nobody, and no switch for root itself', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    expect(await scriptUser(undefined)).toEqual({ name: 'nobody', uid: 65534, gid: 65534 });
    expect(await scriptUser('1001')).toEqual({ name: '1001', uid: 1001, gid: 1001 });
    expect(await scriptUser('1001:2002')).toEqual({ name: '1001:2002', uid: 1001, gid: 2002 });
    expect(await scriptUser('root')).toBeUndefined();
  });

  it('not root: its own user, and an error naming another one rather than a silent root-less run', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    expect(await scriptUser(undefined)).toBeUndefined();
    expect(await scriptUser('1000')).toBeUndefined();
    await expect(scriptUser('nobody')).rejects.toThrow(
      'script: SHIPLINE_SCRIPT_USER=nobody needs Shipline to run as root (it runs as uid 1000 and cannot switch users)',
    );
  });
});
