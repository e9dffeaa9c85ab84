import type { Addr, ClusterState } from '../model/index.js';
import { formatAddr, parseAddr, UserError } from '../model/index.js';

/** The shortest node id prefix accepted, as redis-cli's is at least this long in practice. */
const MIN_ID_PREFIX = 6;

function normalise(addr: string): Addr | null {
  const hp = parseAddr(addr);
  if (!hp) return null;
  return formatAddr(hp.host === 'localhost' ? '127.0.0.1' : hp.host, hp.port);
}

/**
 * A cluster node by `host:port`, node id, unique id prefix (at least MIN_ID_PREFIX characters), a
 * port alone, or the name of a local process (`names`: process name -> address). Pure. Fails
 * with one sentence listing the nodes it knows when nothing or more than one node matches.
 */
export function resolveClusterNode(
  state: ClusterState,
  text: string,
  names?: Map<string, Addr>,
): { id: string; addr: Addr } {
  const wanted = text.trim();
  const nodes = Object.entries(state.addrs).map(([id, addr]) => ({ id, addr }));
  const byAddr = (addr: Addr) => nodes.filter((n) => n.addr === addr);
  let found: { id: string; addr: Addr }[] = [];
  const named = names?.get(wanted);
  if (named !== undefined) {
    found = byAddr(named);
    if (found.length === 0)
      throw new UserError(
        `${wanted} (${named}) is not a member of the cluster; join it with quorum cluster add-node ${named}`,
        2,
      );
  } else if (parseAddr(wanted)) {
    found = byAddr(normalise(wanted) ?? wanted);
  } else if (/^\d+$/.test(wanted)) {
    found = nodes.filter((n) => parseAddr(n.addr)?.port === Number(wanted));
  } else if (/^[0-9a-f]+$/i.test(wanted) && wanted.length >= MIN_ID_PREFIX) {
    const lower = wanted.toLowerCase();
    found = nodes.filter((n) => n.id.toLowerCase().startsWith(lower));
  } else if (/^[0-9a-f]+$/i.test(wanted)) {
    throw new UserError(
      `'${wanted}' is too short for a node id; give at least ${MIN_ID_PREFIX} characters, an address or a name`,
      2,
    );
  }
  const [only, second] = found;
  if (only && !second) return only;
  const nameOf = new Map([...(names ?? new Map<string, Addr>())].map(([n, a]) => [a, n]));
  const describe = (n: { id: string; addr: Addr }) => {
    const name = nameOf.get(n.addr);
    return `${name ? `${name} ` : ''}${n.addr} (${n.id.slice(0, 8)})`;
  };
  if (second)
    throw new UserError(
      `'${wanted}' matches ${found.length} nodes (${found.map(describe).join(', ')}); be more specific`,
      2,
    );
  const known = [...nodes]
    .sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true }))
    .map(describe);
  throw new UserError(
    `no cluster node is '${wanted}'; the cluster knows ${known.length === 0 ? 'no node' : known.join(', ')}`,
    2,
  );
}
