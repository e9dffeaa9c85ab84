import { z } from 'zod';
import { UserError } from '../model/index.js';
import type { LabMember, LabPlan, LocalSpec } from '../local/index.js';
import { clientMembers, planProcesses } from '../local/index.js';

/**
 * What a network fault in a lab is, and whom it names: the lab's members (data nodes, sentinels,
 * client namespaces). `network-rules.ts` turns faults into the kernel's rules, `network.ts` keeps
 * the active ones.
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
