/** The benchmark tables: one row per measured path, comparable from run to run. */
export interface BenchRow {
  name: string;
  turnsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Throughput against the echo bot of the same run (the framework's own ceiling on this machine). */
  ofEcho?: number;
  target: string;
  met?: boolean;
  /** A sentence printed under the table (what else the run showed). */
  note?: string;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A markdown table: header, separator, rows (also used for the sweep and memory tables). */
export function printGrid(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

export function printTable(rows: BenchRow[]): void {
  printGrid(
    ['path (20 connections)', 'turns/s', 'of echo', 'p50 ms', 'p95 ms', 'p99 ms', 'target', 'met'],
    rows.map((r) => [
      r.name,
      r.turnsPerSecond.toFixed(0),
      r.ofEcho === undefined ? '-' : `${(r.ofEcho * 100).toFixed(0)}%`,
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      r.p99.toFixed(1),
      r.target,
      r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
    ]),
  );
  for (const row of rows) if (row.note) console.log(`${row.name}: ${row.note}`);
}
