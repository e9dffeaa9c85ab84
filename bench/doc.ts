import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Replaces (or appends) the section that starts with `## title` in docs/benchmarks.md. */
export function writeSection(title: string, section: string): void {
  const doc = join(root, 'docs/benchmarks.md');
  const current = existsSync(doc)
    ? readFileSync(doc, 'utf8')
    : '# Benchmarks\n\nEach section names the command that produced it. Timings come from a shared 2-core machine; compare the ratios within one run.\n\n';
  const start = current.indexOf(`## ${title}`);
  const next = start < 0 ? -1 : current.indexOf('\n## ', start + 1);
  const updated =
    start < 0
      ? `${current.trimEnd()}\n\n${section}`
      : `${current.slice(0, start)}${section}${next < 0 ? '' : current.slice(next + 1)}`;
  writeFileSync(doc, updated);
  // tables come out aligned as the format check in `make test` wants them
  spawnSync('npx', ['prettier', '--write', doc], { stdio: 'ignore' });
  process.stdout.write(`\n${section}`);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
