import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { labTopology, NetworkFaults } from '../faults/index.js';
import { formatAddr, sentinelsOf, UserError } from '../model/index.js';
import { controlClient, expectationOf, readState, runningSupervisor } from '../local/index.js';
import { Observer } from '../observer/index.js';
import type { DrillTarget, Scenario, ScenarioKind } from '../drill/index.js';
import { DrillStore, scenariosFor } from '../drill/index.js';
import type { TargetOptions } from './target.js';
import { observeOnce, resolveTarget } from './target.js';

/** What picks the deployment a drill runs against. */
export interface DrillTargetOptions extends TargetOptions {
  yesReally?: boolean;
}

/**
 * Starts a deployment in `dir` when none runs there (drills need one to break): the default
 * Sentinel one, or a cluster for cluster scenarios.
 */
async function ensureLocal(dirFlag: string, kind: ScenarioKind): Promise<void> {
  const dir = resolve(dirFlag);
  if (await runningSupervisor(readState(dir))) return;
  const mode = kind === 'cluster' ? ['--mode', 'cluster'] : [];
  const command = `quorum up ${[...mode, '--detach', '--dir', dirFlag].join(' ')}`;
  process.stderr.write(`no deployment runs in ${dirFlag}; starting one (${command})\n`);
  const script = process.argv[1] ?? '';
  const up = spawnSync(
    process.execPath,
    [script, 'up', ...mode, '--detach', '--no-dashboard', '--dir', dirFlag],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (up.status !== 0 || !(await runningSupervisor(readState(dir)))) {
    throw new UserError(
      `could not start a deployment in ${dirFlag}; start one with '${command}' and run the drill again`,
    );
  }
}

/** The deployment the drill is for and its kind: --cluster or --sentinel, else the one in --dir. */
export function deploymentOf(
  opts: DrillTargetOptions,
  named: Scenario | undefined,
): { kind: ScenarioKind; name: string } {
  if (opts.cluster !== undefined) return { kind: 'cluster', name: opts.cluster };
  if (opts.sentinel !== undefined) return { kind: 'sentinel', name: opts.sentinel };
  const state = readState(resolve(opts.dir));
  // nothing there yet: the drill starts a deployment of the kind the scenario is for
  if (!state) return { kind: named?.kind ?? 'sentinel', name: opts.dir };
  return { kind: state.spec.mode === 'cluster' ? 'cluster' : 'sentinel', name: state.spec.name };
}

/** The deployment in --dir, run by its supervisor. */
export async function localTarget(
  opts: DrillTargetOptions,
  kind: ScenarioKind,
): Promise<DrillTarget> {
  await ensureLocal(opts.dir, kind);
  const dir = resolve(opts.dir);
  const state = readState(dir);
  if (!state?.supervisor) throw new UserError(`no supervisor runs in ${opts.dir}`);
  const { spec } = state;
  const cluster = spec.mode === 'cluster';
  const lab = labTopology(spec);
  const addrs = (processKind: string) =>
    state.processes
      .filter((p) => p.kind === processKind)
      .map((p) => formatAddr(p.host ?? spec.host, p.port));
  const sentinels = addrs('sentinel');
  return {
    deployment: spec.name,
    observer: new Observer({
      name: spec.name,
      masterName: spec.name,
      sentinels,
      nodes: addrs('redis'),
      password: spec.password,
      sentinelPassword: spec.password,
      mode: spec.mode,
    }),
    controller: controlClient(state.supervisor.socket),
    expect: expectationOf(spec),
    sentinels,
    masterName: spec.name,
    password: spec.password,
    sentinelPassword: spec.password,
    downAfterMs: cluster ? spec.nodeTimeoutMs : spec.downAfterMs,
    store: new DrillStore(dir),
    proxy: cluster ? null : state.proxy,
    network: lab ? new NetworkFaults(dir, lab) : null,
  };
}

/** An attached deployment (--sentinel, --cluster): only with --yes-really, and only command faults. */
export async function attachedTarget(
  opts: DrillTargetOptions,
  chosen: Scenario[],
  kind: ScenarioKind,
): Promise<DrillTarget> {
  const flag = kind === 'cluster' ? '--cluster' : '--sentinel';
  const local = chosen.filter((s) => s.fault.needsProcesses).map((s) => s.name);
  if (local.length > 0) {
    throw new UserError(
      `${local.join(', ')} ${local.length > 1 ? 'act' : 'acts'} on processes, which quorum can do only for a deployment it launched; against ${flag}, run one of: ${remoteScenarios(kind).join(', ')}`,
      2,
    );
  }
  if (opts.yesReally !== true) {
    throw new UserError(
      `a drill breaks the deployment it runs against (it ${kind === 'cluster' ? 'moves slots' : 'fails the master over'} and writes test keys); to run it against ${opts.sentinel ?? opts.cluster ?? ''}, add --yes-really`,
      2,
    );
  }
  const resolved = await resolveTarget(opts);
  const { observer, topology } = await observeOnce(resolved, opts.timeout, kind === 'sentinel');
  const sentinels = sentinelsOf(topology);
  const downAfter = Math.max(0, ...sentinels.map((s) => s.downAfterMs ?? 0));
  const { target } = resolved;
  const masters =
    topology.kind === 'cluster' ? topology.cluster.shards.filter((s) => s.slotCount > 0) : [];
  return {
    deployment: target.name,
    observer,
    controller: null,
    expect:
      kind === 'cluster'
        ? {
            replicasPerMaster:
              masters.length > 0 ? Math.min(...masters.map((s) => s.replicas.length)) : 0,
          }
        : {
            replicas: Math.max(0, topology.nodes.length - 1),
            sentinels: sentinels.length,
          },
    sentinels: target.sentinels,
    masterName: target.masterName,
    password: target.password,
    sentinelPassword: target.sentinelPassword,
    downAfterMs: downAfter > 0 ? downAfter : 30_000,
    store: new DrillStore(resolve(opts.dir)),
    proxy: null,
    network: null,
  };
}

function remoteScenarios(kind: ScenarioKind): string[] {
  return scenariosFor(kind)
    .filter((s) => !s.fault.needsProcesses)
    .map((s) => s.name);
}
