import type { Addr } from '../model/index.js';

interface TargetCommon {
  /** Deployment name shown to people (the local launcher uses the master name). */
  name: string;
  /** Data nodes known without asking anyone (the local launcher knows all of them). */
  nodes: Addr[];
  /** Password of the data nodes. */
  password: string | null;
}

/** A Sentinel-managed deployment: seed sentinels, the master they monitor, known data nodes. */
export interface SentinelTarget extends TargetCommon {
  kind: 'sentinel';
  masterName: string;
  sentinels: Addr[];
  /** Password of the sentinels themselves (`requirepass` in sentinel.conf). */
  sentinelPassword: string | null;
}

/** A Redis Cluster: `nodes` are seeds; every node's CLUSTER NODES names the others. */
export interface ClusterTarget extends TargetCommon {
  kind: 'cluster';
}

/** What an observer watches. */
export type ObserveTarget = SentinelTarget | ClusterTarget;
