import { CommanderError, InvalidArgumentError } from 'commander';
import { UserError } from '../model/index.js';

/** Parses a whole-number option; commander turns the error into a usage error (exit 2). */
export function intOption(min: number, max: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    const n = Number(value);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** Prints an error as one sentence (a stack only with --debug) and returns the exit code. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UserError) {
    process.stderr.write(`quorum: ${err.message}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`quorum: unexpected error: ${message} (run with --debug for details)\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}

/** Edits (insert, delete, replace) from `a` to `b`. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** The option `word` was most likely meant to be (a typo), or null when none is near (pure). */
export function closest(word: string, options: readonly string[]): string | null {
  let best: { option: string; d: number } | null = null;
  for (const option of options) {
    const d = distance(word.toLowerCase(), option);
    if (best === null || d < best.d) best = { option, d };
  }
  return best !== null && best.d <= Math.max(2, Math.floor(word.length / 4)) ? best.option : null;
}
