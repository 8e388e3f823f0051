import { describe, expect, it } from 'vitest';
import { parseDatetime } from './datetime.js';

describe('parseDatetime', () => {
  it.each([
    ['2019-02-01 13:28:33', '2019-02-01T13:28:33.000Z'],
    ['2019-02-01T13:28:33', '2019-02-01T13:28:33.000Z'],
    ['2019-02-01T13:28:33Z', '2019-02-01T13:28:33.000Z'],
    ['2019-02-01T13:28:33.123456Z', '2019-02-01T13:28:33.123Z'],
    ['2019-02-01T13:28:33+02:00', '2019-02-01T11:28:33.000Z'],
    ['2019-02-01T13:28:33-0530', '2019-02-01T18:58:33.000Z'],
    ['2019-02-01T13:28', '2019-02-01T13:28:00.000Z'],
    ['2019-02-01', '2019-02-01T00:00:00.000Z'],
    ['2024-02-29 00:00:00', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2019-02-01t13:28:33z', '2019-02-01T13:28:33.000Z'],
    [' 2019-02-01 13:28:33 ', '2019-02-01T13:28:33.000Z'],
    ['0050-02-01 13:28:33', '1950-02-01T13:28:33.000Z'],
    ['0100-03-01T00:00:00Z', '0100-03-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('reads %s as %s', (raw, iso) => {
    expect(parseDatetime(raw)).toBe(iso);
  });

  it('reads the common forms as the general path does, for any valid or invalid field', () => {
    // A leading space sends the same text through the regular expression and Date.UTC.
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let seed = 17;
    const next = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    for (let i = 0; i < 5000; i++) {
      const date = `${pad(next(10000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}`;
      const time = `${pad(next(25), 2)}:${pad(next(61), 2)}:${pad(next(61), 2)}`;
      for (const raw of [`${date} ${time}`, `${date}T${time}Z`, `${date}t${time}z`, `${date}T${time}`]) {
        expect(parseDatetime(raw), raw).toBe(parseDatetime(` ${raw}`));
      }
    }
  });

  it.each([
    '',
    'yesterday',
    '2019-02-30 10:00:00',
    '2023-02-29',
    '2019-13-01',
    '2019-02-01 24:00:00',
    '1900-02-29 00:00:00',
    '2019-04-31T10:00:00Z',
    '2019-02-01T13:60:00Z',
    '1549027713',
    '2019/02/01 13:28:33',
  ])('rejects %j', (raw) => {
    expect(parseDatetime(raw)).toBeNull();
  });
});
