import type { LoadStats } from './loadDriver';

/** The benchmark tables: one row per measured path, comparable from run to run. */
export interface BenchRow extends LoadStats {
  name: string;
  /** Throughput against the echo bot of the same run (the framework's own floor on this machine). */
  ofEcho?: number;
  /** The bot process's CPU time per turn against the echo bot's in the same run (steadier than throughput on a shared machine). */
  cpuOfEcho?: number;
  /** What the row must reach against the echo bot of the same run; `met` is judged from it once the echo row is known. */
  goal?: Goal;
  target: string;
  met?: boolean;
  /** A sentence printed under the table (what else the run showed). */
  note?: string;
}

export interface Goal {
  minOfEcho?: number;
  maxCpuOfEcho?: number;
  maxP99Ms?: number;
}

export function targetOf(goal: Goal): string {
  return [
    goal.minOfEcho === undefined ? '' : `>= ${Math.round(goal.minOfEcho * 100)}% of echo`,
    goal.maxCpuOfEcho === undefined ? '' : `CPU <= ${goal.maxCpuOfEcho}x echo`,
    goal.maxP99Ms === undefined ? '' : `p99 < ${goal.maxP99Ms} ms`,
  ]
    .filter(Boolean)
    .join(', ');
}

function meets(goal: Goal, ofEcho: number | undefined, cpuOfEcho: number | undefined, p99: number): boolean {
  return (
    (goal.minOfEcho === undefined || (ofEcho ?? 0) >= goal.minOfEcho) &&
    (goal.maxCpuOfEcho === undefined || (cpuOfEcho ?? Infinity) <= goal.maxCpuOfEcho) &&
    (goal.maxP99Ms === undefined || p99 < goal.maxP99Ms)
  );
}

/** Each row against the echo bot of the same run: its share of the echo bot's throughput, its CPU per turn against the echo's, its goal. */
export function judge(rows: BenchRow[], echo: BenchRow): void {
  for (const row of rows) {
    if (row === echo) continue;
    row.ofEcho = row.turnsPerSecond / echo.turnsPerSecond;
    if (row.cpuMsPerTurn !== undefined && echo.cpuMsPerTurn) row.cpuOfEcho = row.cpuMsPerTurn / echo.cpuMsPerTurn;
    if (row.goal) row.met = meets(row.goal, row.ofEcho, row.cpuOfEcho, row.p99);
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const median = (values: number[]) => percentile(values, 50);

/** A markdown table: header, separator, rows (also used for the sweep and memory tables). */
export function printGrid(header: string[], lines: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

const percent = (ratio: number | undefined) => (ratio === undefined ? '-' : `${(ratio * 100).toFixed(0)}%`);
const times = (ratio: number | undefined) => (ratio === undefined ? '-' : `${ratio.toFixed(2)}x`);
const fixed = (value: number | undefined, digits: number) => (value === undefined ? '-' : value.toFixed(digits));
const yesNo = (met: boolean | undefined) => (met === undefined ? '-' : met ? 'yes' : 'NO');

export function printTable(rows: BenchRow[]): void {
  printGrid(
    [
      'path (20 connections)',
      'turns/s',
      'of echo',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'CPU ms/turn',
      'CPU x echo',
      'Cosmos req/turn',
      'store CPU ms/turn',
      'target',
      'met',
    ],
    rows.map((r) => [
      r.name,
      r.turnsPerSecond.toFixed(0),
      percent(r.ofEcho),
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      r.p99.toFixed(1),
      fixed(r.cpuMsPerTurn, 2),
      times(r.cpuOfEcho),
      fixed(r.storeRequestsPerTurn, 2),
      fixed(r.storeCpuMsPerTurn, 2),
      r.target,
      yesNo(r.met),
    ]),
  );
  for (const row of rows) if (row.note) console.log(`${row.name}: ${row.note}`);
  // What each turn asked of Cosmos DB, by container and operation: the requests a turn could do without show here.
  for (const row of rows) {
    const kinds = Object.entries(row.storeRequestsByKind ?? {})
      .filter(([, n]) => n >= 0.005)
      .sort(([, a], [, b]) => b - a);
    if (kinds.length) console.log(`${row.name}: Cosmos DB requests per turn: ${kinds.map(([kind, n]) => `${kind} ${n.toFixed(2)}`).join(', ')}`);
  }
}

/**
 * The turns of several runs in one table: the median of each ratio (each run's rows against that run's
 * echo bot), the worst p99, and a goal met when the medians meet it and the p99 was under target in every run.
 */
export function printMedianTable(runs: BenchRow[][]): void {
  const names = runs[0].map((r) => r.name);
  printGrid(
    [`path, median of ${runs.length} runs`, 'turns/s', 'of echo', 'CPU ms/turn', 'CPU x echo', 'p99 ms, each run', 'Cosmos req/turn', 'target', 'met'],
    names.map((name) => {
      const rows = runs.map((run) => run.find((r) => r.name === name)).filter((r): r is BenchRow => r !== undefined);
      const of = (pick: (r: BenchRow) => number | undefined) => {
        const values = rows.map(pick).filter((v): v is number => v !== undefined);
        return values.length ? median(values) : undefined;
      };
      const ofEcho = of((r) => r.ofEcho);
      const cpuOfEcho = of((r) => r.cpuOfEcho);
      const goal = rows[0].goal;
      const met = goal
        ? meets({ ...goal, maxP99Ms: undefined }, ofEcho, cpuOfEcho, 0) && rows.every((r) => goal.maxP99Ms === undefined || r.p99 < goal.maxP99Ms)
        : undefined;
      return [
        name,
        fixed(
          of((r) => r.turnsPerSecond),
          0,
        ),
        percent(ofEcho),
        fixed(
          of((r) => r.cpuMsPerTurn),
          2,
        ),
        times(cpuOfEcho),
        rows.map((r) => r.p99.toFixed(0)).join(' / '),
        fixed(
          of((r) => r.storeRequestsPerTurn),
          2,
        ),
        rows[0].target,
        yesNo(met),
      ];
    }),
  );
}
