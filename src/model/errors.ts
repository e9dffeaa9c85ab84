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

/** Why a service refused or failed, so that each front end can answer in its own terms. */
export type Refusal = 'bad-request' | 'not-found' | 'conflict' | 'unreachable';

/**
 * An error of a service called by the CLI and the server alike: one sentence for a person, and
 * the kind of refusal (the server answers 400, 404, 409 or 502; the CLI exits 2 or 1).
 */
export class ServiceError extends UserError {
  constructor(
    message: string,
    readonly refusal: Refusal,
  ) {
    super(message, refusal === 'bad-request' || refusal === 'not-found' ? 2 : 1);
    this.name = 'ServiceError';
  }
}
