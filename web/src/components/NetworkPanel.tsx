import { useState } from 'react';
import type { Topology } from '../../../src/model/index.js';
import type { NetworkState } from '../../../src/server/contract.js';
import { healNetwork, injectNetworkFault } from '../api.js';
import type { Side, Sides } from '../partition.js';
import { activeCut, hostOf, NO_SIDES, partitionFault, sideOf, toggleSide } from '../partition.js';
import { Confirm } from './Confirm.js';
import { sentinelsOf } from '../../../src/model/topology.js';

/** The partition being picked: while `on`, a click on a node puts it on `side`. */
export interface Picker {
  on: boolean;
  side: Side;
  sides: Sides;
}

export const PICKER_OFF: Picker = { on: false, side: 'a', sides: NO_SIDES };

const SIDE_NAME: Record<Side, string> = { a: 'A', b: 'B' };

function listed(names: string[]): string {
  return names.length === 0 ? 'nobody yet' : names.join(', ');
}

/**
 * A lab deployment's network: the active faults, a partition picked on the graph (and here, for
 * the client namespaces the graph does not show), and heal.
 */
export function NetworkPanel({
  token,
  deployment,
  network,
  topology,
  canAct,
  busy,
  picker,
  onPicker,
  onDone,
}: {
  token: string;
  deployment: string;
  network: NetworkState;
  topology: Topology | null;
  canAct: boolean;
  /** Why faults wait (a drill runs), or null. */
  busy: string | null;
  picker: Picker;
  onPicker: (next: Picker) => void;
  onDone: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [replace, setReplace] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fault = partitionFault(picker.sides, network);
  const groupA = listed(fault?.groups[0] ?? []);
  const groupB = listed(fault?.groups[1] ?? []);
  const cut = activeCut(network);
  const onGraph = new Set(
    [...(topology?.nodes ?? []), ...(topology ? sentinelsOf(topology) : [])].map((n) =>
      hostOf(n.addr),
    ),
  );
  const offGraph = network.members.filter((m) => !onGraph.has(m.addr));
  const why = !canAct ? 'needs the admin role' : busy;

  const call = async (request: () => Promise<string>) => {
    setError(null);
    try {
      onDone(await request());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const cutNow = () => {
    setConfirming(false);
    if (fault) void call(() => injectNetworkFault(token, deployment, fault, replace));
  };
  const toggle = (member: string) =>
    onPicker({ ...picker, sides: toggleSide(picker.sides, member, picker.side) });

  return (
    <section className="panel" data-testid="network-panel">
      <h2>Network</h2>
      {network.described.length === 0 ? (
        <p className="muted" data-testid="network-faults">
          no network fault is active
        </p>
      ) : (
        <ul className="problems" data-testid="network-faults">
          {network.described.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
      <div className="picker">
        <button
          aria-pressed={picker.on}
          disabled={!canAct}
          title={
            canAct
              ? 'click nodes on the graph to put them on side A or B, instead of opening them'
              : 'needs the admin role'
          }
          onClick={() => onPicker({ ...picker, on: !picker.on })}
        >
          Pick sides
        </button>
        {picker.on && (
          <>
            {(['a', 'b'] as const).map((side) => (
              <button
                key={side}
                className={`side side-${side}`}
                aria-pressed={picker.side === side}
                onClick={() => onPicker({ ...picker, side })}
              >
                Side {SIDE_NAME[side]}
              </button>
            ))}
            <span className="muted">not on the graph:</span>
            {offGraph.map((m) => {
              const side = sideOf(picker.sides, m.name);
              return (
                <button
                  key={m.name}
                  className={`member${side ? ` side-${side}` : ''}`}
                  aria-pressed={side !== null}
                  title={`put ${m.name} (${m.addr}) on side ${SIDE_NAME[picker.side]}`}
                  onClick={() => toggle(m.name)}
                >
                  {m.name}
                  {side && ` · ${SIDE_NAME[side]}`}
                </button>
              );
            })}
          </>
        )}
        {(picker.sides.a.length > 0 || picker.sides.b.length > 0) && (
          <button onClick={() => onPicker({ ...picker, sides: NO_SIDES })}>Clear sides</button>
        )}
      </div>
      <p data-testid="sides">
        <span className="side-label side-a">A</span> {listed(picker.sides.a)}
        {'  '}
        <span className="side-label side-b">B</span> {listed(picker.sides.b)}
      </p>
      <div className="picker">
        <button
          className="danger"
          disabled={why !== null || fault === null}
          title={why ?? (fault ? 'drop every packet between A and B' : 'put a member on each side')}
          onClick={() => {
            setReplace(false);
            setConfirming(true);
          }}
        >
          Cut A | B
        </button>
        <button
          disabled={why !== null || network.active.length === 0}
          title={why ?? 'remove every network fault'}
          onClick={() => void call(() => healNetwork(token, deployment))}
        >
          Heal all
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="network-error">
          {error}
        </p>
      )}
      {confirming && fault && (
        <Confirm
          title={`Cut ${groupA} from ${groupB}?`}
          body={`Drop every packet between A (${groupA}) and B (${groupB}), both ways. Members on neither side still reach everyone. Heal all undoes it.`}
          verb="Cut"
          onConfirm={cutNow}
          onCancel={() => setConfirming(false)}
        >
          {cut && (
            <label className="check">
              <input
                type="checkbox"
                checked={replace}
                onChange={(e) => setReplace(e.target.checked)}
              />
              replace the active cut ({network.described[network.active.indexOf(cut)] ?? cut.kind})
            </label>
          )}
        </Confirm>
      )}
    </section>
  );
}
