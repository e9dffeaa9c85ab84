/**
 * The drill's writers in another network namespace (`ip netns exec <ns> node workload-main.js`),
 * so they sit on one side of a partition. Takes what to run (`NetnsWorkloadSpec`: the Sentinel
 * workload or the cluster one) as the first line of stdin, sends the ledger back on stdout as
 * JSON lines every 100 ms, and stops when stdin closes, with a last line that counts each writer's
 * writes.
 */
import { createInterface } from 'node:readline';
import { assertNever } from '../model/index.js';
import { ClusterWriters } from './cluster-workload.js';
import { writerCount } from './ledger-audit.js';
import { sentinelWriters } from './workload.js';
import type { NetnsWorkloadSpec, WorkloadReply } from './workload-wire.js';
import { workloadSpecSchema } from './workload-wire.js';
import type { Writers } from './writers.js';

const FLUSH_MS = 100;

function writersFor(spec: NetnsWorkloadSpec): Writers {
  switch (spec.kind) {
    case 'sentinel':
      return sentinelWriters(spec.options);
    case 'cluster':
      return new ClusterWriters(spec.options);
    default:
      return assertNever(spec);
  }
}

function send(reply: WorkloadReply): void {
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}

async function main(): Promise<void> {
  const input = createInterface({ input: process.stdin });
  const closed = new Promise<void>((resolve) => input.once('close', resolve));
  const first = await new Promise<string | null>((resolve) => {
    input.once('line', resolve);
    void closed.then(() => resolve(null));
  });
  if (first === null) return;
  const spec = workloadSpecSchema.parse(JSON.parse(first));
  const workload = writersFor(spec);
  let writes = 0;
  let reads = 0;
  let lates = 0;
  const flush = () => {
    const { ledger } = workload;
    const late = ledger.lateReplies;
    if (ledger.writes.length === writes && ledger.reads.length === reads && late.length === lates)
      return;
    send({
      type: 'records',
      w: ledger.writes.slice(writes),
      r: ledger.reads.slice(reads),
      l: late.slice(lates),
    });
    writes = ledger.writes.length;
    reads = ledger.reads.length;
    lates = late.length;
  };
  await workload.start();
  send({ type: 'ready' });
  const timer = setInterval(flush, FLUSH_MS);
  // the parent ends stdin to stop us; the last writes finish, then everything is sent
  await closed;
  await workload.stop();
  clearInterval(timer);
  flush();
  // the count lets the parent tell a whole ledger from one whose last lines were lost
  const counts = new Array<number>(writerCount(spec)).fill(0);
  for (const w of workload.ledger.writes) counts[w.writer] = (counts[w.writer] ?? 0) + 1;
  send({ type: 'done', counts });
  // exit once stdout is drained: a pipe may still hold the last records
  process.stdout.end(() => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
