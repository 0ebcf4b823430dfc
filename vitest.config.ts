import { defineConfig } from 'vitest/config';

// Two projects, chosen by where a test file lives and how it is named (test/README.md), never
// by a list: `integration` is test/e2e/** and every *.int.test.ts (installed tools, registries,
// child processes, the built CLI); `unit` is every other test file, and its setup file makes
// starting a process throw. `npm run test:unit` runs `unit`; `npm test` runs both.
const INTEGRATION = ['test/e2e/**/*.test.ts', 'test/**/*.int.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: INTEGRATION,
          setupFiles: ['./test/setup/no-child-process.ts', './test/setup/temp-cleanup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: INTEGRATION, setupFiles: ['./test/setup/temp-cleanup.ts'] },
      },
    ],
  },
});
