import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { Leak } from './leaks.js';
import { killLeaks } from './leaks.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testRoot: string;
  }
}

/** One root per project (integration, lab); its teardown checks that root only. */
export function setup(project: TestProject): () => Promise<void> {
  if (!existsSync('dist/cli/index.js'))
    throw new Error('dist/ is missing: run `make build` (or `make test`) first');
  const root = mkdtempSync(join(tmpdir(), 'quorum-test-'));
  project.provide('testRoot', root);
  return () => endOfSuite(root);
}

/**
 * Fails the run when any process a test started outlived it (after killing it), naming each; the
 * root is removed after, and a failure to remove it never hides the leaks.
 */
export async function endOfSuite(root: string): Promise<void> {
  const { killed, left } = await killLeaks(root);
  let removal: string | null = null;
  // QUORUM_TEST_KEEP=1 keeps the root (logs, configs, drill reports) for a look after a failure
  if (process.env.QUORUM_TEST_KEEP === '1') console.log(`kept the test root ${root}`);
  else
    try {
      rmSync(root, { recursive: true, force: true });
    } catch (err) {
      removal = `the test root ${root} could not be removed: ${err instanceof Error ? err.message : String(err)}`;
    }
  const name = (leaks: Leak[]) => leaks.map((s) => `${s.pid} ${s.cmd}`).join(', ');
  if (killed.length > 0) {
    const still = left.length > 0 ? `; still running after every kill: ${name(left)}` : '';
    throw new Error(
      `${killed.length} process(es) survived the suite: ${name(killed)}${still}${removal ? `; ${removal}` : ''}`,
    );
  }
  if (removal !== null) throw new Error(removal);
}
