/**
 * What the terminal and Markdown outputs share: each metric's row (label, value, n, level), the one-line notes and
 * reasons, and the weekly sparklines. Plain text; each renderer escapes and colours it for its medium.
 */
import { count } from '../output/count.js';
import { formatSeconds } from '../time.js';
import { DURATION_EDGES_S, RATE_EDGES_PERCENT } from './levels.js';
import { isUnavailable, type Level, type Metrics, type MetricsReport, type Unavailable, type Week } from './types.js';

export interface MetricRow {
  label: string;
  /** undefined when the metric is unavailable. */
  value?: string;
  /** The value without its p90, for the narrow cells of a group table. */
  short?: string;
  n?: number;
  level?: Level;
}

export const LABELS: Record<keyof Metrics, string> = {
  deployment_frequency: 'deployment frequency',
  change_lead_time: 'change lead time',
  change_failure_rate: 'change failure rate',
  failed_deployment_recovery_time: 'failed deployment recovery time',
  time_to_restore: 'time to restore',
  rework_rate: 'rework rate',
};

const ORDER = Object.keys(LABELS) as Array<keyof Metrics>;

export function metricRows(m: Metrics): MetricRow[] {
  return [
    row('deployment_frequency', m.deployment_frequency, (x) => {
      const value = frequency(x.per_day);
      return { value, short: value, n: x.count, level: x.level };
    }),
    row('change_lead_time', m.change_lead_time, (x) => ({
      ...spans(x.median_s, x.p90_s),
      n: x.commits,
      level: x.level,
    })),
    row('change_failure_rate', m.change_failure_rate, (x) => ({
      value: percent(x.rate),
      short: percent(x.rate),
      n: x.evaluated,
      level: x.level,
    })),
    row('failed_deployment_recovery_time', m.failed_deployment_recovery_time, (x) => ({
      ...spans(x.median_s, x.p90_s),
      n: x.n,
      level: x.level,
    })),
    row('time_to_restore', m.time_to_restore, (x) => ({ ...spans(x.median_s, x.p90_s), n: x.n })),
    row('rework_rate', m.rework_rate, (x) => ({ value: percent(x.rate), short: percent(x.rate), n: x.count })),
  ];
}

function row<T extends object>(
  name: keyof Metrics,
  metric: T | Unavailable,
  fill: (metric: T) => Omit<MetricRow, 'label'>,
): MetricRow {
  return isUnavailable(metric) ? { label: LABELS[name] } : { label: LABELS[name], ...fill(metric as T) };
}

