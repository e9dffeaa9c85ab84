import type { Addr, Topology } from '../model/index.js';
import { SENTINEL_COMMANDS, sentinelsOf } from '../model/index.js';
import type { Access } from '../redis/index.js';
import { RedisLink } from '../redis/index.js';

/** How the processes are reached (the deployment's connection profile). */
interface Profile {
  node: Access;
  sentinel: Access;
}
import type { NodeFacts, SecurityFacts, SentinelFacts } from './types.js';

/** A plausible call of each failover step, for ACL DRYRUN. */
const DRYRUN_ARGS: Record<(typeof SENTINEL_COMMANDS)[number], string[]> = {
  multi: ['multi'],
  slaveof: ['slaveof', 'no', 'one'],
  ping: ['ping'],
  exec: ['exec'],
  subscribe: ['subscribe', '__sentinel__:hello'],
  'config|rewrite': ['config', 'rewrite'],
  role: ['role'],
  publish: ['publish', '__sentinel__:hello', 'x'],
  info: ['info'],
  'client|setname': ['client', 'setname', 'x'],
  'client|kill': ['client', 'kill', 'type', 'normal'],
  'script|kill': ['script', 'kill'],
};

/** Time for each call: these run on demand, for `status` or the doctor. */
const CALL_MS = 2000;

/** Whether `addr` asks a client with no credentials (but the same TLS) to log in. */
async function requiresAuth(addr: Addr, access: Access): Promise<boolean | null> {
  const bare: Access = { ...access, user: null, password: null };
  const link = new RedisLink(addr, {
    timeoutMs: CALL_MS,
    access: bare,
    connectionName: 'quorum-security',
  });
  try {
    await link.call('PING');
    return false;
  } catch (err) {
    return err instanceof Error && /requires a password|NOAUTH/i.test(err.message) ? true : null;
  } finally {
    await link.close();
  }
}

function pairs(reply: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
  return map;
}

/** The users the sentinels' command connections are logged in as (`name=sentinel-<id>-cmd`). */
function sentinelUsersIn(clientList: string): string[] {
  const users = new Set<string>();
  for (const line of clientList.split('\n')) {
    if (!/\bname=sentinel-[0-9a-f]{8}-cmd\b/.test(line)) continue;
    const user = /\buser=(\S+)/.exec(line)?.[1];
    if (user) users.add(user);
  }
  return [...users];
}

/**
 * The failover steps `user` may not run, by ACL DRYRUN; null when that cannot be told (no DRYRUN
 * before Redis 7, ACL renamed or refused to quorum, no answer): unknown is not refused.
 */
async function refusedSteps(link: RedisLink, user: string): Promise<string[] | null> {
  const answers = await Promise.all(
    SENTINEL_COMMANDS.map((command) =>
      link.call('ACL', 'DRYRUN', user, ...DRYRUN_ARGS[command]).then(
        (reply) => ({ command, allowed: String(reply) === 'OK' }),
        () => null,
      ),
    ),
  );
  if (answers.some((a) => a === null)) return null;
  return answers.flatMap((a) => (a && !a.allowed ? [a.command] : []));
}

/** The default user's flags from ACL GETUSER (a flat list of names and values); null if unread. */
function defaultUserFlags(reply: unknown): string[] | null {
  if (!Array.isArray(reply)) return null;
  const at = reply.indexOf('flags');
  const flags: unknown = at >= 0 ? reply[at + 1] : undefined;
  return Array.isArray(flags) ? flags.map(String) : null;
}

async function nodeFacts(profile: Profile, addr: Addr, follows: Addr | null): Promise<NodeFacts> {
  const link = new RedisLink(addr, {
    timeoutMs: CALL_MS,
    access: profile.node,
    connectionName: 'quorum-security',
  });
  try {
    const config = pairs(
      await link
        .call('CONFIG', 'GET', 'bind', 'port', 'tls-port', 'tls-auth-clients', 'tls-replication')
        .catch(() => null),
    );
    const number = (key: string) => (config.has(key) ? Number(config.get(key)) : null);
    const defaultUser = await link.call('ACL', 'GETUSER', 'default').catch(() => null);
    const flagList = defaultUserFlags(defaultUser);
    const clients = await link.call('CLIENT', 'LIST').catch(() => '');
    const sentinelUsers = [];
    for (const user of sentinelUsersIn(typeof clients === 'string' ? clients : '')) {
      const refused = await refusedSteps(link, user);
      if (refused) sentinelUsers.push({ user, refused });
    }
    return {
      addr,
      bind: (config.get('bind') ?? '').split(/\s+/).filter((b) => b !== ''),
      port: number('port'),
      tlsPort: number('tls-port') || null,
      tlsAuthClients: config.get('tls-auth-clients') ?? null,
      tlsReplication: config.has('tls-replication')
        ? config.get('tls-replication') === 'yes'
        : null,
      follows,
      defaultUserOpen: flagList ? flagList.includes('on') && flagList.includes('nopass') : null,
      requiresAuth: await requiresAuth(addr, profile.node),
      sentinelUsers,
    };
  } finally {
    await link.close();
  }
}

async function sentinelFacts(profile: Profile, t: Topology, addr: Addr): Promise<SentinelFacts> {
  const view = sentinelsOf(t).find((s) => s.addr === addr);
  const masterUp = t.nodes.some((n) => n.addr === view?.masterAddr && n.up);
  const flagsDown = view?.masterFlags.some((f) => f === 's_down' || f === 'disconnected') ?? false;
  return {
    addr,
    requiresAuth: await requiresAuth(addr, profile.sentinel),
    cannotReachMaster: masterUp && flagsDown,
  };
}

/**
 * Reads what the security checks need from every process that answers: CONFIG GET, the default
 * user, the sentinels' users with ACL DRYRUN of each failover step, and whether each asks
 * for a password. Calls that are refused leave their fact unknown; nothing is changed.
 */
export async function gatherSecurityFacts(profile: Profile, t: Topology): Promise<SecurityFacts> {
  const nodes = await Promise.all(
    t.nodes
      .filter((n) => n.up)
      .map((n) =>
        nodeFacts(profile, n.addr, n.role === 'replica' ? n.replication.masterAddr : null),
      ),
  );
  const sentinels = await Promise.all(
    sentinelsOf(t)
      .filter((s) => s.up)
      .map((s) => sentinelFacts(profile, t, s.addr)),
  );
  return {
    nodes,
    sentinels,
    certificates: t.certificates,
    nodesTlsOnly: nodes.length > 0 && nodes.every((n) => n.port === 0 && n.tlsPort !== null),
  };
}
