import type { QuorumEvent, Topology } from '../model/index.js';
import { healthProblems } from '../model/index.js';
import type { Observer } from '../observer/index.js';
import { formatEvent, formatTopology } from './format.js';
import type { ResolvedTarget } from './target.js';
import { localProcesses } from './target.js';

/** Redraws happen at most this often, however fast the observer polls. */
const REDRAW_MS = 1000;
/** The events kept under the table. */
const RECENT = 12;

/**
 * `status --watch` on a terminal: the table redrawn in place as the observer sees changes, the
 * latest events under it, until SIGINT or SIGTERM (on a pipe the caller prints events instead).
 */
export async function watchTable(
  observer: Observer,
  resolved: ResolvedTarget,
  expect: Parameters<typeof healthProblems>[1],
): Promise<void> {
  const recent: QuorumEvent[] = [];
  let latest: Topology | null = null;
  let drawnAt = 0;
  const pending: { timer: NodeJS.Timeout | null } = { timer: null };
  const draw = async () => {
    pending.timer = null;
    drawnAt = Date.now();
    if (!latest) return;
    const processes = await localProcesses(resolved.local).catch(() => []);
    const table = formatTopology(latest, healthProblems(latest, expect), processes);
    const events = recent.map((e) => formatEvent(e)).join('\n');
    process.stdout.write(
      `\x1b[H\x1b[2J${table}\n\nlatest events${events ? `:\n${events}` : ': none yet'}\n\n(redrawn as it changes; Ctrl-C to stop)\n`,
    );
  };
  const soon = () => {
    if (pending.timer) return;
    pending.timer = setTimeout(() => void draw(), Math.max(0, drawnAt + REDRAW_MS - Date.now()));
  };
  observer.bus.on('topology', (t) => {
    latest = t;
    soon();
  });
  observer.bus.on('event', (e) => {
    recent.push(e);
    if (recent.length > RECENT) recent.shift();
    soon();
  });
  await observer.start();
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
  });
  if (pending.timer) clearTimeout(pending.timer);
  await observer.stop();
}
