import { killShard, killShardMaster, reshardUnderLoad } from '../faults/index.js';
import type { Scenario } from './scenarios.js';

/**
 * With AOF on (preset safe) Redis writes each command to the file before it replies, so a killed
 * process loses nothing it acknowledged; fsync every second matters when the machine goes down.
 * The exception: when a background fsync is slow, Redis postpones the write for up to 2 s (its
 * docs: "you can lose up to 2 seconds of writes"), so the bound is 2 s of the drill's write rate.
 */
export function aofWindowLoss(ratePerS: number): number {
  return Math.ceil(ratePerS * 2);
}

/** Slots cluster-reshard moves: about 6% of the key space, a few seconds of moving on loopback. */
export const RESHARD_SLOTS = 1000;

/** The Redis Cluster scenarios; the expectations come from Redis's own behaviour (REFERENCE.md). */
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
];
