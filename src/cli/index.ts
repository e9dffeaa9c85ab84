import { Command } from 'commander';
import { registerDown } from './down.js';
import { reportError } from './errors.js';
import { registerEvents } from './events.js';
import { registerNode } from './node.js';
import { registerStatus } from './status.js';
import { registerUp } from './up.js';

const program = new Command('quorum')
  .description('Launch, watch, break and measure Redis Sentinel deployments.')
  .option('--debug', 'print stack traces with errors')
  .showHelpAfterError('(run quorum --help for usage)')
  .exitOverride();

registerUp(program);
registerDown(program);
registerStatus(program);
registerEvents(program);
registerNode(program);
for (const command of program.commands) command.exitOverride();

const debug = process.argv.includes('--debug');
try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err, debug);
}
// every connection is closed by now; exit so that nothing left behind can keep the CLI hanging
process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
