import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { killLeaks } from './leaks.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testRoot: string;
  }
}

/** One root per project (integration, lab); its teardown checks that root only. */
export function setup(project: TestProject): () => void {
  if (!existsSync('dist/cli/index.js'))
    throw new Error('dist/ is missing: run `make build` (or `make test`) first');
  const root = mkdtempSync(join(tmpdir(), 'quorum-test-'));
  project.provide('testRoot', root);
  return () => endOfSuite(root);
}

/** Fails the run when any process a test started outlived it (after killing it), naming each. */
export function endOfSuite(root: string): void {
  const survivors = killLeaks(root);
  // QUORUM_TEST_KEEP=1 keeps the root (logs, configs, drill reports) for a look after a failure
  if (process.env.QUORUM_TEST_KEEP === '1') console.log(`kept the test root ${root}`);
  else rmSync(root, { recursive: true, force: true });
  if (survivors.length > 0) {
    throw new Error(
      `${survivors.length} process(es) survived the suite: ${survivors.map((s) => `${s.pid} ${s.cmd}`).join(', ')}`,
    );
  }
}
