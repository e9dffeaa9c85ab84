import type { Addr, DataNode, SentinelTopology, SentinelView, Topology } from '../model/index.js';
import { agreeOnMaster } from '../model/index.js';
import type { SentinelReading } from '../redis/index.js';
import { computeLag, readDataNode, readSentinel } from '../redis/index.js';
import type { ObserverLinks } from './links.js';

/** One observation and what it took. */
export interface PollResult<T extends Topology = Topology> {
  topology: T;
  /** Something new was named (a node, a peer sentinel): poll again at once to read it. */
  discovered: boolean;
  /** Node and sentinel reads in this poll. */
  reads: number;
  /** Reads that failed in this poll. */
  failedReads: number;
}

function byAddr(a: { addr: Addr }, b: { addr: Addr }): number {
  return a.addr.localeCompare(b.addr, 'en', { numeric: true });
}

/**
 * One observation of a Sentinel deployment: every sentinel's own view, then every data node.
 * `interim` receives a topology with the new agreement before the nodes are read, when the
 * sentinels' agreement moved since `previous`.
 */
export async function pollSentinels(
  links: ObserverLinks,
  target: { name: string; masterName: string },
  previous: Topology | null,
  interim: (topology: SentinelTopology) => void,
): Promise<PollResult<SentinelTopology>> {
  const readings = await Promise.all(
    links.sentinelLinks().map((link) => readSentinel(link, target.masterName)),
  );
  const discovered = discover(links, readings);
  const views: SentinelView[] = readings.map((r) => r.view).sort(byAddr);
  const agreement = agreeOnMaster(views);
  // when the sentinels' agreement moved, say so now: reading the data nodes can take a while
  // (the promoted node has just dropped every client, and connections must be made again)
  if (previous?.kind === 'sentinel' && agreement.master !== previous.agreement.master) {
    interim({ ...previous, agreement, sentinels: views, observedAtMs: Date.now() });
  }
  const results = await Promise.all(links.nodeLinks().map((link) => readDataNode(link)));
  const nodes = results.map((r) => r.node);
  const masterInfos = new Map<Addr, string>();
  for (const r of results)
    if (r.info && r.node.role === 'master') masterInfos.set(r.node.addr, r.info);
  computeLag(nodes, masterInfos);
  markSentinelFlags(nodes, readings);
  return {
    topology: {
      name: target.name,
      kind: 'sentinel',
      masterName: target.masterName,
      agreement,
      nodes: nodes.sort(byAddr),
      sentinels: views,
      observedAtMs: Date.now(),
      certificates: previous?.certificates ?? [],
    },
    discovered,
    reads: nodes.length + views.length,
    failedReads: nodes.filter((n) => !n.up).length + views.filter((v) => !v.up).length,
  };
}

/** Adds replicas, masters and peer sentinels that sentinels name; true when something was new. */
function discover(links: ObserverLinks, readings: SentinelReading[]): boolean {
  let added = false;
  for (const reading of readings) {
    if (reading.view.masterAddr) added = links.ensureNode(reading.view.masterAddr) || added;
    for (const replica of reading.replicas) added = links.ensureNode(replica.addr) || added;
    for (const peer of reading.peers) added = links.ensureSentinel(peer.addr) || added;
  }
  return added;
}

/** Marks on each node which sentinels flag it subjectively down, and whether any flags it o_down. */
function markSentinelFlags(nodes: DataNode[], readings: SentinelReading[]): void {
  const byNodeAddr = new Map(nodes.map((n) => [n.addr, n]));
  for (const { view, replicas } of readings) {
    if (!view.up) continue;
    const master = view.masterAddr ? byNodeAddr.get(view.masterAddr) : undefined;
    if (master && view.masterFlags.includes('s_down')) master.sdownBy.push(view.addr);
    if (master && view.masterFlags.includes('o_down')) master.odown = true;
    for (const replica of replicas) {
      const node = byNodeAddr.get(replica.addr);
      if (node && replica.flags.includes('s_down')) node.sdownBy.push(view.addr);
    }
  }
}
