import type { Topology } from '../model/index.js';
import { agreedMaster, assertNever, healthProblems } from '../model/index.js';
import type { ClusterSpec, LocalSpec, SentinelSpec } from '../local/index.js';
import {
  aclPasswordFile,
  bridgeName,
  expectationOf,
  localAccess,
  netnsName,
  planProcesses,
  readState,
} from '../local/index.js';
import { redisCliFlags } from '../redis/index.js';
import { DEFAULT_DASHBOARD_PORT } from '../server/index.js';
import { formatTopology, topologyJson } from './format.js';
import { localProcesses, observeOnce, resolveTarget } from './target.js';

/** redis-cli's flags for this deployment: --askpass with a password, the TLS files with --tls. */
function cliAuth(spec: LocalSpec, dir: string): string {
  const flags = spec.tls ? redisCliFlags({ ...localAccess(spec, dir).node, user: null }) : [];
  if (spec.acl) flags.push('--user', 'app', '--askpass');
  else if (spec.password !== null) flags.push('--askpass');
  return flags.length > 0 ? ` ${flags.join(' ')}` : '';
}

/** Where the certificates are, what the proxy does with TLS, and who applications log in as. */
function tlsHelp(spec: LocalSpec, dir: string): string[] {
  const acl = spec.acl
    ? [
        `acl:      the default user is off; applications log in as 'app' with the password in ${aclPasswordFile(dir, 'app')}`,
        `          (quorum as 'quorum', the sentinels as 'sentinel', replicas as 'replica'; see quorum acl print app)`,
      ]
    : [];
  if (!spec.tls) return acl;
  return [
    ...acl,
    `tls:      TLS only; CA and certificates in ${dir}/tls/ (clients trust ca.crt; quorum.crt is a client certificate)`,
    ...(spec.mode === 'sentinel' && spec.proxyPort !== null
      ? [
          '          the proxy passes TLS through: clients verify the nodes’ certificates, which name its address',
        ]
      : []),
  ];
}

function connectHelp(
  spec: LocalSpec,
  dir: string,
  topology: Topology,
  proxy: { write: string; read: string } | null,
): string {
  switch (spec.mode) {
    case 'cluster':
      return clusterHelp(spec, dir);
    case 'sentinel':
      return sentinelHelp(spec, dir, topology, proxy);
    default:
      return assertNever(spec);
  }
}

function clusterHelp(spec: ClusterSpec, dir: string): string {
  const first = planProcesses(spec)[0];
  const auth = cliAuth(spec, dir);
  return [
    `connect:  redis-cli -c -h ${first?.host ?? spec.host} -p ${spec.port}${auth}    (-c follows MOVED/ASK to the right shard)`,
    ...tlsHelp(spec, dir),
    `cluster:  quorum cluster check --dir ${dir}      quorum cluster reshard --dir ${dir} --from redis-1 --to redis-2 --slots 100`,
    `watch:    quorum status --dir ${dir} --watch      events: quorum events --dir ${dir}`,
    `stop:     quorum down --dir ${dir}`,
  ].join('\n');
}

function sentinelHelp(
  spec: SentinelSpec,
  dir: string,
  topology: Topology,
  proxy: { write: string; read: string } | null,
): string {
  const master = agreedMaster(topology) ?? `${spec.host}:${spec.port}`;
  const [host, port] = [
    master.slice(0, master.lastIndexOf(':')),
    master.slice(master.lastIndexOf(':') + 1),
  ];
  const auth = cliAuth(spec, dir);
  const sentinelHost = planProcesses(spec).find((p) => p.kind === 'sentinel')?.host ?? spec.host;
  const via = (addr: string) => {
    const at = addr.lastIndexOf(':');
    return `redis-cli -h ${addr.slice(0, at)} -p ${addr.slice(at + 1)}${auth}`;
  };
  return [
    ...(proxy
      ? [
          `connect:  ${via(proxy.write)}    (the proxy: always the master, across failovers)`,
          `          ${via(proxy.read)}    (the proxy: a healthy replica, for reads)`,
          `          redis-cli -h ${host} -p ${port}${auth}    (the master itself, until a failover)`,
        ]
      : [`connect:  redis-cli -h ${host} -p ${port}${auth}    (the master, for writes)`]),
    `          redis-cli -h ${sentinelHost} -p ${spec.sentinelPort}${auth} sentinel get-master-addr-by-name ${spec.name}`,
    ...tlsHelp(spec, dir),
    ...(spec.lab
      ? [
          `network:  lab ${spec.lab.subnet} on bridge ${bridgeName(spec.lab)}, a namespace per process`,
          `          your client on a side: ip netns exec ${netnsName(spec.lab, 'client-1')} redis-cli ...`,
          `          cut links: quorum fault partition --dir ${dir} 'redis-1,client-1 | redis-2,redis-3'`,
        ]
      : []),
    `watch:    quorum status --dir ${dir} --watch      events: quorum events --dir ${dir}`,
    `stop:     quorum down --dir ${dir}`,
  ].join('\n');
}

/** Prints the healthy deployment (table or --json), how to connect, the proxy and dashboard. */
export async function printHealthy(
  spec: LocalSpec,
  dir: string,
  displayDir: string,
  elapsedMs: number,
  json: boolean,
  dashboardPortIsDefault = false,
): Promise<void> {
  const resolved = await resolveTarget({ dir, timeout: 2000 });
  const { observer, topology } = await observeOnce(resolved, 2000);
  await observer.stop();
  const processes = await localProcesses(resolved.local);
  const problems = healthProblems(topology, expectationOf(spec));
  const state = readState(dir);
  const dashboard = state?.dashboard ?? null;
  const proxy = state?.proxy ?? null;
  const dashboardUrl = dashboard
    ? `${dashboard.url}?token=${encodeURIComponent(dashboard.token)}`
    : null;
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          deployments: [topologyJson(topology, problems, processes)],
          elapsedMs,
          dashboard: dashboardUrl,
          proxy,
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  process.stdout.write(
    `\ndeployment '${spec.name}' is healthy after ${(elapsedMs / 1000).toFixed(1)} s\n\n`,
  );
  process.stdout.write(
    formatTopology(topology, problems, processes) +
      '\n\n' +
      connectHelp(spec, displayDir, topology, proxy) +
      '\n',
  );
  if (proxy) process.stdout.write(`proxy: write ${proxy.write} read ${proxy.read}\n`);
  if (dashboardUrl)
    process.stdout.write(`${dashboardLine(dashboardUrl, dashboardPortIsDefault)}\n`);
}

/**
 * The dashboard's line (pure): when the default port was taken and a free one picked, it says
 * so, or the URL would look like a mistake.
 */
export function dashboardLine(url: string, portIsDefault: boolean): string {
  const fellBack = portIsDefault && Number(new URL(url).port) !== DEFAULT_DASHBOARD_PORT;
  // the URL keeps its line to itself (`dashboard: URL`, which scripts read); the note follows
  return `dashboard: ${url}${fellBack ? `\n(port ${DEFAULT_DASHBOARD_PORT} was in use, so a free one was picked; --dashboard-port chooses)` : ''}`;
}
