/**
 * Checks a reply's shape before anything reads it: each checker returns a typed value or throws
 * a `ReplyShapeError` naming the command and what came instead, so a server that answers with
 * the wrong types is reported as such, never read as empty or healthy.
 */

/** A reply of the wrong shape; `describeRedisError` turns it into a sentence about the server. */
export class ReplyShapeError extends Error {
  constructor(
    readonly command: string,
    readonly what: string,
  ) {
    super(`${command} replied with ${what}`);
    this.name = 'ReplyShapeError';
  }
}

/** What a reply is, in words: `an integer`, `nil`, `an array of 3`, `a string ("OK")`. */
export function shapeOf(reply: unknown): string {
  if (reply === null || reply === undefined) return 'nil';
  if (typeof reply === 'number') return 'an integer';
  if (typeof reply === 'string')
    return `a string (${JSON.stringify(reply.length > 20 ? `${reply.slice(0, 20)}...` : reply)})`;
  if (Array.isArray(reply)) return `an array of ${String(reply.length)}`;
  if (Buffer.isBuffer(reply)) return 'binary data';
  return typeof reply;
}

function wrong(command: string, reply: unknown, expected: string): ReplyShapeError {
  return new ReplyShapeError(command, `${shapeOf(reply)}, not ${expected}`);
}

/** A bulk or status string: INFO, CLUSTER NODES, CKQUORUM's OK. */
export function textReply(command: string, reply: unknown): string {
  if (typeof reply !== 'string') throw wrong(command, reply, 'text');
  return reply;
}

/**
 * A flat `[k1, v1, k2, v2, ...]` array of strings (SENTINEL MASTER, one entry of SENTINEL
 * REPLICAS): every key a string, every value a string or an integer, and `required` present.
 */
export function pairsReply(
  command: string,
  reply: unknown,
  required: readonly string[] = [],
): Record<string, string> {
  if (!Array.isArray(reply) || reply.length % 2 !== 0)
    throw wrong(command, reply, 'a list of field/value pairs');
  const record: Record<string, string> = {};
  for (let i = 0; i < reply.length; i += 2) {
    const key: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (typeof key !== 'string' || (typeof value !== 'string' && typeof value !== 'number'))
      throw new ReplyShapeError(
        command,
        `${shapeOf(key)} = ${shapeOf(value)} in a list of field/value pairs`,
      );
    record[key] = String(value);
  }
  const missing = required.filter((k) => !(k in record));
  if (missing.length > 0)
    throw new ReplyShapeError(command, `field/value pairs without ${missing.join(', ')}`);
  return record;
}

/** An array of pair lists (SENTINEL REPLICAS / SENTINELS / MASTERS), each checked as above. */
export function listOfPairsReply(
  command: string,
  reply: unknown,
  required: readonly string[] = [],
): Record<string, string>[] {
  if (!Array.isArray(reply)) throw wrong(command, reply, 'a list of entries');
  return Array.from(reply as unknown[], (entry) => pairsReply(command, entry, required));
}

/** SENTINEL GET-MASTER-ADDR-BY-NAME: `[host, port]`, or nil when the name is unknown. */
export function hostPortReply(
  command: string,
  reply: unknown,
): { host: string; port: number } | null {
  if (reply === null) return null;
  if (!Array.isArray(reply) || reply.length !== 2) throw wrong(command, reply, '[host, port]');
  const host: unknown = reply[0];
  const portText: unknown = reply[1];
  const port = Number(portText);
  if (typeof host !== 'string' || host === '' || !Number.isInteger(port) || port <= 0)
    throw new ReplyShapeError(
      command,
      `[${shapeOf(host)}, ${shapeOf(portText)}], not [host, port]`,
    );
  return { host, port };
}

/** ROLE: an array whose first element names the role. */
export function roleReply(command: string, reply: unknown): string {
  const first: unknown = Array.isArray(reply) ? reply[0] : undefined;
  if (typeof first !== 'string') throw wrong(command, reply, 'an array starting with the role');
  return first;
}

/** An integer reply: COUNTKEYSINSLOT, DBSIZE, SCARD. */
export function integerReply(command: string, reply: unknown): number {
  if (typeof reply !== 'number' || !Number.isInteger(reply))
    throw wrong(command, reply, 'an integer');
  return reply;
}

/** An array of strings: SMEMBERS. */
export function stringsReply(command: string, reply: unknown): string[] {
  if (!Array.isArray(reply)) throw wrong(command, reply, 'a list of strings');
  return Array.from(reply as unknown[], (item) => {
    if (typeof item !== 'string') throw wrong(command, item, 'a string in a list of strings');
    return item;
  });
}

/** An array of binary strings, as a `...Buffer` call returns them: GETKEYSINSLOT's key names. */
export function buffersReply(command: string, reply: unknown): Buffer[] {
  if (!Array.isArray(reply)) throw wrong(command, reply, 'a list of key names');
  return Array.from(reply as unknown[], (item) => {
    if (!Buffer.isBuffer(item)) throw wrong(command, item, 'a key name in a list of key names');
    return item;
  });
}
