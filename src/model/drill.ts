/** A drill that ended (done, failed or stopped) rather than one under way. */
export function isFinished(live: { phase: string }): boolean {
  return live.phase === 'done' || live.phase === 'failed' || live.phase === 'stopped';
}

/** A node's part in a drill run: the master when it started, the one promoted, or neither. */
export type DrillNodeRole = 'old master' | 'new master' | '';

/** A node's part in a run, for the table of which node acknowledged the writes. */
export function nodeRole(
  run: { oldMaster: string | null; newMaster: string | null },
  node: string,
): DrillNodeRole {
  // without a failover the master is both; it took the writes from the start, so 'old master'
  if (node === run.oldMaster) return 'old master';
  if (node === run.newMaster) return 'new master';
  return '';
}
