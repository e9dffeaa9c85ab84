import { defineConfig } from 'vitest/config';

/** A stray `.only` fails the run instead of skipping every other test of its file. */
const allowOnly = false;

/** One lab test file as its own project, run in its own group after the ones before it. */
function labProject(name: string, file: string, groupOrder: number) {
  return {
    test: {
      name,
      allowOnly,
      include: [file],
      globalSetup: ['test/global-setup.ts'],
      setupFiles: ['test/mark-processes.ts'],
      testTimeout: 180_000,
      hookTimeout: 90_000,
      sequence: { groupOrder },
    },
  };
}

export default defineConfig({
  test: {
    // two cores: two test files at a time, each in its own process
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          allowOnly,
          include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'bench/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          allowOnly,
          include: ['test/**/*.test.ts'],
          exclude: ['test/lab*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/mark-processes.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 0 },
        },
      },
      // the lab's partition drills measure timings under the heaviest load of the suite: they
      // run after everything else and one file at a time (a group each), so neither they nor
      // other drills share the cores meanwhile
      labProject('lab', 'test/lab.test.ts', 1),
      labProject('lab-drill', 'test/lab-drill.test.ts', 2),
      labProject('lab-cluster', 'test/lab-cluster.test.ts', 3),
      labProject('lab-dashboard', 'test/lab-dashboard.test.ts', 4),
    ],
  },
});
