import { spawnSync } from 'node:child_process';
import { inNetns, run } from '../local/index.js';
import type { LabTopology, NetworkFault } from './network-fault.js';
import { memberNamed } from './network-fault.js';

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
export function hasNetem(): boolean {
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
export function applyRules(lab: LabTopology, faults: NetworkFault[]): void {
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
