import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    testRoot: string;
  }
}

/** Processes whose working directory lies under `root` (every node a test starts runs in one). */
function processesUnder(root: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readlinkSync(`/proc/${entry}/cwd`).startsWith(root)) continue;
      found.push({ pid: Number(entry), cmd: readlinkSync(`/proc/${entry}/exe`) });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** One root per project (integration, lab); its teardown checks that root only. */
export function setup(project: TestProject): () => void {
  if (!existsSync('dist/cli/index.js'))
    throw new Error('dist/ is missing: run `make build` (or `make test`) first');
  const root = mkdtempSync(join(tmpdir(), 'quorum-test-'));
  project.provide('testRoot', root);
  return () => teardown(root);
}

/** Fails the run when any process a test started outlived it (after killing it). */
function teardown(root: string): void {
  const survivors = processesUnder(root).filter((p) => p.pid !== process.pid);
  for (const { pid } of survivors) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // QUORUM_TEST_KEEP=1 keeps the root (logs, configs, drill reports) for a look after a failure
  if (process.env.QUORUM_TEST_KEEP === '1') console.log(`kept the test root ${root}`);
  else rmSync(root, { recursive: true, force: true });
  if (survivors.length > 0) {
    throw new Error(
      `${survivors.length} process(es) survived the suite: ${survivors.map((s) => `${s.pid} ${s.cmd}`).join(', ')}`,
    );
  }
}
