export type { Fault, FaultContext, FaultFacts, ReshardFacts } from './fault.js';
export {
  freezeMaster,
  freezeSentinel,
  killMaster,
  killReplica,
  killSentinelsThenMaster,
  restartOldMasterEmpty,
  stopMaster,
} from './process-faults.js';
export { debugSleepMaster, pausedSwitchover, sentinelFailover } from './command-faults.js';
export { describeFault, labTopology } from './network-fault.js';
export type { NetworkFault } from './network-fault.js';
export { NetworkFaults } from './network.js';
export { hasNetem } from './network-rules.js';
export {
  isolateMaster,
  MAJORITY_SIDE_CLIENT,
  MASTER_SIDE_CLIENT,
  partitionMinorityMaster,
  partitionSentinels,
} from './partitions.js';
export {
  killShard,
  killShardMaster,
  partitionShardMaster,
  reshardUnderLoad,
  victimShard,
} from './cluster-faults.js';
