/**
 * The drill's writers in another network namespace (`ip netns exec <ns> node workload-main.js`),
 * so they sit on one side of a partition. Takes the workload options as JSON on argv, sends the
 * ledger back on stdout as JSON lines every 100 ms, and stops when stdin closes.
 */
import { createInterface } from 'node:readline';
import type { WorkloadOptions } from './workload.js';
import { Workload } from './workload.js';

const FLUSH_MS = 100;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as WorkloadOptions;
  const workload = new Workload(options);
  let writes = 0;
  let reads = 0;
  const flush = () => {
    const { ledger } = workload;
    if (ledger.writes.length === writes && ledger.reads.length === reads) return;
    process.stdout.write(
      `${JSON.stringify({ w: ledger.writes.slice(writes), r: ledger.reads.slice(reads) })}\n`,
    );
    writes = ledger.writes.length;
    reads = ledger.reads.length;
  };
  await workload.start();
  process.stdout.write('{"ready":true}\n');
  const timer = setInterval(flush, FLUSH_MS);
  // the parent ends stdin to stop us; the last writes finish, then everything is sent
  await new Promise<void>((resolve) =>
    createInterface({ input: process.stdin }).on('close', resolve),
  );
  await workload.stop();
  clearInterval(timer);
  flush();
  // exit once stdout is drained: a pipe may still hold the last records
  process.stdout.end(() => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
