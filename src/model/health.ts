import type { ClusterTopology, Topology } from './topology.js';
import { clusterProblems } from './cluster.js';

export interface Expectation {
  replicas?: number;
  sentinels?: number;
  /** Cluster: replicas each master should have. */
  replicasPerMaster?: number;
}

/** A cluster's problems (see clusterProblems) plus replicas whose replication link is down. */
function clusterHealth(topology: ClusterTopology, expect: Expectation): string[] {
  const problems = clusterProblems(topology.cluster, {
    ...(expect.replicasPerMaster !== undefined
      ? { replicasPerMaster: expect.replicasPerMaster }
      : {}),
  });
  for (const node of topology.nodes) {
    if (node.up && node.role === 'replica' && node.replication.linkUp !== true)
      problems.push(`${node.addr} has its replication link down`);
  }
  return problems;
}

/**
 * What keeps a deployment from being healthy (a cluster: see clusterProblems), one sentence each; empty when healthy.
 * Healthy: the sentinels agree on a master that says `role:master`; every other node is a replica
 * of it with its link up; every sentinel knows every other sentinel and every replica, is not in
 * TILT and passes CKQUORUM.
 */
export function healthProblems(topology: Topology, expect: Expectation = {}): string[] {
  if (topology.kind === 'cluster') return clusterHealth(topology, expect);
  const problems: string[] = [];
  const { agreement } = topology;
  const master = agreement.master;
  if (topology.sentinels.length === 0) problems.push('no sentinel is known');
  for (const s of topology.sentinels) {
    if (!s.up) {
      problems.push(`sentinel ${s.addr} is down: ${s.downReason ?? 'no reply'}`);
      continue;
    }
    if (master && s.masterAddr !== master) {
      problems.push(
        `sentinel ${s.addr} believes the master is ${s.masterAddr ?? 'unknown'}, not ${master}`,
      );
    }
    const flags = s.masterFlags.filter((f) => f !== 'master');
    if (flags.length > 0) problems.push(`sentinel ${s.addr} flags the master ${flags.join(',')}`);
    if (s.tilt) problems.push(`sentinel ${s.addr} is in TILT mode`);
    const peers = (expect.sentinels ?? topology.sentinels.length) - 1;
    if (s.knownSentinels !== null && s.knownSentinels < peers) {
      problems.push(`sentinel ${s.addr} knows ${s.knownSentinels} of ${peers} other sentinels`);
    }
    const replicas = expect.replicas ?? topology.nodes.length - 1;
    if (s.knownReplicas !== null && s.knownReplicas < replicas) {
      problems.push(`sentinel ${s.addr} knows ${s.knownReplicas} of ${replicas} replicas`);
    }
    if (s.ckquorum && !s.ckquorum.ok)
      problems.push(`sentinel ${s.addr} fails CKQUORUM: ${s.ckquorum.message}`);
  }
  if (!master) {
    if (topology.sentinels.some((s) => s.up)) {
      const named = agreement.candidates.join(', ') || 'none';
      problems.push(`the sentinels do not agree on a master (named: ${named})`);
    }
    return problems;
  }
  for (const node of topology.nodes) {
    if (!node.up) {
      problems.push(`${node.addr} is down: ${node.downReason ?? 'no reply'}`);
    } else if (node.addr === master) {
      if (node.role !== 'master')
        problems.push(`${node.addr} is the agreed master but reports role ${node.role}`);
    } else if (node.role !== 'replica') {
      problems.push(
        `${node.addr} reports role ${node.role} but the sentinels' master is ${master}`,
      );
    } else if (node.replication.masterAddr !== master) {
      problems.push(
        `${node.addr} replicates from ${node.replication.masterAddr ?? 'nothing'}, not ${master}`,
      );
    } else if (node.replication.linkUp !== true) {
      problems.push(`${node.addr} has its replication link down`);
    }
  }
  return problems;
}
