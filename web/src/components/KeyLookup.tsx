import type { ClusterState } from '../../../src/model/cluster.js';
import { lookupKey } from '../cluster-view.js';

/** Which slot a key hashes to (CRC16 of the key or its hash tag, mod 16384) and who owns it. */
export function KeyLookup({
  cluster,
  names,
  value,
  onChange,
}: {
  cluster: ClusterState;
  names: Record<string, string>;
  value: string;
  onChange: (key: string) => void;
}) {
  const found = value === '' ? null : lookupKey(value, cluster);
  const name = (addr: string | null | undefined) =>
    addr ? (names[addr] ? `${names[addr]} (${addr})` : addr) : 'nobody';
  return (
    <div className="keylookup">
      <input
        placeholder="a key, e.g. user:{42}:cart"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-label="key to look up"
        spellCheck={false}
      />
      {found && (
        <dl className="kv" data-testid="key-lookup">
          <dt>slot</dt>
          <dd className="mono" data-testid="key-slot">
            {found.slot}
          </dd>
          <dt>hashed</dt>
          <dd className="mono">
            {found.tag === null ? 'the whole key (no hash tag)' : `hash tag {${found.tag}}`}
          </dd>
          <dt>owner</dt>
          <dd className="mono" data-testid="key-owner">
            {name(found.owner?.master)}
            {found.owner?.masterFailed ? ' (failing)' : ''}
          </dd>
          {found.move && (
            <>
              <dt>moving</dt>
              <dd className="mono">
                {name(cluster.addrs[found.move.fromId])} → {name(cluster.addrs[found.move.toId])}{' '}
                (clients may get ASK)
              </dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
