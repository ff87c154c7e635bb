/** Columns padded to their widest cell; numbers (a column whose cells all parse) right-aligned. */
export function formatTable(header: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
