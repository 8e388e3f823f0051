import type { TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { CONNECTION_TYPES } from './connection-types.js';

/** A connection form labels each field with its declared title; the docs show it too. Nothing is guessed from a field's name. */
describe('connection fields declare their UI metadata', () => {
  const fields = (schema: TSchema) => Object.entries((schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {});

  it.each(CONNECTION_TYPES.map((t) => [t.type, t] as const))('%s: every config and secret field has a title', (_, type) => {
    for (const [name, field] of [...fields(type.config), ...fields(type.secrets)]) {
      expect(typeof field.title, `${type.type}.${name}`).toBe('string');
      expect(String(field.title).trim(), `${type.type}.${name}`).not.toBe('');
      if (field.placeholder !== undefined) expect(typeof field.placeholder, `${type.type}.${name}.placeholder`).toBe('string');
      if (field.examples !== undefined) expect(Array.isArray(field.examples), `${type.type}.${name}.examples`).toBe(true);
      if (field.sensitive !== undefined) expect(typeof field.sensitive, `${type.type}.${name}.sensitive`).toBe('boolean');
    }
  });
});
