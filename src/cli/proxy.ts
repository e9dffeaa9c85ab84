import type { Command } from 'commander';
import { Option } from 'commander';
import { sentinelsOf, UserError } from '../model/index.js';
import { Observer } from '../observer/index.js';
import type { ReadFallback, RelayKind } from '../proxy/index.js';
import { MasterTracker, PROXY_DEFAULTS, ProxyServer } from '../proxy/index.js';
import { intOption } from './errors.js';
import type { TargetOptions } from './target.js';
import { observeOnce, resolveTarget, targetOptions } from './target.js';

interface ProxyFlags extends TargetOptions {
  host: string;
  writePort: number;
  readPort: number;
  maxLagBytes: number;
  readFallback: ReadFallback;
  holdMs: number;
  requireMaster?: boolean;
  relay: RelayKind;
  relayThreads: number;
}

/** Sentinels that only fail to answer (as opposed to answering with an error) may come later. */
const MAY_COME_LATER: readonly (string | null)[] = ['refused', 'timeout', 'unreachable'];

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}

export function registerProxy(program: Command): void {
  targetOptions(
    program
      .command('proxy')
      .description(
        'a write port that follows the master the sentinels agree on, and a read port over healthy replicas',
      ),
  )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--write-port <port>', 'port for writes (to the master)', intOption(0, 65535), 6380)
    .option('--read-port <port>', 'port for reads (to replicas)', intOption(0, 65535), 6381)
    .option(
      '--max-lag-bytes <n>',
      'replicas further behind get no reads',
      intOption(0, 2 ** 40),
      PROXY_DEFAULTS.maxLagBytes,
    )
    .addOption(
      new Option('--read-fallback <to>', 'with no healthy replica, reads go to')
        .choices(['master', 'refuse'])
        .default(PROXY_DEFAULTS.readFallback),
    )
    .option(
      '--hold-ms <ms>',
      'how long a client waits, connected, for a master during a failover',
      intOption(0, 600_000),
      10_000,
    )
    .option('--require-master', 'exit instead of starting when no master is known yet')
    .addOption(
      new Option(
        '--relay <relay>',
        'what moves the bytes: the compiled relay on threads of its own, or Node.js itself (slower)',
      )
        .choices(['native', 'js'])
        .default(PROXY_DEFAULTS.relay),
    )
    .option(
      '--relay-threads <n>',
      "threads of the native relay (a node's sessions all on one)",
      intOption(1, 64),
      PROXY_DEFAULTS.relayThreads,
    )
    .action(async (opts: ProxyFlags) => {
      const resolved = await resolveTarget(opts);
      const observer = new Observer(resolved.target, { timeoutMs: opts.timeout, subscribe: true });
      const sentinels = sentinelsOf(await observer.poll());
      if (!sentinels.some((s) => s.up)) {
        const reasons = sentinels.map((s) => s.downReason ?? '');
        const later = sentinels.every((s) => MAY_COME_LATER.includes(s.downKind));
        if (opts.requireMaster === true || !later) {
          await observer.stop();
          // the same sentence status gives: wrong name, wrong password, not a sentinel, ...
          await observeOnce(resolved, opts.timeout);
          throw new UserError('no sentinel answers; start them or check --sentinel');
        }
        process.stderr.write(
          `${clock()} no sentinel answers yet (${reasons.join('; ')}); clients are held, then closed, until a master is known\n`,
        );
      }
      await observer.start();
      const tracker = new MasterTracker(observer, resolved.target.access, opts.timeout);
      await tracker.start();
      if (opts.requireMaster === true && tracker.master() === null) {
        tracker.stop();
        await observer.stop();
        throw new UserError(
          'the sentinels agree on no master that says role:master; not starting (drop --require-master to start anyway)',
        );
      }
      const proxy = new ProxyServer(tracker, {
        host: opts.host,
        writePort: opts.writePort,
        readPort: opts.readPort,
        maxLagBytes: opts.maxLagBytes,
        readFallback: opts.readFallback,
        holdMs: opts.holdMs,
        connectTimeoutMs: opts.timeout,
        relay: opts.relay,
        relayThreads: opts.relayThreads,
      });
      proxy.on('log', (line) => process.stderr.write(`${clock()} ${line}\n`));
      try {
        await proxy.listen();
      } catch (err) {
        tracker.stop();
        await observer.stop();
        throw err;
      }
      const { write, read } = proxy.ports();
      process.stdout.write(
        `proxy: write ${opts.host}:${String(write)} read ${opts.host}:${String(read)}\n` +
          `writes go to ${tracker.master() ?? 'no master yet'}; Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await proxy.close();
      tracker.stop();
      await observer.stop();
    });
}
