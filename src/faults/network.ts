import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../model/index.js';
import type { LabMember, LabPlan, LocalSpec } from '../local/index.js';
import { clientMembers, inNetns, planProcesses, run } from '../local/index.js';

/**
 * Network faults between the members of a lab (data nodes, sentinels, client namespaces), made
 * by the kernel: nftables rules inside the namespaces drop packets, tc shapes a member's link.
 * The active faults are kept in `<dir>/network.json`; every change renders the rules of every
 * namespace again from that list, so heal is the empty list and nothing can be left half-cut.
 */

export const networkFaultSchema = z.discriminatedUnion('kind', [
  /** Traffic between any two groups dropped both ways; members of one group still talk. */
  z.object({ kind: z.literal('partition'), groups: z.array(z.array(z.string())).min(2) }),
  /** `from` cannot open or use connections to `to`; connections `to` opens to `from` still work. */
  z.object({ kind: z.literal('one-way'), from: z.array(z.string()), to: z.array(z.string()) }),
  /** Everything to and from the member dropped, quorum's own traffic included. */
  z.object({ kind: z.literal('isolate'), member: z.string() }),
  /** Each packet in and out of the member dropped with this probability. */
  z.object({ kind: z.literal('loss'), member: z.string(), percent: z.number().min(1).max(100) }),
  /** The member's link limited to this rate, both ways. */
  z.object({ kind: z.literal('bandwidth'), member: z.string(), kbit: z.number().int().min(8) }),
  /** Delay (and jitter) on the member's outgoing packets; needs sch_netem. */
  z.object({
    kind: z.literal('latency'),
    member: z.string(),
    delayMs: z.number().int().min(1),
    jitterMs: z.number().int().min(0),
  }),
]);
export type NetworkFault = z.infer<typeof networkFaultSchema>;

const stateSchema = z.object({ faults: z.array(networkFaultSchema) });

/** The cutting kinds: only one of them at a time (a second needs --replace). */
const CUTS = new Set<NetworkFault['kind']>(['partition', 'one-way', 'isolate']);

/** Every member of a lab: processes and client namespaces, with the host-side veth of each. */
export interface LabTopology {
  plan: LabPlan;
  members: (LabMember & { veth: string })[];
}

export function labTopology(spec: LocalSpec): LabTopology | null {
  const lab = spec.lab;
  if (!lab) return null;
  const processes = planProcesses(spec).map((p) => ({
    name: p.name,
    netns: p.netns ?? '',
    addr: p.host,
  }));
  const all = [...processes, ...clientMembers(lab)];
  return {
    plan: lab,
    members: all.map((m, i) => ({ ...m, veth: `qv${lab.tag}${String(i).padStart(2, '0')}` })),
  };
}

/** A member by name (`redis-1`, `sentinel-2`, `client-1`) or address; one sentence when unknown. */
export function memberNamed(lab: LabTopology, name: string): LabMember & { veth: string } {
  const found = lab.members.find(
    (m) => m.name === name || m.addr === name || name.startsWith(`${m.addr}:`),
  );
  if (!found)
    throw new UserError(
      `'${name}' names no member of the lab; use one of: ${lab.members.map((m) => m.name).join(', ')}`,
      2,
    );
  return found;
}

/** Checks names and overlaps; returns the fault with names as given (pure). */
export function checkFault(lab: LabTopology, fault: NetworkFault): void {
  const names =
    fault.kind === 'partition'
      ? fault.groups.flat()
      : fault.kind === 'one-way'
        ? [...fault.from, ...fault.to]
        : [fault.member];
  for (const n of names) memberNamed(lab, n);
  const seen = new Map<string, number>();
  const groups =
    fault.kind === 'partition'
      ? fault.groups
      : fault.kind === 'one-way'
        ? [fault.from, fault.to]
        : [];
  for (const [i, group] of groups.entries()) {
    if (group.length === 0) throw new UserError(`group ${i + 1} of the ${fault.kind} is empty`, 2);
    for (const n of group) {
      const name = memberNamed(lab, n).name;
      const other = seen.get(name);
      if (other !== undefined && other !== i)
        throw new UserError(
          `${name} is in two groups (${other + 1} and ${i + 1}); a member can be on one side only`,
          2,
        );
      seen.set(name, i);
    }
  }
}

