import { chmodSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { renderHaproxy } from '../export/index.js';
import { intOption } from './errors.js';
import type { TargetOptions } from './target.js';
import { observeOnce, resolveTarget, targetOptions } from './target.js';

interface ExportHaproxyOptions extends TargetOptions {
  bind: string;
  writePort: number;
  readPort: number;
  naive?: boolean;
  output?: string;
}

/** `quorum export ...`: deploy files for what quorum knows of a deployment. */
export function registerExport(program: Command): void {
  const exporter = program
    .command('export')
    .description('write configuration for other tools from a deployment');
  targetOptions(
    exporter
      .command('haproxy')
      .description(
        'haproxy.cfg: a write port that needs role:master AND a quorum of sentinels, a read port over linked replicas',
      ),
  )
    .option('--bind <host>', 'address HAProxy listens on', '0.0.0.0')
    .option('--write-port <port>', 'port for writes', intOption(1, 65535), 6380)
    .option('--read-port <port>', 'port for reads', intOption(1, 65535), 6381)
    .option('--naive', 'the usual config instead (role:master alone), to compare against')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (opts: ExportHaproxyOptions) => {
      const resolved = await resolveTarget(opts);
      const { observer, topology } = await observeOnce(resolved, opts.timeout);
      await observer.stop();
      const { target, local } = resolved;
      const quorum =
        local?.spec.quorum ??
        Math.max(1, ...topology.sentinels.map((s) => s.quorum ?? 0).filter((q) => q > 0));
      const text = renderHaproxy({
        deployment: target.name,
        masterName: target.masterName,
        nodes: topology.nodes.map((n) => n.addr),
        sentinels: topology.sentinels.map((s) => s.addr),
        quorum,
        password: target.password,
        sentinelPassword: target.sentinelPassword,
        bind: opts.bind,
        writePort: opts.writePort,
        readPort: opts.readPort,
        naive: opts.naive === true,
      });
      if (opts.output === undefined) {
        process.stdout.write(text);
        return;
      }
      // a file that holds a password is readable by its owner only, also when it existed before
      const secret = target.password !== null || target.sentinelPassword !== null;
      writeFileSync(opts.output, text, { mode: secret ? 0o600 : 0o644 });
      if (secret) chmodSync(opts.output, 0o600);
      process.stderr.write(
        `wrote ${opts.output}${secret ? ' (it contains a password: mode 600)' : ''}; check it with: haproxy -c -f ${opts.output}\n`,
      );
    });
}
