import type { Topology } from '../model/index.js';
import {
  agreedMaster,
  assertNever,
  formatAddr,
  healthProblems,
  UserError,
} from '../model/index.js';
import { Observer } from '../observer/index.js';
import type { LocalAccess } from './access.js';
import { formClusterOnce } from './cluster-members.js';
import { observeTargetOf } from './observe-target.js';
import type { SupervisorHost } from './host.js';
import { clientMembers, createLab } from './lab.js';
import type { ProcessTable } from './process-table.js';
import { waitForReplicas } from './readiness.js';
import type { LocalSpec } from './spec.js';
import { expectationOf } from './spec.js';

/** The steps of a launch, in the order the supervisor takes them. */

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates the lab's namespaces and addresses, when the spec asks for a lab. */
export function createLabFor(
  spec: LocalSpec,
  table: ProcessTable,
  progress: (line: string) => void,
): void {
  if (!spec.lab) return;
  progress(`creating the lab network ${spec.lab.subnet} (a namespace per process)`);
  createLab(spec.lab, [
    ...table
      .all()
      .map((p) => ({ name: p.plan.name, netns: p.plan.netns ?? '', addr: p.plan.host })),
    ...clientMembers(spec.lab),
  ]);
}

/** The deployment's observer; its links start connecting at once. */
export function observerFor(spec: LocalSpec, table: ProcessTable, access: LocalAccess): Observer {
  const addrs = (kind: 'redis' | 'sentinel') =>
    table.ofKind(kind).map((p) => formatAddr(p.plan.host, p.plan.port));
  return new Observer(
    observeTargetOf(spec, { nodes: addrs('redis'), sentinels: addrs('sentinel') }, access),
  );
}

/**
 * Starts every process: the data nodes, then (Sentinel) the sentinels once the replicas are
 * linked, or (cluster) joins the nodes on the first start. Each process answers before the next.
 */
export async function startInOrder(
  host: SupervisorHost,
  options: { progress: (line: string) => void; dir: string },
): Promise<void> {
  const { spec, table } = host;
  const { progress, dir } = options;
  table.renderConfigs();
  const data = table.ofKind('redis');
  for (const proc of data) await host.startAndAnswer(proc);
  switch (spec.mode) {
    case 'cluster':
      // on the first start the nodes are empty and quorum joins them (slots, MEET, REPLICATE);
      // on a later start each node's nodes.conf brings the cluster back by itself
      await formClusterOnce(
        data.map((p) => ({ plan: p.plan, addr: table.addrOf(p) })),
        { access: host.access.node, progress, dir },
      );
      progress(
        'waiting for the cluster (cluster_state:ok on every node, one slot map, replicas linked)',
      );
      return;
    case 'sentinel': {
      const first = data[0];
      if (first && data.length > 1)
        await waitForReplicas(table.addrOf(first), host.access.node, data.length - 1);
      for (const proc of table.ofKind('sentinel')) await host.startAndAnswer(proc);
      progress(
        'waiting for the sentinels to agree (replicas linked, sentinels know each other, CKQUORUM ok)',
      );
      return;
    }
    default:
      assertNever(spec);
  }
}

/** Polls until the deployment is healthy as its spec expects; throws with the problems left. */
export async function waitHealthy(
  observer: Observer,
  spec: LocalSpec,
  options: { healthTimeoutMs: number; dir: string; checkInterrupted: () => void },
): Promise<Topology> {
  const { healthTimeoutMs, dir } = options;
  const deadline = Date.now() + healthTimeoutMs;
  let problems: string[] = [];
  for (;;) {
    options.checkInterrupted();
    const topology = await observer.poll();
    problems = healthProblems(topology, expectationOf(spec));
    if (problems.length === 0) return topology;
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  throw new UserError(
    `the deployment did not become healthy within ${Math.round(healthTimeoutMs / 1000)} s: ${problems.join('; ')}; logs are in ${dir}`,
  );
}

/** Records `quorum:up` with what a healthy deployment of this kind has. */
export function recordUp(observer: Observer, spec: LocalSpec, topology: Topology): void {
  switch (spec.mode) {
    case 'cluster':
      observer.record('quorum:up', `cluster '${spec.name}' is healthy`, {
        masters:
          topology.kind === 'cluster'
            ? topology.cluster.shards.filter((s) => s.slotCount > 0).length
            : 0,
      });
      return;
    case 'sentinel':
      observer.record('quorum:up', `deployment '${spec.name}' is healthy`, {
        master: agreedMaster(topology),
      });
      return;
    default:
      assertNever(spec);
  }
}
