import {
  killShard,
  killShardMaster,
  MASTER_SIDE_CLIENT,
  partitionShardMaster,
  reshardUnderLoad,
} from '../faults/index.js';
import type { Scenario } from './types.js';

/**
 * With AOF on (preset safe) Redis writes each command to the file before it replies, so a killed
 * process loses nothing it acknowledged; fsync every second matters when the machine goes down.
 * The exception: when a background fsync is slow, Redis postpones the write for up to 2 s (its
 * docs: "you can lose up to 2 seconds of writes"), so the bound is 2 s of the drill's write rate.
 */
function aofWindowLoss(ratePerS: number): number {
  return Math.ceil(ratePerS * 2);
}

/**
 * A master cut off on the minority side keeps acknowledging writes until it has flagged the
 * other masters PFAIL and answers CLUSTERDOWN (the Redis Cluster specification: "the minority can lose up to about NT
 * of writes"). As for a crash, each flag comes between 1 and 1.5 x node-timeout after the cut
 * (pings go out at the latest node-timeout / 2 after the last answer), so 1.5 x node-timeout,
 * plus 1 s for its cron and the writes in flight; at 5000 ms the runs lost up to 7 s of writes.
 */
function minorityWindowMs(nodeTimeoutMs: number): number {
  return Math.round(nodeTimeoutMs * 1.5) + 1000;
}

/** Slots cluster-reshard moves: about 6% of the key space, a few seconds of moving on loopback. */
const RESHARD_SLOTS = 1000;

/** The Redis Cluster scenarios; the expectations come from Redis's own behaviour (the Redis Cluster specification). */
export const CLUSTER_SCENARIOS: Scenario[] = [
  {
    name: 'cluster-kill-master',
    kind: 'cluster',
    description: 'SIGKILL the master of one shard (the one owning slot 0), as a crash',
    expectFailover: true,
    maxAckedLost: null,
    lossExpected: 'a few at most (the replication window)',
    fault: killShardMaster,
  },
  {
    name: 'cluster-kill-shard',
    kind: 'cluster',
    description:
      'SIGKILL the master of one shard and its replicas, hold until the cluster stops serving, then restart them',
    expectFailover: false,
    noFailoverBecause: 'no replica of the shard is left to promote',
    maxAckedLost: null,
    maxAckedLostSafe: aofWindowLoss,
    lossExpected:
      'what the shard acknowledged since its last RDB snapshot: its nodes restart from that (the other shards lose nothing)',
    lossExpectedSafe:
      'none in practice: with AOF, Redis writes each command to the file before it replies (up to 2 s if fsync is slow)',
    clusterDown: true,
    fault: killShard,
  },
  {
    name: 'cluster-reshard',
    kind: 'cluster',
    description: `move ${String(RESHARD_SLOTS)} slots, keys and all, from the master with the most slots to the one with the fewest, under write load`,
    expectFailover: false,
    noFailoverBecause: 'moving slots is planned: every node stays up',
    maxAckedLost: 0,
    lossExpected: 'none: MIGRATE moves each key atomically, and clients follow MOVED and ASK',
    clusterDown: false,
    fault: reshardUnderLoad(RESHARD_SLOTS),
  },
  {
    name: 'cluster-partition-master',
    kind: 'cluster',
    description:
      'network partition (lab): the master of one shard and the writers on one side, every other node on the other, for node-timeout + 10 s',
    expectFailover: true,
    maxAckedLost: null,
    lossWindowMs: minorityWindowMs,
    lossExpected:
      "what the old master acknowledged on its side until it stopped accepting writes, node-timeout to 1.5 x node-timeout after the cut (at most 1.5 x node-timeout + 1 s of the shard's writes): it rejoins as a replica on heal",
    writersIn: MASTER_SIDE_CLIENT,
    holdMs: (nodeTimeoutMs) => nodeTimeoutMs + 10_000,
    fault: partitionShardMaster,
  },
];
