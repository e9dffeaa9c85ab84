/** Ends an exhaustive `switch`: a new variant that is not handled fails to compile here. */
export function assertNever(x: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(x)}`);
}
