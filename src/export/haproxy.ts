import type { Addr } from '../model/index.js';
import { parseAddr, UserError } from '../model/index.js';
import type { Access } from '../redis/index.js';

export interface HaproxyOptions {
  /** The deployment's name, for the comments. */
  deployment: string;
  masterName: string;
  nodes: Addr[];
  sentinels: Addr[];
  /** Sentinels that must name a node before it gets writes. */
  quorum: number;
  /** The data nodes' user and password (TLS is refused: the checks speak plain TCP). */
  access: Access;
  sentinelAccess: Access;
  bind: string;
  writePort: number;
  readPort: number;
  /** The usual config people copy (role:master alone), for comparisons; not for production. */
  naive: boolean;
}

/**
 * A command as a RESP array in hex (`tcp-check send-binary`): a password or a master name then
 * reaches Redis byte for byte, whatever it contains, and can never break the config line.
 */
export function send(...words: string[]): string {
  const resp = [
    `*${String(words.length)}\r\n`,
    ...words.map((w) => `$${String(Buffer.byteLength(w))}\r\n${w}\r\n`),
  ].join('');
  return `tcp-check send-binary ${Buffer.from(resp).toString('hex')}`;
}

/** A regex matching `text` literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function auth(access: Access): string[] {
  const { user, password } = access;
  if (password === null) return [];
  const words = user === null ? ['AUTH', password] : ['AUTH', user, password];
  return [send(...words), 'tcp-check expect string +OK'];
}

function name(addr: Addr): string {
  return addr.replace(/[^A-Za-z0-9]/g, '_');
}

function hostPort(addr: Addr): { host: string; port: number } {
  const hp = parseAddr(addr);
  if (!hp)
    throw new UserError(`${addr} is not a host:port address, so it cannot go into haproxy.cfg`);
  return hp;
}

/**
 * The regex a sentinel's reply to GET-MASTER-ADDR-BY-NAME must match to name exactly this node:
 * the whole array with its lengths, so `redis-1` never passes for `old-redis-1` (pure).
 */
export function namesExactly(host: string, port: number): string {
  const reply = `*2\r\n$${String(Buffer.byteLength(host))}\r\n${host}\r\n$${String(String(port).length)}\r\n${String(port)}\r\n`;
  return `(^|\\n)${literal(reply).replace(/\r/g, '\\r').replace(/\n/g, '\\n')}`;
}

/** The part every config shares. */
function header(o: HaproxyOptions, what: string): string[] {
  return [
    `# haproxy.cfg for the Redis Sentinel deployment '${o.deployment}' (master name '${o.masterName}'),`,
    `# written by quorum export haproxy. ${what}`,
    `#   writes: ${o.bind}:${String(o.writePort)}    reads: ${o.bind}:${String(o.readPort)}`,
    `#   data nodes: ${o.nodes.join(', ')}`,
    `#   sentinels:  ${o.sentinels.join(', ')}`,
    '# Check it with: haproxy -c -f haproxy.cfg',
    '',
    'global',
    '    maxconn 4000',
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 2s',
    '    # Redis connections idle for long (pub/sub, blocking pops, pools): keep them open',
    '    timeout client 1h',
    '    timeout server 1h',
    '    timeout check 2s',
    '',
  ];
}

/** The read side: replicas that say role:slave with their link to the master up. */
function readSide(o: HaproxyOptions): string[] {
  return [
    'frontend redis_read',
    `    bind ${o.bind}:${String(o.readPort)}`,
    '    default_backend redis_read',
    '',
    'backend redis_read',
    '    balance roundrobin',
    '    option tcp-check',
    ...auth(o.access).map((l) => `    ${l}`),
    `    ${send('INFO', 'replication')}`,
    '    # a replica that is linked to its master; a resyncing or orphaned one gets no reads',
    '    tcp-check expect rstring role:slave[\\s\\S]*master_link_status:up',
    `    ${send('QUIT')}`,
    '    tcp-check expect string +OK',
    ...o.nodes.map(
      (n) =>
        `    server ${name(n)} ${n} check inter 1s fall 2 rise 2 on-marked-down shutdown-sessions`,
    ),
    '',
  ];
}

