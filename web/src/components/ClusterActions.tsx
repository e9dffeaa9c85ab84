import { useState } from 'react';
import { clock } from '../../../src/model/format.js';
import type { ClusterJob, DeploymentState } from '../../../src/server/contract.js';
import { jobProgress, jobRunning } from '../cluster-view.js';
import type { PendingAction } from './actions.js';
import {
  addNodeAction,
  delNodeAction,
  nodeName,
  offers,
  rebalanceAction,
  removable,
  reshardAction,
} from './cluster-actions.js';
import { clusterOf } from '../../../src/model/topology.js';

/** The latest cluster job: a progress bar while it runs, its outcome once it ended. */
export function ClusterJobView({
  job,
  canAct,
  onCancel,
}: {
  job: ClusterJob;
  canAct: boolean;
  onCancel: () => void;
}) {
  const running = jobRunning(job);
  const { fraction, text, message } = jobProgress(job);
  const outcome = running ? 'running' : job.error === null ? 'done' : 'failed';
  return (
    <div className={`job ${outcome}`} data-testid="cluster-job" data-outcome={outcome}>
      <div className="head">
        <strong>{job.description}</strong>
        <span className="muted">
          {clock(job.startedMs)}
          {job.endedMs !== null && `, ${((job.endedMs - job.startedMs) / 1000).toFixed(1)} s`}
        </span>
        {running && (
          <button className="small" disabled={!canAct} onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {running && (
        <progress
          max={1}
          value={fraction ?? undefined}
          aria-label="progress of the cluster job"
          data-testid="cluster-job-progress"
        />
      )}
      <div className="mono" data-testid="cluster-job-progress-text">
        {text}
      </div>
      {message && (
        <div data-testid="cluster-job-message" className={job.error ? 'bad' : undefined}>
          {message}
        </div>
      )}
    </div>
  );
}

/**
 * Cluster administration (admin role): reshard, rebalance, add and remove nodes. Each only where
 * the deployment offers it, each confirmed, none while a job runs.
 */
export function ClusterActions({
  deployment,
  canAct,
  onAction,
}: {
  deployment: DeploymentState;
  canAct: boolean;
  onAction: (action: PendingAction) => void;
}) {
  const shards = deployment.topology ? (clusterOf(deployment.topology)?.shards ?? []) : [];
  const masters = shards.map((s) => s.master).filter((a): a is string => a !== null);
  const owners = shards.filter((s) => s.slotCount > 0 && s.master !== null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [slots, setSlots] = useState(100);
  const [useEmpty, setUseEmpty] = useState(false);
  const [replicaOf, setReplicaOf] = useState('');
  const [remove, setRemove] = useState('');
  // a pick that left the cluster falls back to the first that can
  const fromAddr = owners.some((s) => s.master === from) ? from : (owners[0]?.master ?? '');
  const toAddr =
    masters.includes(to) && to !== fromAddr ? to : (masters.find((m) => m !== fromAddr) ?? '');
  const leaving = removable(deployment);
  const removeAddr = leaving.includes(remove) ? remove : (leaving[0] ?? '');
  const button = (action: PendingAction | null, testid: string) =>
    action && (
      <button
        className="danger"
        data-testid={testid}
        disabled={!canAct || !action.enabled}
        title={canAct ? action.why : 'needs the admin role'}
        onClick={() => onAction(action)}
      >
        {action.label}
      </button>
    );
  const short = (addr: string) => deployment.processes.find((p) => p.addr === addr)?.name ?? addr;
  const option = (addr: string) => (
    <option key={addr} value={addr} title={nodeName(deployment, addr)}>
      {short(addr)}
    </option>
  );
  return (
    <div className="cluster-actions" data-testid="cluster-actions">
      {offers(deployment, 'reshard') && (
        <div className="picker">
          <strong>Reshard</strong>
          <label>
            from{' '}
            <select
              aria-label="reshard from"
              value={fromAddr}
              onChange={(e) => setFrom(e.target.value)}
            >
              {owners.map((s) => option(s.master ?? ''))}
            </select>
          </label>
          <label>
            to{' '}
            <select aria-label="reshard to" value={toAddr} onChange={(e) => setTo(e.target.value)}>
              {masters.filter((m) => m !== fromAddr).map(option)}
            </select>
          </label>
          <label>
            <input
              type="number"
              aria-label="slots to move"
              min={1}
              max={16384}
              value={slots}
              style={{ width: 80 }}
              onChange={(e) => setSlots(Math.max(1, Math.floor(Number(e.target.value)) || 1))}
            />{' '}
            slots
          </label>
          {button(
            fromAddr && toAddr ? reshardAction(deployment, fromAddr, toAddr, slots) : null,
            'reshard',
          )}
        </div>
      )}
      {offers(deployment, 'rebalance') && (
        <div className="picker">
          <strong>Rebalance</strong>
          <label className="check inline">
            <input
              type="checkbox"
              checked={useEmpty}
              onChange={(e) => setUseEmpty(e.target.checked)}
            />
            use empty masters
          </label>
          {button(rebalanceAction(deployment, useEmpty), 'rebalance')}
        </div>
      )}
      {offers(deployment, 'add-node') && (
        <div className="picker">
          <strong>Add node</strong>
          <label>
            as{' '}
            <select
              aria-label="new node's role"
              value={replicaOf}
              onChange={(e) => setReplicaOf(e.target.value)}
            >
              <option value="">an empty master</option>
              {masters.map((m) => (
                <option key={m} value={m}>
                  replica of {short(m)}
                </option>
              ))}
            </select>
          </label>
          {button(addNodeAction(deployment, replicaOf === '' ? null : replicaOf), 'add-node')}
        </div>
      )}
      {offers(deployment, 'del-node') && (
        <div className="picker">
          <strong>Remove node</strong>
          <select
            aria-label="node to remove"
            value={removeAddr}
            onChange={(e) => setRemove(e.target.value)}
          >
            {leaving.length === 0 && <option value="">none can leave (masters own slots)</option>}
            {leaving.map(option)}
          </select>
          {button(removeAddr ? delNodeAction(deployment, removeAddr) : null, 'del-node')}
        </div>
      )}
    </div>
  );
}
