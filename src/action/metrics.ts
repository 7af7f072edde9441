/**
 * `kind: metrics`: the CLI's one result line is the metrics report; the action writes it whole to the `metrics`
 * output and as Markdown (the same renderer as `dora metrics --markdown`) to the job summary.
 */
import { renderMarkdown } from '../metrics/render-markdown.js';
import type { GroupBy, MetricsReport } from '../metrics/types.js';
import type { MetricsResult } from '../result.js';
import { text } from './summary.js';

/** The result line, when it is one: a JSON object with `ok`. */
export function parseMetrics(stdout: string): MetricsResult | undefined {
  const line = stdout.trim();
  if (line === '' || line.includes('\n')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean'
      ? (value as MetricsResult)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The job summary: the report as Markdown, or what kept it from being computed. */
export function metricsSummary(result: MetricsResult | undefined, by: GroupBy | undefined, problems: string[]): string {
  if (result?.ok && result.metrics !== undefined) return renderMarkdown(result as MetricsReport, { by });
  if (result?.dry_run) return '### DORA metrics: dry run, nothing read\n';
  // Inert as the deployment summary's messages are: an API's words may not become a link or an image.
  const quoted = problems.map((problem) => `> ${text(problem)}`).join('\n>\n');
  return `### ❌ DORA metrics not computed\n\n${quoted}\n`;
}
