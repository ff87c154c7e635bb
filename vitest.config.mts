import { defineConfig } from 'vitest/config';

// The deployment package test runs `npm ci --omit=dev` (tens of thousands of files): it runs in a
// group of its own, after everything else, so its disk and CPU load cannot skew the tests that
// count calls per second across processes.
const PACKAGE_TEST = 'test/build/deploymentPackage.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'topdeck', include: ['test/**/*.test.ts'], exclude: [PACKAGE_TEST], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'package', include: [PACKAGE_TEST], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