/** One sentence per unavailable metric (its reason) and per figure counted apart. */
export function notes(metrics: Metrics): string[] {
  const out: string[] = [];
  for (const name of ORDER) {
    const metric = metrics[name];
    if (isUnavailable(metric)) out.push(`${LABELS[name]} is unavailable: ${metric.unavailable}.`);
  }
  const lead = metrics.change_lead_time;
  if (!isUnavailable(lead)) {
    const source = lead.source === 'datadog' ? "Datadog's commit data" : 'the git history of this checkout';
    const skipped =
      lead.skipped_deployments === 0
        ? ''
        : lead.source === 'git'
          ? `; ${count(lead.skipped_deployments, 'deployment')} skipped (no known predecessor)`
          : `; ${count(lead.skipped_deployments, 'deployment')} without commit data`;
    out.push(`change lead time: from ${source}${skipped}.`);
  }
  const cfr = metrics.change_failure_rate;
  if (!isUnavailable(cfr) && cfr.not_evaluated > 0)
    out.push(`change failure rate: ${count(cfr.not_evaluated, 'deployment')} not evaluated yet.`);
  const recovery = metrics.failed_deployment_recovery_time;
  if (!isUnavailable(recovery) && recovery.not_recovered > 0)
    out.push(
      `failed deployment recovery time: ${count(recovery.not_recovered, 'failed deployment')} not recovered yet.`,
    );
  const restore = metrics.time_to_restore;
  if (!isUnavailable(restore) && restore.open > 0)
    out.push(`time to restore: ${count(restore.open, 'failure')} still open.`);
  return out;
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_STEPS = ['_', '-', '=', '+', '#'];

/** One character per week, scaled to the largest week; a week with none is a dot. */
export function sparkline(values: readonly number[], unicode: boolean): string {
  const steps = unicode ? BLOCKS : ASCII_STEPS;
  const max = Math.max(0, ...values);
  return values
    .map((value) =>
      value <= 0 ? (unicode ? '·' : '.') : steps[Math.max(0, Math.ceil((value / max) * steps.length) - 1)],
    )
    .join('');
}

export interface TrendLine {
  label: string;
  line: string;
  max: number;
  total: number;
}

export function trend(weeks: readonly Week[], unicode: boolean): TrendLine[] {
  const series = [
    { label: 'deployments', values: weeks.map((week) => week.deployments) },
    { label: 'change failures', values: weeks.map((week) => week.failed) },
  ];
  return series.map(({ label, values }) => ({
    label,
    line: sparkline(values, unicode),
    max: Math.max(0, ...values),
    total: values.reduce((a, b) => a + b, 0),
  }));
}

/** `2026-10-27T13:33:20Z to 2026-11-26T13:33:20Z (30 days)` */
export function windowText(report: MetricsReport): string {
  const length = (Date.parse(report.window.to) - Date.parse(report.window.from)) / 1000;
  return `${report.window.from} to ${report.window.to} (${formatSeconds(length)})`;
}

/** The filters as `service shop, cart · env prod`, or undefined when nothing is filtered. */
export function filterParts(report: MetricsReport): Array<[string, string]> {
  const parts: Array<[string, string]> = [];
  if (report.filters.service.length > 0) parts.push(['service', report.filters.service.join(', ')]);
  if (report.filters.env !== null) parts.push(['env', report.filters.env]);
  if (report.filters.team !== null) parts.push(['team', report.filters.team]);
  return parts;
}

function frequency(perDay: number): string {
  if (perDay === 0) return 'none';
  if (perDay >= 1) return `${decimal(perDay)} a day`;
  if (perDay * 7 >= 1) return `${decimal(perDay * 7)} a week`;
  return `${decimal(perDay * 30)} a month`;
}

/**
 * A figure as shown: rounded to the nearest, unless that would show it on the edge a level stands at while it is not
 * there; it is then rounded away from the edge, to its own side. A recovery of 23 h 59.99 min is elite (under a day)
 * and shows as 23 h 59 min, not as 1 day; a failure rate of 5.03 % is high (over 5 %) and shows as 5.1 %, not 5 %.
 */
function besideEdges(
  exact: number,
  edges: readonly number[],
  format: (value: number, round: (value: number) => number) => string,
): string {
  const shown = format(exact, Math.round);
  const edge = edges.find((one) => one !== exact && format(one, Math.round) === shown);
  return edge === undefined ? shown : format(exact, exact > edge ? Math.ceil : Math.floor);
}

function spans(median: number, p90: number): { value: string; short: string } {
  const shown = (seconds: number) => besideEdges(seconds, DURATION_EDGES_S, formatSeconds);
  return { value: `${shown(median)} (p90 ${shown(p90)})`, short: shown(median) };
}

function percent(rate: number): string {
  return `${besideEdges(rate * 100, RATE_EDGES_PERCENT, decimal)} %`;
}

/** One decimal from 1 up, two significant digits below: 2.3, 17, 0.25, 0.033; rounded with `round`. */
function decimal(value: number, round: (value: number) => number = Math.round): string {
  if (value === 0) return '0';
  const digits = value >= 1 ? 1 : 1 - Math.floor(Math.log10(value));
  const scale = 10 ** digits;
  return String(Number((round(Number((value * scale).toPrecision(12))) / scale).toFixed(digits)));
}