/** One sentence for a fault, for events and `fault list` (pure). */
export function describeFault(fault: NetworkFault): string {
  switch (fault.kind) {
    case 'partition':
      return `partition ${fault.groups.map((g) => g.join(',')).join(' | ')}`;
    case 'one-way':
      return `one-way: ${fault.from.join(',')} cannot reach ${fault.to.join(',')}`;
    case 'isolate':
      return `isolate ${fault.member}`;
    case 'loss':
      return `${fault.percent}% packet loss on ${fault.member}`;
    case 'bandwidth':
      return `${fault.member} limited to ${fault.kbit} kbit/s`;
    case 'latency':
      return `${fault.delayMs} ms latency (±${fault.jitterMs} ms) on ${fault.member}`;
  }
}

/** What one namespace gets: nftables rules, and the qdisc of its link (pure). */
export interface MemberRules {
  input: string[];
  output: string[];
  /** tc arguments after `qdisc replace dev <link> root`, null for none. */
  qdisc: string[] | null;
}

function addrsOf(lab: LabTopology, names: string[]): string {
  return `{ ${names.map((n) => memberNamed(lab, n).addr).join(', ')} }`;
}

/** The rules of every member for a list of active faults (pure). */
export function renderRules(lab: LabTopology, faults: NetworkFault[]): Map<string, MemberRules> {
  const rules = new Map<string, MemberRules>(
    lab.members.map((m) => [m.name, { input: [], output: [], qdisc: null }]),
  );
  const of = (name: string) => rules.get(memberNamed(lab, name).name) as MemberRules;
  for (const fault of faults) {
    switch (fault.kind) {
      case 'partition':
        for (const [i, group] of fault.groups.entries()) {
          const others = fault.groups.filter((_, j) => j !== i).flat();
          for (const name of group) {
            of(name).output.push(`ip daddr ${addrsOf(lab, others)} drop`);
            of(name).input.push(`ip saddr ${addrsOf(lab, others)} drop`);
          }
        }
        break;
      case 'one-way':
        // packets of connections `from` opened are dropped; those of connections `to` opened
        // (their replies included) pass, so `to` still reaches `from`
        for (const name of fault.from) {
          of(name).output.push(`ip daddr ${addrsOf(lab, fault.to)} ct direction original drop`);
          of(name).input.push(`ip saddr ${addrsOf(lab, fault.to)} ct direction reply drop`);
        }
        break;
      case 'isolate':
        of(fault.member).output.push('oifname "eth0" drop');
        of(fault.member).input.push('iifname "eth0" drop');
        break;
      case 'loss': {
        // on its link only (loopback inside the namespace keeps working); nft's numgen takes
        // values below the modulus, so 100% is a plain drop
        const share = fault.percent >= 100 ? '' : ` numgen random mod 100 < ${fault.percent}`;
        of(fault.member).output.push(`oifname "eth0"${share} drop`);
        of(fault.member).input.push(`iifname "eth0"${share} drop`);
        break;
      }
      case 'bandwidth':
        of(fault.member).qdisc = [
          'tbf',
          'rate',
          `${fault.kbit}kbit`,
          'burst',
          '32kbit',
          'latency',
          '400ms',
        ];
        break;
      case 'latency':
        of(fault.member).qdisc = [
          'netem',
          'delay',
          `${fault.delayMs}ms`,
          ...(fault.jitterMs > 0 ? [`${fault.jitterMs}ms`] : []),
        ];
        break;
    }
  }
  return rules;
}

function nftScript(r: MemberRules): string {
  const chain = (name: string, hook: string, body: string[]) =>
    `  chain ${name} {\n    type filter hook ${hook} priority 0; policy accept;\n${body.map((l) => `    ${l}\n`).join('')}  }\n`;
  const reset = 'table inet quorum {}\ndelete table inet quorum\n';
  if (r.input.length === 0 && r.output.length === 0) return reset;
  return `${reset}table inet quorum {\n${chain('input', 'input', r.input)}${chain('output', 'output', r.output)}}\n`;
}

