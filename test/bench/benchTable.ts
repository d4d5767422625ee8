/** The benchmark table: one row per hot path, comparable from run to run. */
export interface BenchRow {
  name: string;
  turnsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  target: string;
  met: boolean;
  /** A sentence printed under the table (what else the run showed). */
  note?: string;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function printTable(rows: BenchRow[]): void {
  const header = ['path', 'turns/s', 'p50 ms', 'p95 ms', 'p99 ms', 'target', 'met'];
  const lines = rows.map((r) => [r.name, r.turnsPerSecond.toFixed(0), r.p50.toFixed(1), r.p95.toFixed(1), r.p99.toFixed(1), r.target, r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
  for (const row of rows) if (row.note) console.log(`${row.name}: ${row.note}`);
}
