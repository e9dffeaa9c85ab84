import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { DrillRun, LedgerLine } from '../src/drill/index.js';
import { keySlot, parseAddr } from '../src/model/index.js';

const lineSchema = z.object({
  scenario: z.string(),
  faultAtMs: z.number(),
  key: z.string(),
  value: z.string(),
  outcome: z.enum(['ack', 'fail', 'indeterminate']),
  startMs: z.number(),
  endMs: z.number(),
  node: z.string().nullable(),
  late: z.object({ outcome: z.enum(['ack', 'fail']), atMs: z.number() }).nullable(),
  present: z.boolean(),
}) satisfies z.ZodType<LedgerLine>;

/** The lines `quorum drill --ledger FILE` appended for one run (told apart by its fault time). */
export function ledgerOf(file: string, faultAtMs: number): LedgerLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => lineSchema.parse(JSON.parse(l)))
    .filter((l) => l.faultAtMs === faultAtMs);
}

/** A plain client of one node, with a timeout on connecting and on every command. */
function plain(addr: string): Redis {
  const hp = parseAddr(addr);
  if (!hp) throw new Error(`not an address: ${addr}`);
  const client = new Redis({
    host: hp.host,
    port: hp.port,
    connectTimeout: 5000,
    commandTimeout: 10_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  client.on('error', () => undefined);
  return client;
}

/** The members of each key, read from one node (a Sentinel deployment's final master). */
export async function membersOn(master: string, keys: string[]): Promise<Map<string, Set<string>>> {
  const client = plain(master);
  try {
    await client.connect();
    const found = new Map<string, Set<string>>();
    for (const key of new Set(keys)) found.set(key, new Set(await client.smembers(key)));
    return found;
  } finally {
    client.disconnect();
  }
}

/** The members of each key, read from the master that owns its slot now (CLUSTER SLOTS of `seed`). */
export async function membersInCluster(
  seed: string,
  keys: string[],
): Promise<Map<string, Set<string>>> {
  const seedClient = plain(seed);
  let ranges: [number, number, string][];
  try {
    await seedClient.connect();
    const slots = z
      .array(
        z
          .tuple([z.number(), z.number(), z.tuple([z.string(), z.number()]).rest(z.unknown())])
          .rest(z.unknown()),
      )
      .parse(await seedClient.call('CLUSTER', 'SLOTS'));
    ranges = slots.map(([a, b, [host, port]]) => [a, b, `${host}:${String(port)}`]);
  } finally {
    seedClient.disconnect();
  }
  const byOwner = new Map<string, string[]>();
  for (const key of new Set(keys)) {
    const slot = keySlot(key);
    const owner = ranges.find(([a, b]) => slot >= a && slot <= b)?.[2];
    if (!owner) throw new Error(`no node owns slot ${slot} of ${key}`);
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), key]);
  }
  const found = new Map<string, Set<string>>();
  for (const [owner, mine] of byOwner)
    for (const [key, members] of await membersOn(owner, mine)) found.set(key, members);
  return found;
}

/** A node of the deployment that `quorum status --json` says is an up master. */
export function upMaster(statusJson: string): string {
  const parsed = z
    .object({
      deployments: z.array(
        z.object({
          nodes: z.array(z.object({ addr: z.string(), role: z.string(), up: z.boolean() })),
        }),
      ),
    })
    .parse(JSON.parse(statusJson));
  const node = parsed.deployments[0]?.nodes.find((n) => n.up && n.role === 'master');
  if (!node) throw new Error(`no master up in ${statusJson}`);
  return node.addr;
}

/**
 * Compares the drill's verdict with a read of the data made here: every line's `present` with
 * the value's presence, and the run's counts with the lines. Returns what disagrees (empty: none).
 */
export function disagreements(
  run: DrillRun,
  lines: LedgerLine[],
  members: Map<string, Set<string>>,
): string[] {
  const found: string[] = [];
  const there = (l: LedgerLine) => members.get(l.key)?.has(l.value) ?? false;
  const wrong = lines.filter((l) => l.present !== there(l));
  if (wrong.length > 0)
    found.push(
      `${wrong.length} writes classified wrongly, e.g. ${wrong
        .slice(0, 3)
        .map((l) => `${l.key} ${l.value} said ${l.present ? 'present' : 'missing'}`)
        .join(', ')}`,
    );
  const count = (ok: (l: LedgerLine) => boolean) => lines.filter(ok).length;
  const unsure = (l: LedgerLine) => l.outcome === 'indeterminate';
  const mine = {
    attempted: lines.length,
    acknowledged: count((l) => l.outcome === 'ack'),
    failed: count((l) => l.outcome === 'fail'),
    indeterminate: count(unsure),
    survived: count((l) => l.outcome === 'ack' && there(l)),
    ackedLost: count((l) => l.outcome === 'ack' && !there(l)),
    indeterminatePresent: count((l) => unsure(l) && there(l)),
    // a late refusal says the write was not applied: it is not among the lost
    indeterminateLost: count((l) => unsure(l) && l.late?.outcome !== 'fail' && !there(l)),
    lateAcked: count((l) => unsure(l) && l.late?.outcome === 'ack'),
    lateAckedLost: count((l) => unsure(l) && l.late?.outcome === 'ack' && !there(l)),
    lateRefused: count((l) => unsure(l) && l.late?.outcome === 'fail'),
    unansweredAfterFault: count(
      (l) => unsure(l) && l.late === null && !there(l) && l.startMs >= l.faultAtMs,
    ),
  };
  for (const [field, value] of Object.entries(mine)) {
    const said = run[field as keyof typeof mine];
    if (said !== value)
      found.push(`${field}: the drill said ${String(said)}, the data says ${value}`);
  }
  return found;
}
