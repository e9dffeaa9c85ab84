import type { Addr, SentinelView } from '../model/index.js';
import { downSentinel, formatAddr } from '../model/index.js';
import { describeRedisError } from './errors.js';
import { flattenInfo, infoNumber, parseInfo } from './info.js';
import type { RedisLink } from './link.js';
import { listOfPairsReply, pairsReply, ReplyShapeError, textReply } from './reply-shape.js';
import { flagsOf } from './sentinel-replies.js';

/** Fields every real sentinel gives for a master, a replica and a peer; without them, it is none. */
const MASTER_FIELDS = ['name', 'ip', 'port', 'flags'] as const;
const INSTANCE_FIELDS = ['ip', 'port', 'flags'] as const;

/** A replica or peer sentinel as one sentinel lists it. */
export interface ListedInstance {
  addr: Addr;
  flags: string[];
}

/** One sentinel's answer: its view of the master, plus the replicas and peers it knows. */
export interface SentinelReading {
  view: SentinelView;
  replicas: ListedInstance[];
  peers: ListedInstance[];
}

function addrOf(record: Record<string, string>): Addr | null {
  const port = Number(record.port);
  return record.ip && Number.isInteger(port) && port > 0 ? formatAddr(record.ip, port) : null;
}

function listed(records: Record<string, string>[]): ListedInstance[] {
  return records.flatMap((r) => {
    const addr = addrOf(r);
    return addr ? [{ addr, flags: flagsOf(r) }] : [];
  });
}

/** Builds a sentinel's view from its replies (pure). */
export function sentinelViewFrom(
  addr: Addr,
  master: Record<string, string>,
  infoText: string,
  replicas: ListedInstance[],
  ckquorum: { ok: boolean; message: string },
): SentinelView {
  const info = flattenInfo(parseInfo(infoText));
  const num = (key: string): number | null => {
    const n = Number(master[key]);
    return master[key] !== undefined && Number.isFinite(n) ? n : null;
  };
  return {
    addr,
    up: true,
    downReason: null,
    downKind: null,
    runId: info.run_id ?? null,
    masterAddr: addrOf(master),
    masterFlags: flagsOf(master),
    quorum: num('quorum'),
    knownSentinels: num('num-other-sentinels'),
    knownReplicas: replicas.length,
    okReplicas: replicas.filter(
      (r) => !r.flags.some((f) => f === 's_down' || f === 'o_down' || f === 'disconnected'),
    ).length,
    configEpoch: num('config-epoch'),
    downAfterMs: num('down-after-milliseconds'),
    failoverTimeoutMs: num('failover-timeout'),
    tilt:
      infoNumber(info, 'sentinel_tilt') === null ? null : infoNumber(info, 'sentinel_tilt') === 1,
    ckquorum,
  };
}

/**
 * Asks one sentinel everything it knows about `masterName`. A sentinel that is unreachable, is
 * not a sentinel, or does not monitor that name comes back down with the reason in one sentence.
 */
export async function readSentinel(link: RedisLink, masterName: string): Promise<SentinelReading> {
  try {
    const [masterReply, infoReply, replicasReply, peersReply, ckReply] = await Promise.all([
      link.call('SENTINEL', 'MASTER', masterName),
      link.call('INFO'),
      link.call('SENTINEL', 'REPLICAS', masterName),
      link.call('SENTINEL', 'SENTINELS', masterName),
      link.call('SENTINEL', 'CKQUORUM', masterName).then(
        // a refusal (NOQUORUM) is an answer; a reply of the wrong type fails the whole reading
        (ok) => ({ ok: true, message: textReply('SENTINEL CKQUORUM', ok) }),
        (err: unknown) => ({
          ok: false,
          message: err instanceof Error ? err.message : String(err),
        }),
      ),
    ]);
    const master = pairsReply('SENTINEL MASTER', masterReply, MASTER_FIELDS);
    const info = textReply('INFO', infoReply);
    const replicas = listed(listOfPairsReply('SENTINEL REPLICAS', replicasReply, INSTANCE_FIELDS));
    const peers = listed(listOfPairsReply('SENTINEL SENTINELS', peersReply, INSTANCE_FIELDS));
    const view = sentinelViewFrom(link.addr, master, info, replicas, ckReply);
    return { view, replicas, peers };
  } catch (err) {
    return {
      view: downSentinel(
        link.addr,
        explainSentinelError(link.addr, masterName, err),
        describeRedisError(link.addr, err).reason,
      ),
      replicas: [],
      peers: [],
    };
  }
}

function explainSentinelError(addr: Addr, masterName: string, err: unknown): string {
  if (err instanceof ReplyShapeError)
    return `${addr} is not a sentinel: it answered ${err.command} with ${err.what}`;
  const described = describeRedisError(addr, err);
  if (described.reason !== 'reply') return described.message;
  const text = err instanceof Error ? err.message : String(err);
  if (/No such master/i.test(text))
    return `${addr} does not monitor a master named '${masterName}'`;
  if (/unknown command/i.test(text) && /sentinel/i.test(text)) {
    return `${addr} is a Redis server, not a sentinel (it does not know the SENTINEL command)`;
  }
  return described.message;
}

/** The master names a sentinel monitors (to suggest the right one after a wrong name). */
export async function monitoredMasters(link: RedisLink): Promise<string[]> {
  try {
    const reply = await link.call('SENTINEL', 'MASTERS');
    return listOfPairsReply('SENTINEL MASTERS', reply, ['name']).flatMap((r) =>
      r.name ? [r.name] : [],
    );
  } catch {
    return [];
  }
}
