import { parseInfo, pairsToRecord, RedisLink, describeRedisError } from '../redis/index.js';
import { sentinelsOf } from '../model/index.js';
import type { NodeDetails } from './contract.js';
import type { DeploymentSource } from './hub.js';
import { ActionError } from './actions.js';

/** Config keys whose values never leave the server (passwords reach neither browser nor logs). */
const SECRET_KEY = /pass|auth|secret/i;

export function redactConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => [key, SECRET_KEY.test(key) && value !== '' ? '(redacted)' : value]),
  );
}

/** Full INFO (and CONFIG for data nodes) of one node of a deployment, fetched now. */
export async function nodeDetails(source: DeploymentSource, addr: string): Promise<NodeDetails> {
  const topology = source.observer.current();
  const isSentinel = topology ? sentinelsOf(topology).some((s) => s.addr === addr) : false;
  const isNode = topology?.nodes.some((n) => n.addr === addr) === true;
  if (!isSentinel && !isNode) throw new ActionError(`no node ${addr} in '${source.name}'`, 404);
  const { password, sentinelPassword } = source.observer.target;
  const link = new RedisLink(addr, {
    timeoutMs: 2000,
    password: isSentinel ? sentinelPassword : password,
    connectionName: 'quorum-dashboard',
  });
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
    throw new ActionError(describeRedisError(addr, err).message, 502);
  } finally {
    await link.close();
  }
}
