/** `dora metrics --json`: the report as one JSON object (every value already a JSON number, string or null). */
import type { MetricsReport } from './types.js';

export function renderJson(report: MetricsReport): string {
  return `${JSON.stringify(report)}\n`;
}
