import { assertNever } from '../model/index.js';
import type { ClusterSpec, LocalSpec, SentinelSpec } from './spec.js';
import { CLUSTER_BUS_OFFSET } from './spec.js';

function clusterProblems(spec: ClusterSpec): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(spec.masters) || spec.masters < 3 || spec.masters > 16) {
    problems.push(
      `--masters ${spec.masters} is out of range; a cluster needs at least 3 masters (failure detection and replica election need a majority of masters) and quorum runs at most 16`,
    );
  }
  if (
    !Number.isInteger(spec.replicasPerMaster) ||
    spec.replicasPerMaster < 0 ||
    spec.replicasPerMaster > 4
  ) {
    problems.push(`--replicas-per-master ${spec.replicasPerMaster} is out of range; use 0 to 4`);
  }
  if (!Number.isInteger(spec.nodeTimeoutMs) || spec.nodeTimeoutMs < 100) {
    problems.push(`--node-timeout ${spec.nodeTimeoutMs} is too short; use at least 100 ms`);
  }
  const count = spec.masters * (1 + spec.replicasPerMaster);
  const last = spec.port + count - 1;
  if (!Number.isInteger(spec.port) || spec.port < 1024 || last + CLUSTER_BUS_OFFSET > 65535) {
    problems.push(
      `--port ${spec.port} leaves no room for ${count} nodes and their bus ports (port + ${CLUSTER_BUS_OFFSET}); use a port from 1024 to ${65535 - CLUSTER_BUS_OFFSET - count + 1}`,
    );
  }
  return problems;
}

/** Problems with a spec, one sentence each (what, why, what to do); empty when valid. */
export function specProblems(spec: LocalSpec): string[] {
  switch (spec.mode) {
    case 'sentinel':
      return sentinelProblems(spec);
    case 'cluster':
      return [
        ...(/^[A-Za-z0-9._-]{1,64}$/.test(spec.name)
          ? []
          : [`--name '${spec.name}' is not a valid name; use letters, digits, '.', '_' or '-'`]),
        ...clusterProblems(spec),
        ...passwordProblems(spec),
      ];
    default:
      return assertNever(spec);
  }
}

// redis.conf reads backslashes in quoted strings as escapes, so they would change the password
// (and in an ACL file a space would end the password and start another rule)
function passwordProblems(spec: LocalSpec): string[] {
  const given = spec.acl ? spec.acl.passwords.app : spec.password;
  return given !== null && (given === '' || /[\s"\\]/.test(given))
    ? ['--password must be non-empty and contain no spaces, double quotes or backslashes']
    : [];
}

function sentinelProblems(spec: SentinelSpec): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(spec.name)) {
    problems.push(
      `--name '${spec.name}' is not a valid master name; use letters, digits, '.', '_' or '-'`,
    );
  }
  if (!Number.isInteger(spec.replicas) || spec.replicas < 0 || spec.replicas > 16) {
    problems.push(`--replicas ${spec.replicas} is out of range; use 0 to 16`);
  }
  if (!Number.isInteger(spec.sentinels) || spec.sentinels < 1 || spec.sentinels > 9) {
    problems.push(`--sentinels ${spec.sentinels} is out of range; use 1 to 9`);
  }
  if (!Number.isInteger(spec.quorum) || spec.quorum < 1) {
    problems.push(`--quorum ${spec.quorum} must be at least 1`);
  } else if (spec.quorum > spec.sentinels) {
    problems.push(
      `--quorum ${spec.quorum} is larger than --sentinels ${spec.sentinels}, so no failover could ever start; use --quorum ${Math.floor(spec.sentinels / 2) + 1}`,
    );
  }
  if (!Number.isInteger(spec.downAfterMs) || spec.downAfterMs < 100) {
    problems.push(`--down-after ${spec.downAfterMs} is too short; use at least 100 ms`);
  }
  if (!Number.isInteger(spec.failoverTimeoutMs) || spec.failoverTimeoutMs < 1000) {
    problems.push(
      `--failover-timeout ${spec.failoverTimeoutMs} is too short; use at least 1000 ms`,
    );
  }
  const dataEnd = spec.port + spec.replicas;
  const sentinelEnd = spec.sentinelPort + spec.sentinels - 1;
  if (!Number.isInteger(spec.port) || spec.port < 1024 || dataEnd > 65535) {
    problems.push(
      `--port ${spec.port} leaves no room for ${spec.replicas + 1} data nodes; use a port from 1024 to ${65535 - spec.replicas}`,
    );
  }
  if (!Number.isInteger(spec.sentinelPort) || spec.sentinelPort < 1024 || sentinelEnd > 65535) {
    problems.push(
      `sentinel port ${spec.sentinelPort} is out of range; pass --sentinel-port with a port from 1024 to ${65535 - spec.sentinels + 1}`,
    );
  }
  if (spec.sentinelPort <= dataEnd && sentinelEnd >= spec.port) {
    problems.push(
      `the sentinel ports ${spec.sentinelPort}-${sentinelEnd} overlap the data ports ${spec.port}-${dataEnd}; pick another --sentinel-port`,
    );
  }
  // checked once the other ports are sound, so one mistake gets one sentence
  if (spec.proxyPort !== null && problems.length === 0) {
    const [write, read] = [spec.proxyPort, spec.proxyPort + 1];
    const overlaps = (a: number, b: number) => write <= b && read >= a;
    if (!Number.isInteger(write) || write < 1024 || read > 65535) {
      problems.push(
        `the proxy ports ${String(write)}-${String(read)} are out of range; pass --proxy-port with a port from 1024 to 65534 (or --no-proxy)`,
      );
    } else if (overlaps(spec.port, dataEnd)) {
      problems.push(
        `the proxy ports ${String(write)}-${String(read)} overlap the data ports ${String(spec.port)}-${String(dataEnd)}; pick another --proxy-port (or --no-proxy)`,
      );
    } else if (overlaps(spec.sentinelPort, sentinelEnd)) {
      problems.push(
        `the proxy ports ${String(write)}-${String(read)} overlap the sentinel ports ${String(spec.sentinelPort)}-${String(sentinelEnd)}; pick another --proxy-port (or --no-proxy)`,
      );
    }
  }
  problems.push(...passwordProblems(spec));
  return problems;
}
