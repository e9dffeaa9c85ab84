import type { Addr } from './address.js';
import type { Agreement, SentinelView } from './topology.js';

/**
 * Which master the sentinels agree on. The master is the address named by the most reachable
 * sentinels, provided at least `quorum` of them name it (quorum falls back to a majority of all
 * sentinels when no sentinel reported its quorum). Ties have no master.
 */
export function agreeOnMaster(views: readonly SentinelView[]): Agreement {
  const counts = new Map<Addr, number>();
  for (const view of views) {
    if (view.up && view.masterAddr)
      counts.set(view.masterAddr, (counts.get(view.masterAddr) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = views.length;
  const candidates = ranked.map(([addr]) => addr);
  const top = ranked[0];
  if (!top) return { master: null, agreeing: 0, total, candidates };
  const tie = ranked[1] !== undefined && ranked[1][1] === top[1];
  const quorums = views.map((v) => v.quorum).filter((q): q is number => q !== null);
  const needed = quorums.length > 0 ? Math.max(...quorums) : Math.floor(total / 2) + 1;
  const agreed = !tie && top[1] >= needed;
  return { master: agreed ? top[0] : null, agreeing: top[1], total, candidates };
}
