import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../model/index.js';
import type { LabTopology, NetworkFault } from './network-fault.js';
import { checkFault, describeFault, memberNamed, networkFaultSchema } from './network-fault.js';
import { applyRules, hasNetem } from './network-rules.js';

/**
 * Network faults between the members of a lab (data nodes, sentinels, client namespaces), made
 * by the kernel: nftables rules inside the namespaces drop packets, tc shapes a member's link.
 * The active faults are kept in `<dir>/network.json`; every change renders the rules of every
 * namespace again from that list, so heal is the empty list and nothing can be left half-cut.
 */

// the server's contract and the lab's tests take the fault schema from here
export { networkFaultSchema };
export type { NetworkFault };

const stateSchema = z.object({ faults: z.array(networkFaultSchema) });

/** The cutting kinds: only one of them at a time (a second needs --replace). */
const CUTS = new Set<NetworkFault['kind']>(['partition', 'one-way', 'isolate']);

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
