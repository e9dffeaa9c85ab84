/**
 * Rows for labels along an axis so none overlaps another (pure): each label, in order of `x`,
 * goes on the first row where it starts past the end of the row's last label (plus `gap`); a
 * label that fits no row goes on the row that ends first. Returns the row of each label, in
 * the order given.
 */
export function labelRows(
  labels: readonly { x: number; width: number }[],
  maxRows: number,
  gap = 4,
): number[] {
  const ends: number[] = [];
  const rows = new Array<number>(labels.length).fill(0);
  const order = labels.map((l, i) => ({ ...l, i })).sort((a, b) => a.x - b.x);
  for (const l of order) {
    let row = ends.findIndex((end) => l.x >= end + gap);
    if (row === -1 && ends.length < maxRows) row = ends.length;
    if (row === -1) row = ends.indexOf(Math.min(...ends));
    ends[row] = l.x + l.width;
    rows[l.i] = row;
  }
  return rows;
}
