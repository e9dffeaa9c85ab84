import { memo, useMemo } from 'react';
import type { ClusterState } from '../../../src/model/cluster.js';
import { viewMatrix } from '../cluster-view.js';

/**
 * Each node's own CLUSTER NODES view side by side: a column per reporting node, a row per node
 * it reports on, cells that differ from the reference view marked; disagreements on the slot map
 * first, as sentences.
 */
export const ClusterViews = memo(function ClusterViews({
  cluster,
  names,
}: {
  cluster: ClusterState;
  names: Record<string, string>;
}) {
  const matrix = useMemo(() => viewMatrix(cluster, names), [cluster, names]);
  const name = (addr: string) => names[addr] ?? addr;
  return (
    <>
      {cluster.disagreements.length > 0 ? (
        <div className="banner" data-testid="disagreements">
          <strong>The nodes disagree on who owns which slots:</strong>
          <ul>
            {cluster.disagreements.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="muted" data-testid="disagreements">
          every reachable node shares one slot map
          {cluster.reference ? ` (the reference: ${name(cluster.reference)})` : ''}
        </p>
      )}
      <div className="scroll-x">
        <table className="matrix" data-testid="cluster-views">
          <thead>
            <tr>
              <th>as seen by →</th>
              {matrix.columns.map((c) => (
                <th key={c.addr} className="mono" title={c.addr}>
                  {name(c.addr)}
                  {c.reference ? ' *' : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.facts.map((f) => (
              <tr key={f.label}>
                <th>{f.label}</th>
                {f.cells.map((cell, i) => (
                  <td key={matrix.columns[i]?.addr ?? i} className={cell.odd ? 'disagree' : ''}>
                    {cell.text}
                  </td>
                ))}
              </tr>
            ))}
            {matrix.rows.map((row) => (
              <tr key={row.id}>
                <th className="mono" title={row.id}>
                  {name(row.addr)}
                </th>
                {row.cells.map((cell, i) => (
                  <td
                    key={matrix.columns[i]?.addr ?? i}
                    className={cell.odd ? 'disagree mono' : 'mono'}
                  >
                    {cell.text}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">* the reference view: the slot map most nodes share</p>
    </>
  );
});
