import type { Command } from 'commander';
import { healthProblems } from '../model/index.js';
import {
  formatEvent,
  formatLinks,
  formatProxy,
  formatTopology,
  linksJson,
  topologyJson,
} from './format.js';
import type { TargetOptions } from './target.js';
import { localProcesses, localProxy, observeOnce, resolveTarget, targetOptions } from './target.js';

interface StatusOptions extends TargetOptions {
  json?: boolean;
  watch?: boolean;
}

/** Adds the options that pick a deployment: --dir for the local one, --sentinel to attach. */

export function registerStatus(program: Command): void {
  targetOptions(
    program
      .command('status')
      .description(
        "show the live model: roles, replication, each sentinel's view; exit 1 when unhealthy",
      ),
  )
    .option(
      '--json',
      'print JSON: { deployments: [ { name, kind, master, nodes, sentinels, proxy, links } ] }',
    )
    .option('--watch', 'keep running and print events as they happen')
    .action(async (opts: StatusOptions) => {
      const resolved = await resolveTarget(opts);
      const { observer, topology } = await observeOnce(resolved, opts.timeout, opts.watch === true);
      const spec = resolved.local?.spec;
      const expect =
        spec?.mode === 'sentinel' ? { replicas: spec.replicas, sentinels: spec.sentinels } : {};
      const problems = healthProblems(topology, expect);
      const processes = await localProcesses(resolved.local);
      const proxy = await localProxy(resolved.local);
      const links = observer.linkReports();
      if (opts.json === true) {
        process.stdout.write(
          JSON.stringify(
            {
              deployments: [
                { ...topologyJson(topology, problems, processes), proxy, links: linksJson(links) },
              ],
            },
            null,
            opts.watch ? 0 : 2,
          ) + '\n',
        );
      } else {
        process.stdout.write(formatTopology(topology, problems, processes) + '\n');
        if (proxy) process.stdout.write(`\n${formatProxy(proxy)}\n`);
        const broken = formatLinks(links, Date.now());
        if (broken !== '') process.stdout.write(`\n${broken}\n`);
      }
      if (opts.watch !== true) {
        await observer.stop();
        process.exitCode = problems.length === 0 ? 0 : 1;
        return;
      }
      if (opts.json !== true) process.stdout.write('\nwatching; events follow (Ctrl-C to stop)\n');
      observer.bus.on('event', (event) => {
        process.stdout.write(
          (opts.json === true ? JSON.stringify({ event }) : formatEvent(event)) + '\n',
        );
      });
      await observer.start();
      await new Promise<void>((done) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
      });
      await observer.stop();
    });
}
