/**
 * `dora metrics --markdown`, for a CI job summary or a chat message: the same table and notes as at a terminal, a
 * table per group with --by, and the trend in a code block. Every value that came from outside (service, env and
 * team names, git's messages) is escaped, so a name cannot open a link, a mention, HTML or a new table cell.
 */
import { count } from '../output/count.js';
import { filterParts, type MetricRow, metricRows, notes, trend, windowText } from './present.js';
import type { GroupBy, MetricsReport } from './types.js';

export interface MarkdownOptions {
  /** The --by dimension, to head the group table. */
  by?: GroupBy | undefined;
  /** Block characters in the trend (default true: job summaries and chat render UTF-8). */
  unicode?: boolean | undefined;
}

export function renderMarkdown(report: MetricsReport, options: MarkdownOptions = {}): string {
  const selection = filterParts(report).map(([name, value]) => `${name} ${markdownText(value)}`);
  const out: string[] = [
    '### DORA metrics',
    '',
    [
      ...selection,
      windowText(report),
      `${count(report.deployments, 'deployment')} and ${count(report.failures, 'failure')} read`,
    ].join(' · '),
    '',
    '| Metric | Value | n | Level |',
    '| --- | --- | ---: | --- |',
    ...metricRows(report.metrics).map(
      (row) => `| ${row.label} | ${row.value ?? 'unavailable'} | ${row.n ?? ''} | ${row.level ?? ''} |`,
    ),
  ];
  const said = notes(report.metrics);
  if (said.length > 0) out.push('', ...said.map((note) => `- ${markdownProse(note)}`));
  if (report.groups && options.by) {
    const cell = (row: MetricRow) =>
      row.short === undefined ? '-' : `${row.short}${row.level ? ` (${row.level})` : ''}`;
    out.push(
      '',
      `**By ${options.by}**`,
      '',
      `| ${options.by} | deployments | frequency | lead time | failure rate | recovery | restore | rework |`,
      '| --- | ---: | --- | --- | --- | --- | --- | --- |',
      ...report.groups.map(
        (group) =>
          `| ${group.key === null ? `(no ${options.by})` : markdownText(group.key)} | ${group.deployments} | ${metricRows(group.metrics).map(cell).join(' | ')} |`,
      ),
      `| **all** | ${report.deployments} | ${metricRows(report.metrics).map(cell).join(' | ')} |`,
    );
  }
  if (report.weeks.length > 0) {
    const lines = trend(report.weeks, options.unicode ?? true);
    const width = Math.max(...lines.map((line) => line.label.length));
    out.push(
      '',
      `**Weekly trend**, ${report.weeks.length === 1 ? 'one week' : `${report.weeks.length} weeks`} from Monday ${report.weeks[0]?.start.slice(0, 10)} (UTC):`,
      '',
      '```text',
      ...lines.map(
        (line) => `${line.label.padEnd(width)}  ${line.line}  ${line.total} in all, at most ${line.max} a week`,
      ),
      '```',
    );
  }
  return `${out.join('\n')}\n`;
}

/**
 * A sentence of ours that may quote text from outside (git's message in a reason): the characters that open
 * markup anywhere in a line are escaped, so the sentence stays readable in the raw Markdown too.
 */
export function markdownProse(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/[\\`*_[\]<>|&@$~!#]/g, '\\$&');
}

/**
 * A name from outside (a service, env or team) as literal Markdown: every ASCII punctuation mark backslash-escaped (CommonMark shows `\x` as
 * `x` for each of them, `|` included inside GFM tables), line breaks and other control characters made spaces.
 */
export function markdownText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
