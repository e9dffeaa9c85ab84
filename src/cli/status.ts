import type { Command } from 'commander';
import { join } from 'node:path';
import type { LinkReport, LostElection, Topology } from '../model/index.js';
import type { ProcessInfo } from '../local/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { SecurityProblem } from '../security/index.js';
import { describeLostElection, healthProblems, lostElection } from '../model/index.js';
import { EventLog } from '../observer/index.js';
import {
  formatEvent,
  formatLinks,
  formatProxy,
  formatTopology,
  linksJson,
  topologyJson,
} from './format.js';
import type { ResolvedTarget, TargetOptions } from './target.js';
import { localProcesses, localProxy, observeOnce, resolveTarget, targetOptions } from './target.js';
import { certificatesJson, formatCertificates } from './format-tls.js';
import { gatherSecurityFacts, securityProblems } from '../security/index.js';
import { profileOf } from '../deployment/index.js';
import { watchTable } from './status-watch.js';

interface StatusOptions extends TargetOptions {
  json?: boolean;
  watch?: boolean;
}

/**
 * The election the sentinels lost last, while its master is still the one they name and
 * down: read from a local deployment's event log (an attached one keeps none).
 */
function lostElectionOf(topology: Topology, dir: string | null): LostElection | null {
  if (topology.kind !== 'sentinel' || dir === null) return null;
  const timeouts = topology.sentinels.map((s) => s.failoverTimeoutMs ?? 0);
  const failoverTimeoutMs = Math.max(0, ...timeouts);
  if (failoverTimeoutMs === 0) return null;
  const lost = lostElection(new EventLog(join(dir, 'events.jsonl')).read(), failoverTimeoutMs);
  const down = topology.nodes.some((n) => n.addr === lost?.master && !n.up);
  return lost && topology.agreement.master === lost.master && down ? lost : null;
}

/** `status`'s human text: the table, the proxy, warnings, the way back, the dashboard, links. */
function statusText(
  topology: Topology,
  problems: string[],
  processes: ProcessInfo[],
  proxy: ProxyStats | null,
  warnings: SecurityProblem[],
  links: LinkReport[],
  resolved: ResolvedTarget,
  dirFlag: string,
): string {
  const out: string[] = [formatTopology(topology, problems, processes)];
  if (proxy) out.push('', formatProxy(proxy));
  for (const w of warnings) out.push(`warning: ${w.message}`);
  // a process the supervisor holds stopped or exited: the way back, as the README gives it
  for (const p of processes.filter((x) => x.state === 'exited' || x.state === 'stopped'))
    out.push(
      `start it again: quorum node start ${p.name} --dir ${resolved.dir ?? dirFlag}${p.kind === 'redis' ? ' (a data node comes back as a replica of the agreed master)' : ''}`,
    );
  // the URL up printed once, for whoever lost it (the state file is the owner's only)
  const dashboard = resolved.local?.dashboard;
  if (dashboard)
    out.push('', `dashboard: ${dashboard.url}?token=${encodeURIComponent(dashboard.token)}`);
  const certificates = formatCertificates(topology, Date.now());
  if (certificates !== '') out.push('', certificates);
  // a link down for the reason a problem already gives: its state, the reason said once
  const broken = formatLinks(
    links.map((l) =>
      l.lastError !== null && problems.some((p) => p.includes(l.lastError ?? ''))
        ? { ...l, lastError: null }
        : l,
    ),
    Date.now(),
  );
  if (broken !== '') out.push('', broken);
  return `${out.join('\n')}\n`;
}

export function registerStatus(program: Command): void {
  targetOptions(
    program
      .command('status')
      .description(
        "show the live model: roles, replication, each sentinel's view; exit 1 when unhealthy",
      ),
  )
    .option(
      '--json',
      'print JSON: { deployments: [ { name, kind, master, nodes, sentinels, proxy, links } ] }',
    )
    .option(
      '--watch',
      'keep running: on a terminal, the table redrawn as it changes with the latest events; on a pipe, events as they happen',
    )
    .action(async (opts: StatusOptions) => {
      const resolved = await resolveTarget(opts);
      const { observer, topology } = await observeOnce(resolved, opts.timeout, opts.watch === true);
      const spec = resolved.local?.spec;
      const expect =
        spec?.mode === 'sentinel' ? { replicas: spec.replicas, sentinels: spec.sentinels } : {};
      const lost = lostElectionOf(topology, resolved.dir);
      // TLS and ACL checks (the doctor will own them): what stops a failover is a problem,
      // an exposure is a warning that leaves the exit status alone
      const security = securityProblems(
        await gatherSecurityFacts(profileOf(resolved.target), topology),
        Date.now(),
      );
      const problems = [
        ...healthProblems(topology, expect),
        ...(lost ? [describeLostElection(lost, Date.now())] : []),
        ...security.filter((p) => p.breaks).map((p) => p.message),
      ];
      const warnings = security.filter((p) => !p.breaks);
      const processes = await localProcesses(resolved.local);
      const proxy = await localProxy(resolved.local);
      const links = observer.linkReports();
      /** The table and what goes under it, for a topology (the first, or one --watch redraws). */
      const humanStatus = async (t: Topology): Promise<string> => {
        const lostNow = lostElectionOf(t, resolved.dir);
        const problemsNow = [
          ...healthProblems(t, expect),
          ...(lostNow ? [describeLostElection(lostNow, Date.now())] : []),
          ...security.filter((p) => p.breaks).map((p) => p.message),
        ];
        return statusText(
          t,
          problemsNow,
          await localProcesses(resolved.local),
          await localProxy(resolved.local),
          warnings,
          observer.linkReports(),
          resolved,
          opts.dir,
        );
      };
      if (opts.json === true) {
        process.stdout.write(
          JSON.stringify(
            {
              deployments: [
                {
                  ...topologyJson(topology, problems, processes),
                  lostElection: lost,
                  proxy,
                  links: linksJson(links),
                  tls: resolved.target.access.tls !== null,
                  security,
                  certificates: certificatesJson(topology),
                },
              ],
            },
            null,
            opts.watch ? 0 : 2,
          ) + '\n',
        );
      } else process.stdout.write(await humanStatus(topology));
      if (opts.watch !== true) {
        await observer.stop();
        process.exitCode = problems.length === 0 ? 0 : 1;
        return;
      }
      if (opts.json !== true && process.stdout.isTTY) {
        await watchTable(observer, humanStatus);
        return;
      }
      if (opts.json !== true) process.stdout.write('\nwatching; events follow (Ctrl-C to stop)\n');
      observer.bus.on('event', (event) => {
        process.stdout.write(
          (opts.json === true ? JSON.stringify({ event }) : formatEvent(event)) + '\n',
        );
      });
      await observer.start();
      await new Promise<void>((done) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
      });
      await observer.stop();
    });
}
