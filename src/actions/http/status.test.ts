import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_AFTER_MS, parseBody, retryAfterMs, statusExpected } from './status.js';

describe('statusExpected', () => {
  it('defaults to any 2xx', () => {
    expect(statusExpected(204, undefined)).toBe(true);
    expect(statusExpected(302, undefined)).toBe(false);
  });

  it('matches numbers, numeric strings and classes', () => {
    expect(statusExpected(404, [200, '404'])).toBe(true);
    expect(statusExpected(302, ['3XX'])).toBe(true);
    expect(statusExpected(200, ['3xx', 201])).toBe(false);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, defaulting when absent or unreadable', () => {
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBe(DEFAULT_RETRY_AFTER_MS);
    expect(retryAfterMs('soon', now)).toBe(DEFAULT_RETRY_AFTER_MS);
  });
});

describe('parseBody', () => {
  it('parses JSON media types and keeps anything else as text', () => {
    expect(parseBody('{"a":1}', 'application/json; charset=utf-8')).toEqual({ a: 1 });
    expect(parseBody('{"a":1}', 'application/problem+json')).toEqual({ a: 1 });
    expect(parseBody('{"a":1}', 'text/plain')).toBe('{"a":1}');
    expect(parseBody('{"a":', 'application/json')).toBe('{"a":');
  });
});
