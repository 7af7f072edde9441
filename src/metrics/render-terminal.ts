/**
 * `dora metrics` at a terminal: a table (metric, value, n, level), a line for each figure counted apart or metric
 * unavailable, a table per group with --by, and the weekly trend as sparklines. The caller decides whether the
 * terminal shows Unicode (not with TERM=dumb or a non-UTF-8 locale) and whether it wants colour (the painter).
 */

import { count } from '../output/count.js';
import { escapeControls } from '../output/redact.js';
import type { Painter } from '../output/reporter.js';
import { filterParts, type MetricRow, metricRows, notes, trend, windowText } from './present.js';
import type { GroupBy, Level, MetricsReport } from './types.js';

export interface TerminalOptions {
  /** Block characters and `·`; false: ASCII only. */
  unicode: boolean;
  paint: Painter;
  /** The --by dimension, to head the group table. */
  by?: GroupBy | undefined;
}

export function renderTerminal(report: MetricsReport, options: TerminalOptions): string {
  const { paint, unicode } = options;
  const dot = unicode ? ' · ' : ' - ';
  const selection = filterParts(report).map(([name, value]) => `${name} ${escapeControls(value)}`);
  const out: string[] = [
    ['DORA metrics', ...selection, windowText(report)].join(dot),
    paint.dim(`${count(report.deployments, 'deployment')} and ${count(report.failures, 'failure')} read`),
    '',
  ];
  const rows = metricRows(report.metrics);
  out.push(
    ...table(
      ['METRIC', 'VALUE', 'N', 'LEVEL'],
      rows.map((row) => [row.label, row.value ?? '-', row.n === undefined ? '' : String(row.n), row.level ?? '']),
      [false, false, true, false],
      (cell, column, r) => (column === 3 ? levelPaint(paint, rows[r]?.level)(cell) : cell),
    ),
  );
  const said = notes(report.metrics);
  if (said.length > 0) out.push('', ...said.map((note) => paint.dim(escapeControls(note))));
  if (report.groups && options.by) out.push('', ...groupTable(report, options.by, paint));
  const weeks = report.weeks;
  if (weeks.length > 0) {
    out.push(
      '',
      `Weekly trend, ${weeks.length === 1 ? 'one week' : `${weeks.length} weeks`} from Monday ${weeks[0]?.start.slice(0, 10)} (UTC):`,
    );
    const lines = trend(weeks, unicode);
    const width = Math.max(...lines.map((line) => line.label.length));
    for (const line of lines)
      out.push(
        `  ${line.label.padEnd(width)}  ${line.line}  ${paint.dim(`${line.total} in all, at most ${line.max} a week`)}`,
      );
  }
  return `${out.join('\n')}\n`;
}

function groupTable(report: MetricsReport, by: GroupBy, paint: Painter): string[] {
  const groups = report.groups ?? [];
  const entries = [
    ...groups.map((group) => ({
      key: group.key === null ? `(no ${by})` : escapeControls(group.key),
      deployments: group.deployments,
      rows: metricRows(group.metrics),
    })),
    { key: 'all', deployments: report.deployments, rows: metricRows(report.metrics) },
  ];
  const cell = (row: MetricRow | undefined) => row?.short ?? '-';
  const levels = entries.map((entry) => entry.rows.map((row) => row.level));
  return [
    `By ${by}:`,
    ...table(
      [by.toUpperCase(), 'DEPLOYMENTS', 'FREQUENCY', 'LEAD TIME', 'FAILURE RATE', 'RECOVERY', 'RESTORE', 'REWORK'],
      entries.map((entry) => [entry.key, String(entry.deployments), ...entry.rows.map(cell)]),
      [false, true, false, false, false, false, false, false],
      (text, column, r) => (column >= 2 ? levelPaint(paint, levels[r]?.[column - 2])(text) : text),
    ),
  ];
}

/** Columns padded to their widest cell; `paintCell` colours a cell after padding, so escapes don't skew widths. */
function table(
  header: string[],
  rows: string[][],
  rightAligned: boolean[],
  paintCell: (cell: string, column: number, row: number) => string,
): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[], r?: number) =>
    cells
      .map((cell, i) => {
        const last = i === cells.length - 1;
        const padded = rightAligned[i]
          ? cell.padStart(widths[i] as number)
          : last
            ? cell
            : cell.padEnd(widths[i] as number);
        return r === undefined ? padded : paintCell(padded, i, r);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map((row, r) => line(row, r))];
}

function levelPaint(paint: Painter, level: Level | undefined): (text: string) => string {
  if (level === 'elite' || level === 'high') return paint.green;
  if (level === 'medium') return paint.yellow;
  if (level === 'low') return paint.red;
  return (text) => text;
}
