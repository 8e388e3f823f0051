import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the tests that need no build, no database and no browser (the unit tests
 * beside the code, the Octopus simulator's suite, which runs in process, and the check of the
 * store's row types against the schema snapshots), in seconds.
 * `npm test` runs these and every other suite (vitest.config.ts).
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'test/octopus-sim.test.ts', 'test/schema/row-types.test.ts'],
    // One module graph per worker thread instead of one per file: these files share no global
    // state, and importing the graph per file was three quarters of the run's CPU time.
    pool: 'threads',
    isolate: false,
    testTimeout: 30_000,
  },
});
