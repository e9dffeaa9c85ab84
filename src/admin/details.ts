import type { Deployment } from '../deployment/index.js';
import { ServiceError } from '../model/index.js';
import { describeRedisError, pairsToRecord, parseInfo } from '../redis/index.js';

/** One node's full INFO, and CONFIG for a data node, as read now. */
export interface NodeDetails {
  addr: string;
  kind: 'redis' | 'sentinel';
  /** INFO, by section. */
  info: Record<string, Record<string, string>>;
  /** CONFIG GET * for data nodes, with secrets replaced by `(redacted)`. */
  config: Record<string, string>;
}

/** Config keys whose values never leave quorum (passwords reach neither browser nor logs). */
const SECRET_KEY = /pass|auth|secret/i;

/** Config with secret values replaced, keys sorted. */
export function redactConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => [key, SECRET_KEY.test(key) && value !== '' ? '(redacted)' : value]),
  );
}

/** Full INFO (and CONFIG for data nodes) of one node of a deployment, fetched now. */
export async function nodeDetails(d: Deployment, addr: string): Promise<NodeDetails> {
  const isSentinel = d.isSentinel(addr);
  if (!isSentinel && !d.isNode(addr))
    throw new ServiceError(`no node ${addr} in '${d.name}'`, 'not-found');
  const link = d.link(addr, isSentinel ? 'sentinel' : 'node', 'dashboard');
  try {
    const info = await link.call('INFO', 'everything');
    const config = isSentinel
      ? {}
      : pairsToRecord(await link.call('CONFIG', 'GET', '*').catch(() => []));
    return {
      addr,
      kind: isSentinel ? 'sentinel' : 'redis',
      info: { ...parseInfo(typeof info === 'string' ? info : '') },
      config: redactConfig(config),
    };
  } catch (err) {
    throw new ServiceError(describeRedisError(addr, err).message, 'unreachable');
  } finally {
    await link.close();
  }
}
