import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinActions } from '../src/integrations/index.js';

/** Every action ships with what users and the UI need: a schema, channels, an example, docs. */
describe('every built-in action', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const action of builtinActions({ scriptsEnabled: false })) {
    it(`${action.name} has a config schema, a failed channel, an example output and a README entry`, () => {
      expect(action.name).toMatch(/^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)*$/);
      expect(action.description.length).toBeGreaterThan(10);
      expect((action.config as { type?: string }).type).toBe('object');
      expect(action.channels).toContain('failed');
      expect(action.exampleOutput).toBeDefined();
      expect(readme).toContain(`| \`${action.name}\` |`);
    });
  }
});
