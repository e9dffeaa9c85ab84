/**
 * An error meant for a person: `message` is one sentence (what, why, what to do). The CLI prints
 * it without a stack trace and exits with `exitCode` (2 for bad usage, 1 for everything else).
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
