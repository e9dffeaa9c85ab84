import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerCluster } from './cluster.js';
import { registerDashboard } from './dashboard.js';
import { registerFault } from './fault.js';
import { registerDrill } from './drill.js';
import { registerFailover } from './failover.js';
import { registerProxy } from './proxy.js';
import { registerExport } from './export.js';
import { registerDown } from './down.js';
import { reportError } from './errors.js';
import { registerEvents } from './events.js';
import { registerNode } from './node.js';
import { registerStatus } from './status.js';
import { registerUp } from './up.js';
import { registerAcl } from './acl.js';

// ioredis warns on the console when a password is sent to a server that needs none (common when
// data nodes have a password and sentinels do not); the connection works, so keep the CLI quiet
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('does not require a password')) return;
  warn(...args);
};

/** The version in package.json, two folders above dist/cli/. */
function version(): string {
  try {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg
      ? String(pkg.version)
      : 'unknown';
  } catch {
    return 'unknown';
  }
}

const program = new Command('quorum')
  .description(
    'Launch, watch, break and measure Redis Sentinel deployments and Redis Clusters, and operate them.',
  )
  .version(version(), '-V, --version', 'print the version')
  .option('--debug', 'print stack traces with errors')
  .showHelpAfterError('(run quorum --help for usage)')
  .exitOverride();

registerUp(program);
registerDown(program);
registerStatus(program);
registerEvents(program);
registerNode(program);
registerFailover(program);
registerDashboard(program);
registerProxy(program);
registerExport(program);
registerDrill(program);
registerFault(program);
registerCluster(program);
registerAcl(program);
/** Every command exits through reportError, and a usage error names that command's own help. */
function settle(command: Command, path: string): void {
  for (const sub of command.commands) {
    const at = `${path} ${sub.name()}`;
    sub.exitOverride().showHelpAfterError(`(run '${at} --help' for usage)`);
    settle(sub, at);
  }
}
settle(program, 'quorum');

const debug = process.argv.includes('--debug');
try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err, debug);
}
// stdout and stderr are asynchronous on a pipe: exiting before they drain would cut a long
// answer (`events --json`) at the pipe's 64 KiB
await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) => new Promise<void>((done) => stream.write('', () => done())),
  ),
);
// every connection is closed by now; exit so that nothing left behind can keep the CLI hanging
process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
