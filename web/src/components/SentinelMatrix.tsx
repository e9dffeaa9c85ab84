import { memo } from 'react';
import type { SentinelTopology } from '../../../src/model/index.js';

/** Each sentinel's own belief, side by side; a cell that differs from the majority is marked. */
export const SentinelMatrix = memo(function SentinelMatrix({
  topology,
  names,
}: {
  topology: SentinelTopology;
  /** Process names by address: the headers and masters read as on the graph. */
  names: Record<string, string>;
}) {
  const named = (addr: string | null) =>
    addr === null ? '-' : names[addr] ? `${names[addr]} (${addr})` : addr;
  const master = topology.agreement.master;
  const mode = <T,>(values: T[]): T | undefined => {
    const counts = new Map<T, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const up = topology.sentinels.filter((s) => s.up);
  const epoch = mode(up.map((s) => s.configEpoch));
  const rows: {
    label: string;
    cell: (s: SentinelTopology['sentinels'][number]) => { text: string; odd: boolean };
  }[] = [
    {
      label: 'state',
      cell: (s) => ({ text: s.up ? 'up' : `down: ${s.downReason ?? ''}`, odd: !s.up }),
    },
    {
      label: 'believes master',
      cell: (s) => ({
        text: named(s.masterAddr),
        odd: s.up && master !== null && s.masterAddr !== master,
      }),
    },
    {
      label: 'flags on master',
      cell: (s) => ({
        text: s.masterFlags.join(',') || '-',
        odd: s.masterFlags.some((f) => f !== 'master'),
      }),
    },
    {
      label: 'config epoch',
      cell: (s) => ({ text: String(s.configEpoch ?? '-'), odd: s.up && s.configEpoch !== epoch }),
    },
    { label: 'quorum', cell: (s) => ({ text: String(s.quorum ?? '-'), odd: false }) },
    {
      label: 'knows sentinels',
      cell: (s) => ({
        text: String(s.knownSentinels ?? '-'),
        odd: s.up && s.knownSentinels !== null && s.knownSentinels < topology.sentinels.length - 1,
      }),
    },
    {
      label: 'knows replicas',
      cell: (s) => ({ text: String(s.knownReplicas ?? '-'), odd: false }),
    },
    {
      label: 'TILT',
      cell: (s) => ({ text: s.tilt === null ? '-' : s.tilt ? 'TILT' : 'no', odd: s.tilt === true }),
    },
    {
      label: 'CKQUORUM',
      cell: (s) => ({
        text: s.ckquorum === null ? '-' : s.ckquorum.ok ? 'ok' : s.ckquorum.message,
        odd: s.ckquorum?.ok === false,
      }),
    },
  ];
  return (
    <div className="scroll-x">
      <table className="matrix" data-testid="sentinel-matrix">
        <thead>
          <tr>
            <th />
            {topology.sentinels.map((s) => (
              <th key={s.addr} title={s.addr}>
                {names[s.addr] ?? s.addr}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th>{row.label}</th>
              {topology.sentinels.map((s) => {
                const { text, odd } = row.cell(s);
                return (
                  <td key={s.addr} className={`${odd ? 'disagree ' : ''}mono wraps`}>
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
