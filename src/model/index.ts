export { isFinished, nodeRole } from './drill.js';
export { formatAddr, isLoopback, parseAddr, parseAddrList } from './address.js';
export {
  ACL_ROLES,
  ACL_RULES,
  aclUserLine,
  NODE_ACL_USERS,
  SENTINEL_COMMANDS,
} from './acl-rules.js';
export type { AclRole, NodeAclUser } from './acl-rules.js';
export type { Addr } from './address.js';
export { agreedMaster, clusterOf, downNode, downSentinel, sentinelsOf } from './topology.js';
export type {
  CertificateInfo,
  ClusterTopology,
  DataNode,
  DeploymentKind,
  SentinelTopology,
  SentinelView,
  Topology,
} from './topology.js';
export { agreeOnMaster } from './agreement.js';
export { eventKey, parseSentinelEvent } from './event.js';
export type { EventReport, QuorumEvent } from './event.js';
export { DEFAULT_DEDUP_WINDOW_MS, EventDeduplicator } from './dedup.js';
export { healthProblems } from './health.js';
export type { Expectation } from './health.js';
export { diffTopology, MasterMoves } from './diff.js';
export { ServiceError, UserError } from './errors.js';
export type { Refusal } from './errors.js';
export { clock, formatBytes, formatSeconds, isoDate } from './format.js';
export { replicasOf, shownRole } from './queries.js';
export { describeFailover, failoverDurations, failoverTiming, lastFailoverOf } from './failover.js';
export type { FailoverTiming, LastFailover } from './failover.js';
export {
  canFailOver,
  describeLostElection,
  electionTimeoutMs,
  failoverPending,
  lostElection,
} from './election.js';
export type { LostElection } from './election.js';
export {
  evenSlotRanges,
  formatRanges,
  hashTag,
  keySlot,
  rangeSize,
  SLOT_COUNT,
  slotsOf,
  toRanges,
} from './slots.js';
export type { SlotRange } from './slots.js';
export { clusterView, downClusterView, parseClusterNodes, slotOwners } from './cluster-nodes.js';
export type { ClusterView } from './cluster-nodes.js';
export { clusterProblems, clusterState, shardOfSlot } from './cluster.js';
export type { ClusterState, Shard } from './cluster.js';
export { assertNever } from './never.js';
export { Lifecycle } from './lifecycle.js';
export type { LifecycleSnapshot, Move, Moves } from './lifecycle.js';
export { describeLink, LINK_MOVES, linkNeedsAttention, SUBSCRIPTION_MOVES } from './links.js';
export type { LinkReport, LinkState, SubscriptionState } from './links.js';
