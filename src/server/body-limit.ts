import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiError } from './contract.js';

/**
 * The largest request body any route reads. The biggest real body (a drill request, a network
 * fault with its members) is a few KiB.
 * @default 1 MiB
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Refuses a body over `maxBytes` with 413 before it is buffered: a declared Content-Length is
 * refused before anything is read, a chunked body as soon as the count passes the limit.
 * `Connection: close` ends the connection once the answer is sent (@hono/node-server then
 * discards at most 64 MiB for 500 ms and closes the socket), so the rest is never kept.
 */
export function limitBody(maxBytes = MAX_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      c.header('Connection', 'close');
      return c.json<ApiError>(
        { error: `the request body is larger than ${maxBytes} bytes, the most this server reads` },
        413,
      );
    },
  });
}
