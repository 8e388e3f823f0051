import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the tests that need no build, no database and no browser (the unit tests
 * beside the code, the Octopus simulator's suite, which runs in process, and the check of the
 * store's row types against the schema snapshots), in seconds.
 * `npm test` runs these and every other suite (vitest.config.ts).
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/octopus-sim.test.ts', 'test/schema/row-types.test.ts'],
    testTimeout: 30_000,
  },
});
