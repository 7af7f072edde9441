/**
 * `dora metrics` without its wiring: read every deployment and failure of the window through the caller's page
 * fetcher, work out the local git lead times when Datadog's answers carry no commit data, compute. Rendering is the
 * caller's choice: renderTerminal, renderMarkdown or renderJson.
 */

import { searchQuery } from '../events/records.js';
import { computeMetrics, needsLocalLeadTime } from './compute.js';
import { type GitRunner, gitLeadTime } from './git-lead-time.js';
import { type PageFetcher, type ReadOptions, readAll } from './paging.js';
import type { Filters, GroupBy, MetricsReport, Window } from './types.js';

export { computeMetrics, type MetricsInput, needsLocalLeadTime } from './compute.js';
export { type GitOutput, type GitRunner, gitLeadTime } from './git-lead-time.js';
export { type GitRunnerOptions, gitRunner } from './git-runner.js';
export {
  firstPageRequest,
  IncompleteRead,
  MAX_PAGE_SIZE,
  type PageFetcher,
  type PageRequest,
  type ReadOptions,
  readAll,
} from './paging.js';
export { readPage } from './read.js';
export { renderJson } from './render-json.js';
export { type MarkdownOptions, markdownProse, markdownText, renderMarkdown } from './render-markdown.js';
export { renderTerminal, type TerminalOptions } from './render-terminal.js';
export type * from './types.js';

export interface MetricsRun {
  window: Window;
  filters: Filters;
  by?: GroupBy | undefined;
  /** One list request through the shared engine, per page. */
  fetchPage: PageFetcher;
  /** git in the current checkout; used only when no deployment carries Datadog's commit data. */
  git?: GitRunner | undefined;
  /** Progress, after each page. */
  onPage?: ReadOptions['onPage'] | undefined;
}

export async function collectMetrics(run: MetricsRun): Promise<MetricsReport> {
  const query = searchQuery(run.filters);
  const options: ReadOptions = run.onPage ? { onPage: run.onPage } : {};
  // Both kinds at once: while the API works on a page of one, the other's page is read.
  const [deployments, failures] = await Promise.all([
    readAll('deployment', run.window, query, run.fetchPage, options),
    readAll('failure', run.window, query, run.fetchPage, options),
  ]);
  const localLeadTime =
    run.git && needsLocalLeadTime(deployments) ? await gitLeadTime(deployments, run.git) : undefined;
  return computeMetrics({
    window: run.window,
    filters: run.filters,
    deployments,
    failures,
    ...(run.by ? { by: run.by } : {}),
    ...(localLeadTime ? { localLeadTime } : {}),
  });
}