/** What most guides publish: one backend, a node counts as master when it says so. */
function naiveConfig(o: HaproxyOptions): string {
  return [
    ...header(
      o,
      'The NAIVE form, as most guides write it: a node that says role:master gets writes, so an old master restarted as master gets them too (split brain), and sessions stay on a demoted master. For comparisons only.',
    ),
    'frontend redis_write',
    `    bind ${o.bind}:${String(o.writePort)}`,
    '    default_backend redis_write',
    '',
    'backend redis_write',
    '    option tcp-check',
    ...auth(o.access).map((l) => `    ${l}`),
    `    ${send('PING')}`,
    '    tcp-check expect string +PONG',
    `    ${send('INFO', 'replication')}`,
    '    tcp-check expect string role:master',
    `    ${send('QUIT')}`,
    '    tcp-check expect string +OK',
    ...o.nodes.map((n) => `    server ${name(n)} ${n} check inter 1s`),
    '',
    ...readSide(o),
  ].join('\n');
}

/**
 * The hardened form: each data node has a backend of its own with one server line per sentinel,
 * all pointing at the node. Each line's check asks the node for `role:master` and then asks its
 * sentinel which master it names; the frontend sends writes to a node only when at least
 * `quorum` of its lines are up, that is when the node says master and a quorum of sentinels
 * agree. An old master restarted as master fails the sentinel half, so it gets nothing.
 */
function hardenedConfig(o: HaproxyOptions): string {
  const lines = header(
    o,
    'The HARDENED form: a node gets writes only when it says role:master AND a quorum of sentinels name it; sessions on a node that stops qualifying are shut down.',
  );
  lines.push(
    'frontend redis_write',
    `    bind ${o.bind}:${String(o.writePort)}`,
    `    # a node's backend has one check per sentinel: ${String(o.quorum)} up = a quorum names it`,
    ...o.nodes.map(
      (n) =>
        `    use_backend redis_write_${name(n)} if { nbsrv(redis_write_${name(n)}) ge ${String(o.quorum)} }`,
    ),
    '    # no node qualifies (a failover under way): the connection is closed',
    '    default_backend redis_write_none',
    '',
    'backend redis_write_none',
    '',
  );
  for (const node of o.nodes) {
    const { host, port } = hostPort(node);
    lines.push(
      `backend redis_write_${name(node)}`,
      '    balance first',
      '    option tcp-check',
      `    # 1. ${node} itself says role:master`,
      `    tcp-check connect addr ${host} port ${String(port)}`,
      ...auth(o.access).map((l) => `    ${l}`),
      `    ${send('INFO', 'replication')}`,
      '    tcp-check expect string role:master',
      `    ${send('QUIT')}`,
      '    tcp-check expect string +OK',
      `    # 2. the sentinel this line checks through names ${node} as the master`,
      '    tcp-check connect',
      ...auth(o.sentinelAccess).map((l) => `    ${l}`),
      `    ${send('SENTINEL', 'get-master-addr-by-name', o.masterName)}`,
      `    tcp-check expect rstring ${namesExactly(host, port)}`,
      ...o.sentinels.map((s, i) => {
        const sp = hostPort(s);
        return `    server via_sentinel_${String(i + 1)} ${node} check addr ${sp.host} port ${String(sp.port)} inter 1s fall 1 rise 1 on-marked-down shutdown-sessions`;
      }),
      '',
    );
  }
  lines.push(...readSide(o));
  return lines.join('\n');
}

/** haproxy.cfg for a Sentinel deployment (pure). */
export function renderHaproxy(options: HaproxyOptions): string {
  return options.naive ? naiveConfig(options) : hardenedConfig(options);
}
