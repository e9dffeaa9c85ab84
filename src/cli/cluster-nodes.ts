import type { Command } from 'commander';
import { UserError } from '../model/index.js';
import { controlClient } from '../local/index.js';
import { addNodeSteps, JobDesk, removeClusterNode } from '../deployment/index.js';
import type { ClusterOptions } from './cluster-session.js';
import { approve, print, sub, withCluster } from './cluster-session.js';

/** `quorum cluster add-node`: joins a node, or has the local supervisor start one first. */
export function registerAddNode(cluster: Command): void {
  sub(cluster, 'add-node', 'join an empty cluster-enabled node, as an empty master or a replica')
    .argument('[addr]', 'the node, host:port; without it a local deployment starts one')
    .option('--replica-of <node>', 'make it a replica of this master')
    .action(async (addr: string | undefined, opts: ClusterOptions & { replicaOf?: string }) => {
      await withCluster(opts, async (session) => {
        const { resolved } = session;
        const supervisor = resolved.local?.supervisor;
        if (addr === undefined && !supervisor)
          throw new UserError(
            resolved.dir === null
              ? 'pass the address of an empty cluster-enabled node; quorum starts one itself only for a local deployment (--dir)'
              : `no supervisor runs in ${resolved.dir}; start the deployment with 'quorum up --dir ${resolved.dir}'`,
            2,
          );
        const replicaOf = opts.replicaOf ?? null;
        const addition = addNodeSteps(session, {
          addr: addr ?? null,
          host: supervisor ? controlClient(supervisor.socket) : null,
          replicaOf,
          actor: 'cli',
          started: (node) => {
            if (opts.json !== true) process.stderr.write(`started ${node.name} (${node.addr})\n`);
          },
        });
        // the same job the dashboard runs; kept under <dir>/jobs like the dashboard's
        await new JobDesk(resolved.target.name, resolved.dir)
          .start({
            kind: 'cluster:add-node',
            description: `join ${addr ?? 'a new node'}`,
            by: 'cli',
            steps: addition.steps,
          })
          .outcome();
        const added = addition.added();
        if (!added) throw new UserError('the node did not join');
        const { name, ...r } = added;
        const who = name === null ? r.addr : `${name} (${r.addr})`;
        print(
          opts,
          { ...r, name },
          r.role === 'replica'
            ? `${who} joined as a replica of ${replicaOf ?? ''}`
            : `${who} joined as an empty master; give it slots with 'quorum cluster rebalance --use-empty-masters'`,
        );
      });
    });
}

/** `quorum cluster del-node`: removes a node; quorum's own process is stopped too. */
export function registerDelNode(cluster: Command): void {
  sub(
    cluster,
    'del-node',
    'remove a node that owns no slots: CLUSTER FORGET everywhere, CLUSTER RESET on it',
  )
    .argument('<node>', 'name (redis-7), host:port, node id or id prefix')
    .option('--yes', 'do not ask')
    .action(async (node: string, opts: ClusterOptions & { yes?: boolean }) => {
      await withCluster(opts, async (session) => {
        const supervisor = session.resolved.local?.supervisor;
        const host = supervisor ? controlClient(supervisor.socket) : null;
        const { stopped, ...r } = await removeClusterNode(session, node, host, 'cli', (who) =>
          approve(
            opts.yes,
            `remove ${who} from the cluster (every node forgets it)?`,
            'nothing removed',
          ),
        );
        if (r.resetError !== null && stopped === null) {
          if (opts.json === true)
            process.stdout.write(`${JSON.stringify({ ...r, stopped: false }, null, 2)}\n`);
          throw new UserError(
            `${r.addr} left the cluster (every node forgot it), but CLUSTER RESET HARD on it failed (${r.resetError}), so it still believes it is a member; run CLUSTER RESET HARD on it, or stop it`,
          );
        }
        print(
          opts,
          { ...r, stopped: stopped !== null },
          `${r.addr} left the cluster${stopped ? `; ${stopped}` : ''}`,
        );
      });
    });
}
