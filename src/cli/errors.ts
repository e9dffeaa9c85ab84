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
