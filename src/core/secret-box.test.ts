import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, parseMasterKey, seal } from './secret-box.js';

describe('secret box', () => {
  const key = randomBytes(32);

  it('round-trips text, with a fresh IV each time', () => {
    for (const text of ['', 'hunter2!', 'ünïcødé 🔑', 'x'.repeat(70_000)]) expect(open(key, seal(key, text))).toBe(text);
    const a = seal(key, 'same');
    const b = seal(key, 'same');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(a).not.toContain('same');
  });

  it('detects tampering, truncation, a wrong key and an unknown format', () => {
    const sealed = seal(key, 'the value');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    for (const index of [0, 12, 20, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[index]! ^= 1;
      expect(() => open(key, `v1:${changed.toString('base64')}`), `byte ${index}`).toThrow(/failed authentication/);
    }
    expect(() => open(key, `v1:${raw.subarray(0, 20).toString('base64')}`)).toThrow(/truncated/);
    expect(() => open(randomBytes(32), sealed)).toThrow(/wrong master key/);
    expect(() => open(key, sealed.slice(3))).toThrow(/format/);
    expect(() => seal(randomBytes(16), 'x')).toThrow(/32 bytes/);
  });

  it('parses a master key given as base64 or hex, and refuses anything else without echoing it', () => {
    const bytes = randomBytes(32);
    expect(parseMasterKey(bytes.toString('base64')).equals(bytes)).toBe(true);
    expect(parseMasterKey(`${bytes.toString('base64url')}\n`).equals(bytes)).toBe(true);
    expect(parseMasterKey(bytes.toString('hex').toUpperCase()).equals(bytes)).toBe(true);
    for (const bad of [
      '',
      'short',
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      'g'.repeat(64),
      `${'a'.repeat(43)}!`,
    ]) {
      let message = '';
      try {
        parseMasterKey(bad);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, JSON.stringify(bad)).toMatch(/base64.*64 hex digits/);
      if (bad.length > 5) expect(message).not.toContain(bad);
    }
  });
});
