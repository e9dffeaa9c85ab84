import { describe, expect, it } from 'vitest';
import type { DeploymentState, LinkReport } from '../../../src/server/contract.js';
import { linkNotes } from './link-notes.js';

const SENTINEL = '127.0.0.1:26381';
const NODE = '127.0.0.1:6390';

function deployment(links: LinkReport[], named: boolean): DeploymentState {
  return {
    name: 'mymaster',
    topology: null,
    processes: named
      ? [{ name: 'sentinel-2', kind: 'sentinel', addr: SENTINEL, pid: 7, state: 'stopped' }]
      : [],
    capabilities: { remote: [], process: [], network: false, cluster: [] },
    problems: [],
    unreachable: null,
    proxy: null,
    alertsFiring: 0,
    alertsSeverity: null,
    network: null,
    clusterJob: null,
    links,
    observer: { ageMs: 500, stale: false, staleAfterMs: 3000, failing: null, failedPolls: 0 },
  };
}

const LINKS: LinkReport[] = [
  {
    addr: SENTINEL,
    purpose: 'sentinel',
    state: 'down',
    sinceMs: 1000,
    lastError: `${SENTINEL} refused the connection (nothing listens there)`,
  },
  {
    addr: SENTINEL,
    purpose: 'sentinel-events',
    state: 'resubscribing',
    sinceMs: 500,
    lastError: null,
  },
  { addr: NODE, purpose: 'node', state: 'ready', sinceMs: 0, lastError: null },
  { addr: NODE, purpose: 'node', state: 'connecting', sinceMs: 4000, lastError: null },
];

describe('linkNotes', () => {
  it('names the process where quorum launched it, and leaves out working links', () => {
    expect(linkNotes(deployment(LINKS, true)).map((n) => n.text)).toEqual([
      'sentinel-2: down',
      'sentinel-2 events: resubscribing',
    ]);
  });

  it('falls back to the address, and tells since when and why on the server clock', () => {
    const notes = linkNotes(deployment(LINKS, false));
    expect(notes.map((n) => n.text)).toEqual([
      `sentinel ${SENTINEL}: down`,
      `sentinel ${SENTINEL} events: resubscribing`,
    ]);
    // no observation yet: the newest state change stands for now
    expect(notes[0]?.detail).toBe(
      `sentinel ${SENTINEL}: down (since 3.0 s): ${SENTINEL} refused the connection (nothing listens there)`,
    );
  });

  it('is empty when every link works', () => {
    expect(linkNotes(deployment([], true))).toEqual([]);
  });
});
