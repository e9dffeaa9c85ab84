import type { Topology } from '../model/index.js';
import type { Sample } from './contract.js';

/** 15 minutes at one sample a second. */
const HISTORY_SAMPLES = 900;

/** Per-node samples from one observation (pure). */
export function samplesFrom(topology: Topology): Record<string, Sample> {
  const samples: Record<string, Sample> = {};
  for (const node of topology.nodes) {
    // stamped with when the node answered, so a repeated observation adds no sample
    if (node.lastSeenMs === null) continue;
    samples[node.addr] = {
      t: node.lastSeenMs,
      opsPerSec: node.opsPerSec,
      memoryUsedBytes: node.memoryUsedBytes,
      connectedClients: node.connectedClients,
      lagBytes: node.role === 'replica' ? node.replication.lagBytes : null,
    };
  }
  return samples;
}

/** A fixed-size ring of samples per node: memory stays bounded however long it runs. */
export class History {
  private readonly rings = new Map<string, Sample[]>();

  constructor(private readonly capacity: number = HISTORY_SAMPLES) {}

  add(samples: Record<string, Sample>): void {
    for (const [addr, sample] of Object.entries(samples)) {
      let ring = this.rings.get(addr);
      if (!ring) {
        ring = [];
        this.rings.set(addr, ring);
      }
      if (ring.at(-1)?.t === sample.t) continue;
      ring.push(sample);
      if (ring.length > this.capacity) ring.splice(0, ring.length - this.capacity);
    }
  }

  all(): Record<string, Sample[]> {
    return Object.fromEntries([...this.rings.entries()].map(([addr, ring]) => [addr, [...ring]]));
  }
}