/** Whether this kernel has sch_netem (tc netem); some do not, this machine's included. */
function hasNetem(): boolean {
  const ns = `quorum-netem-probe-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', ns]).status !== 0) return false;
  try {
    return (
      spawnSync('ip', [
        'netns',
        'exec',
        ns,
        'tc',
        'qdisc',
        'add',
        'dev',
        'lo',
        'root',
        'netem',
        'delay',
        '1ms',
      ]).status === 0
    );
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

/** Makes the kernel match `faults` in every namespace of the lab (rules and qdiscs). */
function applyRules(lab: LabTopology, faults: NetworkFault[]): void {
  const rules = renderRules(lab, faults);
  for (const member of lab.members) {
    const r = rules.get(member.name);
    if (!r) continue;
    inNetns(member.netns, 'nft', ['-f', '-'], nftScript(r));
    // shaping both ways: the member's own link out, and the host side of its veth in
    spawnSync('ip', ['netns', 'exec', member.netns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root'], {
      stdio: 'ignore',
    });
    spawnSync('tc', ['qdisc', 'del', 'dev', member.veth, 'root'], { stdio: 'ignore' });
    if (r.qdisc) {
      inNetns(member.netns, 'tc', ['qdisc', 'replace', 'dev', 'eth0', 'root', ...r.qdisc]);
      if (r.qdisc[0] === 'tbf')
        run('tc', ['qdisc', 'replace', 'dev', member.veth, 'root', ...r.qdisc]);
    }
  }
}

/** The active network faults of a lab deployment, kept in `<dir>/network.json`. */
export class NetworkFaults {
  constructor(
    private readonly dir: string,
    readonly lab: LabTopology,
  ) {}

  private get file(): string {
    return join(this.dir, 'network.json');
  }

  private cached: { mtimeMs: number; faults: NetworkFault[] } | null = null;

  /**
   * The active faults, read again only when the file changed (here or by `quorum fault` in
   * another process): the dashboard and /metrics ask on every observation and scrape.
   */
  active(): NetworkFault[] {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      return [];
    }
    if (this.cached?.mtimeMs !== mtimeMs) this.cached = { mtimeMs, faults: this.read() };
    return this.cached.faults;
  }

  private read(): NetworkFault[] {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      // unreadable: heal (which renders the empty list into every namespace) still clears all
      return [];
    }
    const parsed = stateSchema.safeParse(json);
    return parsed.success ? parsed.data.faults : [];
  }

  private save(faults: NetworkFault[]): void {
    applyRules(this.lab, faults);
    this.cached = null;
    if (faults.length === 0) rmSync(this.file, { force: true });
    else writeFileSync(this.file, `${JSON.stringify({ faults }, null, 2)}\n`);
  }

  /** Adds a fault; a second cut needs `replace` (the first is healed first). Returns a sentence. */
  inject(fault: NetworkFault, replace = false): string {
    checkFault(this.lab, fault);
    if (fault.kind === 'latency' && !hasNetem())
      throw new UserError(
        'this kernel has no sch_netem (tc netem), so latency and jitter cannot be injected here; every other network fault works',
      );
    let faults = this.active();
    const cut = faults.find((f) => CUTS.has(f.kind));
    if (CUTS.has(fault.kind) && cut) {
      if (!replace)
        throw new UserError(
          `a ${describeFault(cut)} is already active; heal it first (quorum fault heal) or pass --replace`,
          2,
        );
      faults = faults.filter((f) => !CUTS.has(f.kind));
    }
    // one loss and one shaping (bandwidth or latency) per member: a new one replaces the old
    if (fault.kind === 'bandwidth' || fault.kind === 'latency' || fault.kind === 'loss') {
      const family = (kind: NetworkFault['kind']) => (kind === 'loss' ? 'loss' : 'shape');
      const member = memberNamed(this.lab, fault.member).name;
      faults = faults.filter(
        (f) =>
          !(
            (f.kind === 'bandwidth' || f.kind === 'latency' || f.kind === 'loss') &&
            family(f.kind) === family(fault.kind) &&
            memberNamed(this.lab, f.member).name === member
          ),
      );
    }
    this.save([...faults, fault]);
    return describeFault(fault);
  }

  /** Removes every fault; says what was healed, or that nothing was cut. */
  heal(): string {
    const faults = this.active();
    this.save([]);
    return faults.length === 0
      ? 'nothing to heal: no network fault is active'
      : `healed ${faults.map(describeFault).join('; ')}`;
  }
}
