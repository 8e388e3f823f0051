import { describe, expect, it } from 'vitest';
import { NonRetriableError } from '../../engine/action.js';
import { SsrfRefusedError, classifyAddress, createAddressPolicy, unmapIPv4 } from './ssrf.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.5', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'cloud metadata'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });

  it.each([
    ['64:ff9b::127.0.0.1', 'NAT64-embedded loopback'],
    ['64:ff9b::a00:1', 'NAT64-embedded private'],
    ['64:FF9B:0:0:0:0:a9fe:a9fe', 'NAT64-embedded cloud metadata'],
    ['2002:7f00:1::', '6to4-embedded loopback'],
    ['2002:c0a8:101:1::1', '6to4-embedded private'],
    ['::127.0.0.1', 'IPv4-compatible-embedded loopback'],
    ['::a9fe:a9fe', 'IPv4-compatible-embedded cloud metadata'],
    ['::ffff:0:7f00:1', 'SIIT-embedded loopback'],
    ['::ffff:0:10.0.0.1', 'SIIT-embedded private'],
  ])('%s carries a non-public IPv4 address: %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['64:ff9b::8.8.8.8', '2002:808:808::1', '::8.8.8.8', '::ffff:0:8.8.8.8'])(
    '%s carries a public IPv4 address: public',
    (address) => {
      expect(classifyAddress(address)).toBeUndefined();
    },
  );

  it('unmaps IPv4-mapped IPv6 in any spelling', () => {
    expect(unmapIPv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(unmapIPv4('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(unmapIPv4('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('createAddressPolicy', () => {
  it('refuses with a NonRetriableError naming host, address and the setting', () => {
    const policy = createAddressPolicy([]);
    const error = (() => {
      try {
        policy.check('metadata.internal', '169.254.169.254');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SsrfRefusedError);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/metadata\.internal.*169\.254\.169\.254.*SHIPLINE_ALLOW_HOSTS/);
  });

  it('lets public addresses through', () => {
    expect(() => createAddressPolicy([]).check('example.com', '93.184.215.14')).not.toThrow();
  });

  it('allows host names exactly and case-insensitively', () => {
    const policy = createAddressPolicy(['Hooks.Internal']);
    expect(() => policy.check('hooks.internal', '10.1.2.3')).not.toThrow();
    expect(() => policy.check('HOOKS.INTERNAL.', '10.1.2.3')).not.toThrow();
    expect(() => policy.check('evil.hooks.internal', '10.1.2.3')).toThrow(SsrfRefusedError);
    expect(policy.isAllowedHost('hooks.internal')).toBe(true);
    expect(policy.isAllowedHost('other')).toBe(false);
  });

  it('allows IP addresses and CIDRs, v4 and v6, also when mapped', () => {
    const policy = createAddressPolicy(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(() => policy.check('a', '127.0.0.1')).not.toThrow();
    expect(() => policy.check('a', '::ffff:127.0.0.1')).not.toThrow();
    expect(() => policy.check('a', '127.0.0.2')).toThrow(SsrfRefusedError);
    expect(() => policy.check('a', '10.200.0.1')).not.toThrow();
    expect(() => policy.check('a', '::1')).not.toThrow();
    expect(() => policy.check('a', 'fd00:ec2::254')).not.toThrow();
    expect(() => policy.check('a', '192.168.0.1')).toThrow(SsrfRefusedError);
    expect(policy.isAllowedHost('[::1]')).toBe(true);
  });

  it('keeps its verdicts per host and address, the same on every call and past the kept limit', () => {
    const policy = createAddressPolicy(['hooks.internal', '10.9.0.0/16']);
    for (let round = 0; round < 2; round++) {
      // Thousands of distinct pairs, more than the policy keeps: each asked twice in a row.
      for (let i = 0; i < 3000; i++) {
        const address = `10.${(i >> 8) & 0xff}.${i & 0xff}.1`;
        const allowed = address.startsWith('10.9.');
        for (let ask = 0; ask < 2; ask++) {
          if (allowed) expect(() => policy.check('x', address)).not.toThrow();
          else expect(() => policy.check('x', address)).toThrow(/private/);
        }
      }
      // The host is part of the verdict: the same address is allowed for one name only.
      expect(() => policy.check('hooks.internal', '10.1.2.3')).not.toThrow();
      expect(() => policy.check('evil.example', '10.1.2.3')).toThrow(SsrfRefusedError);
      expect(() => policy.check('evil.example', '169.254.169.254')).toThrow(/cloud metadata/);
      expect(() => policy.check('evil.example', '93.184.215.14')).not.toThrow();
    }
  });

  it('rejects a malformed CIDR in the allow list', () => {
    expect(() => createAddressPolicy(['10.0.0.0/33'])).toThrow(/SHIPLINE_ALLOW_HOSTS.*CIDR/);
    expect(() => createAddressPolicy(['nothost/8'])).toThrow(/CIDR/);
  });
});
