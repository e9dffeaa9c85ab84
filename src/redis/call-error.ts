/** Raised by a link when a call cannot complete; `message` is one sentence for a person. */
export class RedisCallError extends Error {
  constructor(
    message: string,
    readonly reason:
      'refused' | 'timeout' | 'protocol' | 'auth' | 'denied' | 'tls' | 'reply' | 'unreachable',
  ) {
    super(message);
    this.name = 'RedisCallError';
  }
}
