import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { UserError } from '../model/index.js';

/**
 * The lab network: every process of a deployment in its own Linux network namespace, with its
 * own address on a private bridge, so the kernel can cut or slow the links between them.
 * Addresses come from 198.18.0.0/15 (RFC 2544, reserved for network testing), one /24 per
 * deployment; the host keeps `.1` on the bridge, so quorum, its proxy and the drills reach every
 * node through it. Names carry a tag made from the data directory, so two deployments never
 * share one, and a crashed quorum's leftovers can be found and removed.
 */

/** Addresses in the /24: the bridge, data nodes, sentinels, client namespaces. */
const BRIDGE_HOST = 1;
const NODE_BASE = 10;
const SENTINEL_BASE = 50;
const CLIENT_BASE = 90;
/** Client namespaces made with every lab, for writers that sit on one side of a partition. */
const LAB_CLIENTS = 2;

/** What a lab is called and where it lives; pure data, kept in the spec. */
export interface LabPlan {
  /** 6 hex characters from the data directory. */
  tag: string;
  /** `198.18.N.0/24` */
  subnet: string;
}

/** How a member of the lab is reached. */
export interface LabMember {
  name: string;
  netns: string;
  addr: string;
}

function labTag(dir: string): string {
  return createHash('sha256').update(dir).digest('hex').slice(0, 6);
}

function prefixOf(subnet: string): string {
  return subnet.slice(0, subnet.lastIndexOf('.'));
}

export function bridgeName(plan: LabPlan): string {
  return `qbr${plan.tag}`;
}

function bridgeAddr(plan: LabPlan): string {
  return `${prefixOf(plan.subnet)}.${BRIDGE_HOST}`;
}

export function netnsName(plan: LabPlan, member: string): string {
  return `quorum-${plan.tag}-${member}`;
}

/** The address of a data node (`index` from 0), a sentinel or a client namespace (pure). */
export function labAddr(
  plan: LabPlan,
  kind: 'redis' | 'sentinel' | 'client',
  index: number,
): string {
  const base = kind === 'redis' ? NODE_BASE : kind === 'sentinel' ? SENTINEL_BASE : CLIENT_BASE;
  return `${prefixOf(plan.subnet)}.${base + index}`;
}

