import type { Addr } from '../model/index.js';
import type { ClusterLinks, DelNodeResult } from '../cluster/index.js';
import { addNode, delNode, masterNamed, readCluster } from '../cluster/index.js';
import type { NodeController } from '../local/index.js';
import type { JobStep } from './job-types.js';

/** What starts and stops quorum's own processes: the local supervisor, in process or by socket. */
export type NodeHost = Pick<NodeController, 'addNode' | 'removeNode'>;

/** The cluster a change is made to: its links, the seeds to read it from, the process names. */
export interface ClusterAccess {
  links: ClusterLinks;
  seeds: Addr[];
  /** Process names (redis-4) and their addresses; a node started here is added to it. */
  names: Map<string, Addr>;
}

export interface AddNodeRequest {
  /** A running, empty, cluster-enabled node to join; null to have `host` start one. */
  addr: Addr | null;
  /** Starts the node when `addr` is null; null for a deployment quorum did not launch. */
  host: NodeHost | null;
  /** Makes the new node a replica of this master (name, address or id); null for a master. */
  replicaOf: string | null;
  /** Who asked, for the supervisor's event log (`cli`, `dashboard (admin)`). */
  actor: string;
  /** Told once the host started the node, before it joins. */
  started?: (node: { name: string; addr: Addr }) => void;
}

/** A node that joined: its process name when quorum started it. */
export interface AddedNode {
  id: string;
  addr: Addr;
  role: 'master' | 'replica';
  name: string | null;
}

/** The steps of one add-node job, and what they did once they ran. */
export interface NodeAddition {
  steps: JobStep[];
  added: () => AddedNode | null;
}

/**
 * Adding a node as a job: check `replicaOf` (so a typo starts no process), have the host start
 * a node when no address is given, join it (`addNode`). A node quorum started that did not join,
 * because the join failed or the job was cancelled, is stopped again: no outsider is left running.
 */
export function addNodeSteps(cluster: ClusterAccess, request: AddNodeRequest): NodeAddition {
  const { links, seeds, names } = cluster;
  let started: { name: string; addr: Addr } | null = null;
  let added: AddedNode | null = null;
  const steps: JobStep[] = [];
  if (request.addr === null) {
    const host = request.host;
    if (!host) throw new Error('no local supervisor to start the node');
    const replicaOf = request.replicaOf;
    if (replicaOf !== null)
      steps.push({
        name: 'check',
        run: async () => {
          masterNamed(
            (await readCluster(links, seeds)).state,
            replicaOf,
            names,
            'the node to replicate',
          );
          return null;
        },
      });
    steps.push({
      name: 'start node',
      run: async ({ report }) => {
        started = await host.addNode(request.actor);
        names.set(started.name, started.addr);
        request.started?.(started);
        report({ message: `started ${started.name} (${started.addr}); joining it` });
        return null;
      },
      undo: async () => {
        if (started) await host.removeNode(started.name, request.actor);
      },
    });
  }
  steps.push({
    name: 'join',
    run: async () => {
      const addr = started?.addr ?? request.addr;
      if (addr === null) throw new Error('no node to join');
      const r = await addNode(links, seeds, addr, { replicaOf: request.replicaOf, names });
      added = { ...r, name: started?.name ?? null };
      return describeAdded(added, request.replicaOf);
    },
  });
  return { steps, added: () => added };
}

/** One sentence: which node joined, and as what. */
function describeAdded(added: AddedNode, replicaOf: string | null): string {
  const who = added.name === null ? added.addr : `${added.name} (${added.addr})`;
  return added.role === 'replica'
    ? `${who} joined as a replica of ${replicaOf ?? ''}`
    : `${who} joined as an empty master (rebalance to give it slots)`;
}

/** What `removeClusterNode` did: `delNode`'s result, the process name, the host's sentence. */
export interface RemovedNode extends DelNodeResult {
  name: string | null;
  /** What the host said when it stopped quorum's own process; null when it stopped none. */
  stopped: string | null;
}

/**
 * Removes a node from the cluster (`delNode`); when it is one of quorum's own processes, the
 * host stops it and keeps it out of later starts, as redis-cli shuts the removed node down.
 */
export async function removeClusterNode(
  cluster: ClusterAccess,
  node: string,
  host: NodeHost | null,
  actor: string,
  approve?: (who: string) => Promise<void>,
): Promise<RemovedNode> {
  const r = await delNode(cluster.links, cluster.seeds, node, {
    names: cluster.names,
    ...(approve ? { approve } : {}),
  });
  const name = [...cluster.names].find(([, a]) => a === r.addr)?.[0] ?? null;
  const stopped = name !== null && host ? await host.removeNode(name, actor) : null;
  return { ...r, name, stopped };
}
