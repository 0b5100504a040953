import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Files that change process-wide state other files read: register.test.ts and setup-finding.test.ts add to the
// variant registry (KERNELS, allVariants()). They run in a fresh module graph of their own.
const ISOLATED = ['test/model/register.test.ts', 'test/cli/setup-finding.test.ts'];

const shared = {
  setupFiles: ['test/setup.ts'],
  testTimeout: 120_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores, which on a 2-core machine runs the
    // files one at a time; the main process mostly waits, so use every core.
    maxWorkers: availableParallelism(),
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ['default', ['json', { outputFile: 'out/vitest-report.json' }]],
    projects: [
      // Most files only read the model: they share one module graph per worker, so the model
      // and the CLI are imported once per worker rather than once per file (setup.ts still runs
      // before each file, resetting fast-check's global seed and run count).
      { extends: false, test: { ...shared, name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false } },
      { extends: false, test: { ...shared, name: 'isolated', include: ISOLATED, isolate: true } },
    ],
  },
});