export function clientMembers(plan: LabPlan): LabMember[] {
  return Array.from({ length: LAB_CLIENTS }, (_, i) => ({
    name: `client-${i + 1}`,
    netns: netnsName(plan, `client-${i + 1}`),
    addr: labAddr(plan, 'client', i),
  }));
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** Whether two IPv4 prefixes (`a.b.c.d/len`) overlap (pure). */
export function overlaps(a: string, b: string): boolean {
  const [ipA = '', lenA = '32'] = a.split('/');
  const [ipB = '', lenB = '32'] = b.split('/');
  const len = Math.min(Number(lenA), Number(lenB));
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return (ipv4ToInt(ipA) & mask) >>> 0 === (ipv4ToInt(ipB) & mask) >>> 0;
}

/**
 * A /24 of 198.18.0.0/15 that overlaps no address or route of this host (pure over `taken`),
 * starting at one derived from the tag, so a deployment keeps its addresses across restarts.
 */
export function pickSubnet(tag: string, taken: string[]): string | null {
  const start = Number.parseInt(tag.slice(0, 4), 16) % 512;
  for (let i = 0; i < 512; i++) {
    const n = (start + i) % 512;
    const subnet = `198.${18 + Math.floor(n / 256)}.${n % 256}.0/24`;
    if (!taken.some((t) => overlaps(subnet, t))) return subnet;
  }
  return null;
}

/** Runs a command; a failure becomes one sentence naming the command and what it said. */
export function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input, timeout: 10_000 });
  if (result.error)
    throw new UserError(`${command} ${args.join(' ')} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const said = `${result.stderr}${result.stdout}`.trim().split('\n')[0] ?? '';
    throw new UserError(
      `${command} ${args.join(' ')} failed: ${said || `exit ${String(result.status)}`}`,
    );
  }
  return result.stdout;
}

/** Runs a command inside a namespace. */
export function inNetns(netns: string, command: string, args: string[], input?: string): string {
  return run('ip', ['netns', 'exec', netns, command, ...args], input);
}

/** Binary -> Debian package, for what the lab needs. */
const LAB_TOOLS: Record<string, string> = { ip: 'iproute2', nft: 'nftables', tc: 'iproute2' };

function which(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/** Why this machine cannot run a lab (root, tools), one sentence; null when it can. */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0)
    return '--network lab needs root: it creates network namespaces, a bridge and nftables rules; run it as root, or without --network lab (loopback)';
  const missing = Object.keys(LAB_TOOLS).filter((b) => !which(b));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((b) => LAB_TOOLS[b]))].join(' ');
    return `--network lab needs ${missing.join(', ')}; install them with: apt-get install ${packages}`;
  }
  return null;
}

/** Prefixes this host already uses (addresses and routes), from `ip -j`. */
function hostPrefixes(): string[] {
  const addrs = JSON.parse(run('ip', ['-j', '-4', 'addr', 'show'])) as {
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  const routes = JSON.parse(run('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as {
    dst: string;
  }[];
  return [
    ...addrs.flatMap((a) => (a.addr_info ?? []).map((i) => `${i.local}/${i.prefixlen}`)),
    ...routes.map((r) => r.dst).filter((d) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(d)),
  ];
}

export function planLab(dir: string): LabPlan {
  const tag = labTag(dir);
  const ours = `qbr${tag}`;
  // our own bridge from an earlier run is not somebody else's network
  const own = spawnSync('ip', ['-j', '-4', 'addr', 'show', 'dev', ours], { encoding: 'utf8' });
  const mine =
    own.status === 0
      ? (
          JSON.parse(own.stdout) as { addr_info?: { local: string; prefixlen: number }[] }[]
        ).flatMap((a) => (a.addr_info ?? []).map((i) => `${i.local}/${i.prefixlen}`))
      : [];
  const subnet = pickSubnet(
    tag,
    hostPrefixes().filter((p) => !mine.includes(p)),
  );
  if (!subnet)
    throw new UserError(
      'no /24 of 198.18.0.0/15 is free on this host for the lab network; remove a route or address from that range',
    );
  return { tag, subnet };
}

function netnsList(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

/** Creates the bridge and one namespace per member, each with its address; idempotent. */
export function createLab(plan: LabPlan, members: LabMember[]): void {
  destroyLab(plan);
  const bridge = bridgeName(plan);
  run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  run('ip', ['addr', 'add', `${bridgeAddr(plan)}/24`, 'dev', bridge]);
  run('ip', ['link', 'set', bridge, 'up']);
  for (const [i, member] of members.entries()) {
    const veth = `qv${plan.tag}${String(i).padStart(2, '0')}`;
    run('ip', ['netns', 'add', member.netns]);
    run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', member.netns]);
    run('ip', ['link', 'set', veth, 'master', bridge, 'up']);
    inNetns(member.netns, 'ip', ['addr', 'add', `${member.addr}/24`, 'dev', 'eth0']);
    inNetns(member.netns, 'ip', ['link', 'set', 'eth0', 'up']);
    inNetns(member.netns, 'ip', ['link', 'set', 'lo', 'up']);
    // a namespace's own traffic to the host and the other members goes over the bridge
    inNetns(member.netns, 'ip', ['route', 'add', 'default', 'via', bridgeAddr(plan)]);
  }
}

/** The lab's host-side veths that exist now. */
function hostVeths(plan: LabPlan): string[] {
  return run('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n.startsWith(`qv${plan.tag}`));
}

/** Removes every namespace, link and rule of this lab (the rules go with their namespace). */
export function destroyLab(plan: LabPlan): string[] {
  const removed: string[] = [];
  // `ip netns del` only unmounts: the kernel frees a namespace, and the veth pairs in it, later
  // in a work queue (seconds on a loaded machine); deleting a veth removes both ends at once
  for (const veth of hostVeths(plan)) {
    // one the kernel freed meanwhile is gone all the same
    const del = spawnSync('ip', ['link', 'del', veth], { stdio: 'ignore', timeout: 10_000 });
    if (del.status === 0) removed.push(veth);
  }
  for (const ns of netnsList().filter((n) => n.startsWith(`quorum-${plan.tag}-`))) {
    run('ip', ['netns', 'del', ns]);
    removed.push(ns);
  }
  const bridge = bridgeName(plan);
  if (spawnSync('ip', ['link', 'show', bridge], { stdio: 'ignore' }).status === 0) {
    run('ip', ['link', 'del', bridge]);
    removed.push(bridge);
  }
  return removed;
}

/** What of this lab exists now (namespaces, the bridge, veths), for checks after `down`. */
export function labLeftovers(plan: LabPlan): string[] {
  const bridge = run('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n === bridgeName(plan));
  return [
    ...netnsList().filter((n) => n.startsWith(`quorum-${plan.tag}-`)),
    ...bridge,
    ...hostVeths(plan),
  ];
}
