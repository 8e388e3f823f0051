import { describe, expect, it } from 'vitest';
import { hostMatches, normalizeHostPattern } from './secret-hosts.js';

describe('secret host patterns', () => {
  it('keeps host names, IPs and *.domain patterns, in lower case', () => {
    expect(normalizeHostPattern('API.Example.com')).toEqual({ ok: true, pattern: 'api.example.com' });
    expect(normalizeHostPattern('*.datadoghq.com')).toEqual({ ok: true, pattern: '*.datadoghq.com' });
    expect(normalizeHostPattern('127.0.0.1')).toEqual({ ok: true, pattern: '127.0.0.1' });
    expect(normalizeHostPattern('[::1]')).toEqual({ ok: true, pattern: '::1' });
  });

  it('refuses URLs, ports, paths, bare wildcards and whole top-level domains', () => {
    for (const bad of [
      'https://api.example.com',
      'api.example.com:443',
      'api.example.com/x',
      '*',
      '*.com',
      'a..b',
      '',
      'exa mple.com',
      '*.*.example.com',
      'abc.de:443',
    ]) {
      expect(normalizeHostPattern(bad).ok, bad).toBe(false);
    }
  });

  it('matches a name exactly, or any name under a *.domain but not the domain itself', () => {
    expect(hostMatches('api.example.com', 'api.example.com')).toBe(true);
    expect(hostMatches('API.EXAMPLE.COM.', 'api.example.com')).toBe(true);
    expect(hostMatches('api.example.com.evil.test', 'api.example.com')).toBe(false);
    expect(hostMatches('us5.api.datadoghq.com', '*.datadoghq.com')).toBe(true);
    expect(hostMatches('datadoghq.com', '*.datadoghq.com')).toBe(false);
    expect(hostMatches('evildatadoghq.com', '*.datadoghq.com')).toBe(false);
    expect(hostMatches('[::1]', '::1')).toBe(true);
  });
});
