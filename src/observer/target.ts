import type { Addr } from '../model/index.js';
import type { Access } from '../redis/index.js';

interface TargetCommon {
  /** Deployment name shown to people (the local launcher uses the master name). */
  name: string;
  /** Data nodes known without asking anyone (the local launcher knows all of them). */
  nodes: Addr[];
  /** How quorum reaches the data nodes: user, password, TLS. */
  access: Access;
}

/** A Sentinel-managed deployment: seed sentinels, the master they monitor, known data nodes. */
export interface SentinelTarget extends TargetCommon {
  kind: 'sentinel';
  masterName: string;
  sentinels: Addr[];
  /** How quorum reaches the sentinels themselves (their own `requirepass`, ACL users, TLS). */
  sentinelAccess: Access;
}

/** A Redis Cluster: `nodes` are seeds; every node's CLUSTER NODES names the others. */
export interface ClusterTarget extends TargetCommon {
  kind: 'cluster';
}

/** What an observer watches. */
export type ObserveTarget = SentinelTarget | ClusterTarget;
