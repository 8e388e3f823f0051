import { isIP } from 'node:net';

/**
 * Where a secret may be sent. A pattern is a host name (`api.example.com`), an IP address, or
 * `*.` and a domain (`*.datadoghq.com`), which matches every name under that domain but not the
 * domain itself. Ports and schemes are not part of a pattern: the binding is about who receives
 * the value, and the SSRF guard already decides which addresses can be reached at all.
 */

/** At most this many hosts per secret. */
export const MAX_SECRET_HOSTS = 20;

const LABEL = '[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})*$`);

/** The pattern as stored (lower case, IPv6 without brackets), or a reason it is refused. */
export function normalizeHostPattern(raw: string): { ok: true; pattern: string } | { ok: false; reason: string } {
  const pattern = raw.trim().toLowerCase().replace(/\.$/, '');
  const bare = pattern.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 6) return { ok: true, pattern: bare };
  if (pattern.length === 0 || pattern.length > 253 || !HOST_NAME.test(pattern)) {
    return { ok: false, reason: `"${raw}" is not a host name or *.domain pattern (no scheme, port or path)` };
  }
  if (pattern.startsWith('*.') && !pattern.slice(2).includes('.')) {
    return { ok: false, reason: `"${raw}" would match a whole top-level domain` };
  }
  return { ok: true, pattern };
}

/** Whether a URL's host name (as `new URL().hostname` gives it) is one a pattern names. */
export function hostMatches(hostname: string, pattern: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}
