import { ClusterLinks, createCluster } from '../cluster/index.js';
import { evenSlotRanges, UserError } from '../model/index.js';
import type { Access } from '../redis/index.js';
import type { SupervisorHost } from './host.js';
import { isPortFree } from './ports.js';
import type { PlannedProcess } from './spec.js';
import { CLUSTER_BUS_OFFSET } from './spec.js';

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
  options: { access: Access; progress: (line: string) => void; dir: string },
): Promise<void> {
  const links = new ClusterLinks(options.access);
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
      { access: options.access, progress: options.progress },
    );
  } finally {
    await links.close();
  }
}

/**
 * Starts one more node on the next port, empty and cluster-enabled, and keeps it in the spec so
 * `up` after `down` starts it again. Joining it (MEET, slots or REPLICATE) is the caller's:
 * `quorum cluster add-node` and the dashboard do both.
 */
export function addClusterNode(
  host: SupervisorHost,
  actor: string,
): Promise<{ name: string; addr: string }> {
  const { spec } = host;
  if (spec.mode !== 'cluster')
    return Promise.reject(
      new UserError('adding nodes is for clusters; a Sentinel deployment is sized with --replicas'),
    );
  if (spec.lab)
    return Promise.reject(
      new UserError(
        'adding a node to a lab network is not supported; start the lab with more --masters',
      ),
    );
  if (host.state() !== 'healthy')
    return Promise.reject(
      new UserError(`the deployment is ${host.state()}; nodes are added once it is healthy`),
    );
  return host.exclusive(async () => {
    const plan = host.table.nextNode();
    for (const port of [plan.port, plan.port + CLUSTER_BUS_OFFSET]) {
      if (!(await isPortFree(plan.host, port)))
        throw new UserError(
          `port ${port} (for the new node ${plan.name}) is already in use on ${plan.host}; free it and try again`,
        );
    }
    const proc = host.table.addNode(plan);
    try {
      await host.table.ensureCertificates();
      await host.startAndAnswer(proc);
    } catch (err) {
      await proc.stop().catch(() => undefined);
      host.table.dropAdded(proc);
      host.persist();
      throw err;
    }
    const addr = host.table.addrOf(proc);
    host.observer.record('quorum:action', `started ${plan.name} (${addr}), an empty cluster node`, {
      action: 'add-node',
      name: plan.name,
      addr,
      by: actor,
      outcome: 'ok',
    });
    return { name: plan.name, addr };
  });
}

/**
 * After `cluster del-node`: stops the process (as redis-cli's del-node shuts the node down) and
 * keeps it out of later starts. Refused while the cluster still knows it.
 */
export function removeClusterNode(
  host: SupervisorHost,
  target: string,
  actor: string,
): Promise<string> {
  if (host.spec.mode !== 'cluster')
    return Promise.reject(new UserError('removing nodes is for clusters'));
  return host.exclusive(async () => {
    const proc = host.table.resolve(target);
    const addr = host.table.addrOf(proc);
    const fresh = await host.observer.fresh();
    const cluster = fresh.kind === 'cluster' ? fresh.cluster : null;
    if (cluster && Object.values(cluster.addrs).includes(addr))
      throw new UserError(
        `${proc.plan.name} (${addr}) is still part of the cluster; remove it with quorum cluster del-node ${proc.plan.name} first`,
      );
    await proc.stop();
    host.table.removeNode(proc);
    host.observer.forget(addr);
    host.persist();
    const message = `stopped ${proc.plan.name} (${addr}), removed from the cluster; it is not started again`;
    host.observer.record('quorum:action', message, {
      action: 'remove-node',
      name: proc.plan.name,
      addr,
      by: actor,
      outcome: 'ok',
    });
    return message;
  });
}
