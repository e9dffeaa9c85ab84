import type { QuorumEvent, Topology } from '../model/index.js';
import type { Observer } from '../observer/index.js';
import { formatEvent } from './format.js';

/** Redraws happen at most this often, however fast the observer polls. */
const REDRAW_MS = 1000;
/** The events kept under the table. */
const RECENT = 12;

/**
 * `status --watch` on a terminal: `status`'s own text (`render`) redrawn in place whenever it
 * changes, the latest events under it, until SIGINT or SIGTERM (on a pipe the caller prints
 * events instead). A redraw in progress finishes before the observer stops.
 */
export async function watchTable(
  observer: Observer,
  render: (topology: Topology) => Promise<string>,
): Promise<void> {
  const recent: QuorumEvent[] = [];
  const state: {
    latest: Topology | null;
    shown: string;
    drawnAt: number;
    timer: NodeJS.Timeout | null;
    drawing: Promise<void>;
  } = { latest: null, shown: '', drawnAt: 0, timer: null, drawing: Promise.resolve() };
  const draw = async () => {
    state.timer = null;
    state.drawnAt = Date.now();
    if (!state.latest) return;
    const events = recent.map((e) => formatEvent(e)).join('\n');
    const text = `${await render(state.latest)}\nlatest events${events ? `:\n${events}` : ': none yet'}\n\n(redrawn as it changes; Ctrl-C to stop)\n`;
    if (text === state.shown) return;
    state.shown = text;
    process.stdout.write(`\x1b[H\x1b[2J${text}`);
  };
  const soon = () => {
    if (state.timer) return;
    state.timer = setTimeout(
      () => {
        state.drawing = state.drawing.then(draw, draw);
      },
      Math.max(0, state.drawnAt + REDRAW_MS - Date.now()),
    );
  };
  const onTopology = (t: Topology) => {
    state.latest = t;
    soon();
  };
  const onEvent = (e: QuorumEvent) => {
    recent.push(e);
    if (recent.length > RECENT) recent.shift();
    soon();
  };
  observer.bus.on('topology', onTopology);
  observer.bus.on('event', onEvent);
  try {
    await observer.start();
    await new Promise<void>((done) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
    });
  } finally {
    observer.bus.off('topology', onTopology);
    observer.bus.off('event', onEvent);
    if (state.timer) clearTimeout(state.timer);
    await state.drawing.catch(() => undefined);
    await observer.stop();
  }
}
