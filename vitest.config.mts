import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Groups run one after another. The tests that count calls per second across OS processes run
// alone, one file at a time, so that the rest of the suite's CPU load cannot bunch their calls;
// the deployment package test runs `npm ci --omit=dev` (tens of thousands of files) last.
const TIMING_TESTS = 'test/**/*.processes.test.ts';
const PACKAGE_TEST = 'test/build/deploymentPackage.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    // vitest's default is one worker less than the cores, which on CI's 2 cores runs the 105 files
    // one at a time while the main process (which only hands out files and collects results)
    // keeps a core idle. Two workers there; on more cores the default stands.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'topdeck',
          include: ['test/**/*.test.ts'],
          exclude: [TIMING_TESTS, PACKAGE_TEST],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'timing', include: [TIMING_TESTS], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'package', include: [PACKAGE_TEST], sequence: { groupOrder: 2 } },
      },
    ],
  },
});
