import { ClusterLinks, createCluster } from '../cluster/index.js';
import { evenSlotRanges, UserError } from '../model/index.js';
import type { PlannedProcess } from './spec.js';

/** A planned data node and the address it answers on. */
export interface ClusterMember {
  plan: PlannedProcess;
  addr: string;
}

/**
 * On the first start the nodes are empty and get joined here: the masters share the slots as
 * `redis-cli --cluster create` splits them, the replicas follow the masters they were planned
 * for. On a later start every node's nodes.conf brings the cluster back by itself, so nothing is
 * done. A mix of both means an earlier first start was interrupted: that is said, not guessed at.
 */
export async function formClusterOnce(
  members: ClusterMember[],
  options: { password: string | null; progress: (line: string) => void; dir: string },
): Promise<void> {
  const links = new ClusterLinks(options.password);
  try {
    const views = await links.views(members.map((m) => m.addr));
    const isEmpty = (v: (typeof views)[number]) =>
      v.up && v.knownNodes === 1 && v.slotsAssigned === 0;
    const empty = views.filter(isEmpty);
    if (empty.length === 0) return;
    if (empty.length < views.length) {
      const joined = views.find((v) => !isEmpty(v));
      throw new UserError(
        `the cluster in ${options.dir} was only partly formed (an earlier first start was interrupted): ${empty.map((v) => v.addr).join(', ')} know no other node while ${joined?.addr ?? 'others'} does; remove it with 'quorum down --dir ${options.dir} --purge' and start again`,
      );
    }
    const byName = new Map(members.map((m) => [m.plan.name, m.addr]));
    const masters = members.filter((m) => m.plan.initialRole === 'master');
    const ranges = evenSlotRanges(masters.length);
    await createCluster(
      {
        masters: masters.map((m, i) => ({ addr: m.addr, slots: [ranges[i] ?? [0, 0]] })),
        replicas: members
          .filter((m) => m.plan.replicaOf !== null)
          .map((m) => ({ addr: m.addr, of: byName.get(m.plan.replicaOf ?? '') ?? '' })),
      },
      { password: options.password, progress: options.progress },
    );
  } finally {
    await links.close();
  }
}
