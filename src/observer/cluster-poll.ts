import type { Addr, ClusterTopology } from '../model/index.js';
import { clusterState } from '../model/index.js';
import type { ClusterReading } from '../redis/index.js';
import { computeLag, readClusterNode } from '../redis/index.js';
import type { ObserverLinks } from './links.js';
import type { PollResult } from './sentinel-poll.js';

function byAddr(a: { addr: Addr }, b: { addr: Addr }): number {
  return a.addr.localeCompare(b.addr, 'en', { numeric: true });
}

/** One observation of a cluster: every node's INFO and its own CLUSTER INFO / NODES. */
export async function pollCluster(
  links: ObserverLinks,
  target: { name: string },
): Promise<PollResult<ClusterTopology>> {
  const readings = await Promise.all(links.nodeLinks().map((link) => readClusterNode(link)));
  const discovered = discover(links, readings);
  const nodes = readings.map((r) => r.node);
  const masterInfos = new Map<Addr, string>();
  for (const r of readings)
    if (r.info && r.node.role === 'master') masterInfos.set(r.node.addr, r.info);
  computeLag(nodes, masterInfos);
  const cluster = clusterState(readings.map((r) => r.view).sort(byAddr));
  return {
    topology: {
      name: target.name,
      kind: 'cluster',
      nodes: nodes.sort(byAddr),
      cluster,
      observedAtMs: Date.now(),
      certificates: [],
    },
    discovered,
    reads: nodes.length,
    failedReads: nodes.filter((n) => !n.up).length,
  };
}

/** Adds nodes that cluster nodes name (not ones still in handshake); true when one was new. */
function discover(links: ObserverLinks, readings: ClusterReading[]): boolean {
  let added = false;
  for (const { view } of readings) {
    for (const entry of view.entries) {
      if (entry.addr && !entry.flags.includes('handshake') && !entry.flags.includes('noaddr'))
        added = links.ensureNode(entry.addr) || added;
    }
  }
  return added;
}
