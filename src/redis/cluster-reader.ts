import type { ClusterView, DataNode } from '../model/index.js';
import { clusterView, downClusterView } from '../model/index.js';
import { describeRedisError } from './errors.js';
import { flattenInfo, parseInfo } from './info.js';
import type { RedisLink } from './link.js';
import { readDataNode } from './node-reader.js';

/** One cluster node read: INFO as for any data node, plus its own view of the cluster. */
export interface ClusterReading {
  node: DataNode;
  info: string | null;
  view: ClusterView;
}

/** Reads INFO, CLUSTER INFO and CLUSTER NODES from one node; failures come back as a down view. */
export async function readClusterNode(link: RedisLink): Promise<ClusterReading> {
  const { node, info } = await readDataNode(link);
  if (!node.up) return { node, info, view: downClusterView(link.addr, node.downReason ?? 'down') };
  try {
    const [clusterInfo, nodesText] = await Promise.all([
      link.call('CLUSTER', 'INFO'),
      link.call('CLUSTER', 'NODES'),
    ]);
    if (typeof clusterInfo !== 'string' || typeof nodesText !== 'string') {
      return {
        node,
        info,
        view: downClusterView(
          link.addr,
          `${link.addr} answered CLUSTER INFO/NODES with something other than text`,
        ),
      };
    }
    return {
      node,
      info,
      view: clusterView(link.addr, flattenInfo(parseInfo(clusterInfo)), nodesText),
    };
  } catch (err) {
    const described = describeRedisError(link.addr, err);
    const reason = /cluster support disabled/i.test(described.message)
      ? `${link.addr} is not cluster-enabled (cluster-enabled no); attach it as a Sentinel deployment or a standalone node`
      : described.message;
    return { node, info, view: downClusterView(link.addr, reason) };
  }
}
