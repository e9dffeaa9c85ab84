import { replicasOf } from '../../../src/model/queries.js';
import type { ProcessState } from '../../../src/server/contract.js';
import type {
  ActionRequest,
  ClusterActionRequest,
  DeploymentState,
} from '../../../src/server/contract.js';
import { agreedMaster, sentinelsOf } from '../../../src/model/topology.js';

/** An action a person picked, waiting for confirmation: a node or Sentinel action, or a cluster one. */
export interface PendingAction {
  request: ActionRequest | ClusterActionRequest;
  label: string;
  title: string;
  body: string;
  danger: boolean;
  enabled: boolean;
  why: string;
}

/** The actions the deployment allows on one node, each described the way it will be confirmed. */
export function nodeActions(
  deployment: DeploymentState,
  addr: string,
  kind: 'redis' | 'sentinel',
  state: ProcessState | null,
): PendingAction[] {
  const name = deployment.processes.find((p) => p.addr === addr)?.name;
  const who = name ? `${name} (${addr})` : addr;
  const running = state === 'running';
  const list: PendingAction[] = [];
  const allowed = new Set(deployment.capabilities.process);
  const add = (
    action: Exclude<ActionRequest['action'], 'failover' | 'switchover' | 'debug-sleep'>,
    label: string,
    body: string,
    danger: boolean,
    enabled: boolean,
    why: string,
  ) => {
    if (allowed.has(action))
      list.push({
        request: { action, node: addr },
        label,
        title: `${label} ${who}?`,
        body,
        danger,
        enabled,
        why,
      });
  };
  const starts =
    kind === 'redis'
      ? ' A data node starts as a replica of the master the sentinels agree on.'
      : '';
  add(
    'start',
    'Start',
    `Start ${who}.${starts}`,
    false,
    state === 'stopped' || state === 'exited',
    'starts a stopped process',
  );
  add(
    'stop',
    'Stop',
    `Stop ${who} with SIGTERM: it shuts down cleanly (a master waits for its replicas).`,
    true,
    running || state === 'frozen',
    'SIGTERM',
  );
  add(
    'restart',
    'Restart',
    `Stop ${who} with SIGTERM and start it again.${starts}`,
    true,
    running,
    'SIGTERM, then start',
  );
  add(
    'kill',
    'Kill',
    `Kill ${who} with SIGKILL, like a crash. It stays down until someone starts it.`,
    true,
    running || state === 'frozen',
    'SIGKILL',
  );
  add(
    'freeze',
    'Freeze',
    `Freeze ${who} with SIGSTOP: it stays alive but answers nothing until thawed.`,
    true,
    running,
    'SIGSTOP',
  );
  add('thaw', 'Thaw', `Thaw ${who} with SIGCONT.`, false, state === 'frozen', 'SIGCONT');
  const node = deployment.topology?.nodes.find((n) => n.addr === addr);
  if (kind === 'redis' && deployment.capabilities.remote.includes('debug-sleep')) {
    list.push({
      request: { action: 'debug-sleep', node: addr, seconds: 5 },
      label: 'DEBUG SLEEP',
      title: `Block ${who}?`,
      body: `Block ${who} for 5 s with DEBUG SLEEP: it answers nothing meanwhile.`,
      danger: true,
      enabled: node?.up === true,
      why: 'blocks the node',
    });
  }
  return list;
}

export function failoverAction(deployment: DeploymentState): PendingAction {
  const t = deployment.topology;
  const master = (t && agreedMaster(t)) ?? 'the master';
  return {
    request: { action: 'failover' },
    label: 'Failover',
    title: `Fail over ${deployment.name}?`,
    body: `Ask the sentinels to promote a replica and demote ${master} (SENTINEL FAILOVER ${t?.kind === 'sentinel' ? t.masterName : deployment.name}). Clients still connected to ${master} can keep writing to it until Sentinel converts it, about 10 s later, and those writes are lost (measure it with: quorum drill manual-failover). Switchover avoids that.`,
    danger: true,
    enabled: t ? sentinelsOf(t).some((s) => s.up) : false,
    why: 'SENTINEL FAILOVER',
  };
}

export function switchoverAction(deployment: DeploymentState): PendingAction {
  const t = deployment.topology;
  const master = (t && agreedMaster(t)) ?? 'the master';
  const replicas = deployment.topology ? replicasOf(deployment.topology, master).length : 0;
  return {
    request: { action: 'switchover' },
    label: 'Switchover',
    title: `Switch ${deployment.name} over to a replica?`,
    body: `Pause writes on ${master} (CLIENT PAUSE WRITE, about a second), wait until every replica has all of them, ask the sentinels to fail over, and demote ${master} the moment they name the new master. Writers wait or retry; no acknowledged write is lost.`,
    danger: true,
    enabled: (t ? sentinelsOf(t).some((s) => s.up) : false) && replicas > 0,
    why: replicas > 0 ? 'a failover that loses no acknowledged write' : 'no replica to switch to',
  };
}
