import { describe, expect, it } from 'vitest';
import type { OutageChange } from './outage.js';
import { isStoreUnavailable, markUnavailable, OutageMonitor } from './outage.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it('is true for lost or refused connections and for a locked, failing or full SQLite file', () => {
    for (const code of [
      '57P01',
      '57P03',
      '08006',
      '53300',
      '53100',
      '58030',
      'ECONNREFUSED',
      'ECONNRESET',
      'SQLITE_BUSY',
      'SQLITE_BUSY_SNAPSHOT',
      'SQLITE_IOERR_WRITE',
      'SQLITE_FULL',
      'SQLITE_READONLY',
    ]) {
      expect(isStoreUnavailable(withCode(code)), code).toBe(true);
    }
    expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStoreUnavailable(markUnavailable(withCode('55000', 'database "x" is not currently accepting connections')))).toBe(true);
  });

  it('is false for errors in what was asked', () => {
    for (const code of ['23505', '22P05', '42601', '57014', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CORRUPT', 'ERR_INVALID_ARG_TYPE']) {
      expect(isStoreUnavailable(withCode(code)), code).toBe(false);
    }
    expect(isStoreUnavailable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isStoreUnavailable(undefined)).toBe(false);
    // An outgoing request refused by its target, as the HTTP client reports it.
    expect(isStoreUnavailable(new Error('POST http://x/ failed: connect ECONNREFUSED', { cause: withCode('ECONNREFUSED') }))).toBe(false);
  });
});

describe('OutageMonitor', () => {
  it('reports one outage however many errors come, and its end once the store answers', async () => {
    const changes: OutageChange[] = [];
    let reachable = false;
    const ended = new Promise<void>((resolve) => {
      const monitor = new OutageMonitor(
        async () => {
          if (!reachable) throw withCode('ECONNREFUSED');
        },
        (change) => {
          changes.push(change);
          if (change.state === 'up') resolve();
        },
      );
      for (let i = 0; i < 10; i++) expect(monitor.report(withCode('57P01'))).toBe(true);
      expect(monitor.report(withCode('23505'))).toBe(false);
      expect(monitor.down).toBe(true);
      reachable = true;
    });
    await ended;
    expect(changes.map((c) => c.state)).toEqual(['down', 'up']);
  });
});
