import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { sentinelsOf, UserError } from '../model/index.js';
import { readState, runningSupervisor } from '../local/index.js';
import { attach, openLocal } from '../deployment/index.js';
import type { DrillTarget, Scenario, ScenarioKind } from '../drill/index.js';
import { scenariosFor } from '../drill/index.js';
import type { TargetOptions } from './target.js';
import { observeOnce, resolveTarget } from './target.js';

/** What picks the deployment a drill runs against. */
export interface DrillTargetOptions extends TargetOptions {
  yesReally?: boolean;
}

/**
 * Starts a deployment in `dir` when none runs there (drills need one to break): the default
 * Sentinel one, or a cluster for cluster scenarios. Says whether it started one.
 */
export async function ensureLocal(dirFlag: string, kind: ScenarioKind): Promise<boolean> {
  const dir = resolve(dirFlag);
  if (await runningSupervisor(readState(dir))) return false;
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
  return true;
}

/** What a drill that started a deployment says at its end: it still runs, and how to stop it. */
export function stillRunning(dirFlag: string): string {
  return `the deployment this drill started still runs in ${dirFlag}: look at it with 'quorum status --dir ${dirFlag}', stop it with 'quorum down --dir ${dirFlag}'`;
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
  return { kind: state.spec.mode, name: state.spec.name };
}

/** The deployment in --dir, run by its supervisor. */
export function localTarget(opts: DrillTargetOptions): Promise<DrillTarget> {
  const deployment = openLocal(opts.dir, { timeoutMs: opts.timeout });
  if (!deployment.controller) throw new UserError(`no supervisor runs in ${opts.dir}`);
  return deployment.drillTarget(null);
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
  // one look, to know what healthy means here; the handle's own observer watches the drill
  const { observer, topology } = await observeOnce(resolved, opts.timeout);
  await observer.stop();
  const masters =
    topology.kind === 'cluster' ? topology.cluster.shards.filter((s) => s.slotCount > 0) : [];
  const deployment = attach(resolved.target, {
    timeoutMs: opts.timeout,
    subscribe: kind === 'sentinel',
    drillsDir: opts.dir,
    expect:
      kind === 'cluster'
        ? {
            replicasPerMaster:
              masters.length > 0 ? Math.min(...masters.map((s) => s.replicas.length)) : 0,
          }
        : {
            replicas: Math.max(0, topology.nodes.length - 1),
            sentinels: sentinelsOf(topology).length,
          },
  });
  return deployment.drillTarget(topology);
}

function remoteScenarios(kind: ScenarioKind): string[] {
  return scenariosFor(kind)
    .filter((s) => !s.fault.needsProcesses)
    .map((s) => s.name);
}
