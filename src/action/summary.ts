/**
 * Pure: the job summary (Markdown for `$GITHUB_STEP_SUMMARY`): one table row per event with service, env, version,
 * the commit linked on its repository's host, and the window with its duration; a failure is said above the table.
 */

import type { Plan } from './plan.js';
import type { EventResult, Outcome } from './result.js';

export interface SummaryInput {
  plan: Pick<Plan, 'kind' | 'given'>;
  outcome: Outcome | undefined;
  exitCode: number;
  /** The CLI's `error:` lines, for a failure that printed no result. */
  errors: string[];
}

export function renderSummary({ plan, outcome, exitCode, errors }: SummaryInput): string {
  const events = outcome?.events ?? [];
  const noun = plan.kind === 'incident' ? 'incident' : 'deployment';
  const dryRun = events.length > 0 && events.every((event) => event.dryRun);
  const allRecorded = exitCode === 0 && events.length > 0 && events.every((event) => event.recorded);
  let heading: string;
  if (dryRun && exitCode === 0) heading = `DORA ${noun}: dry run, nothing sent`;
  else if (allRecorded) heading = `DORA ${noun}${events.length > 1 ? 's' : ''} recorded`;
  else heading = `DORA ${noun} not recorded (exit code ${exitCode})`;

  const out = [`### ${allRecorded || dryRun ? '' : '❌ '}${text(heading)}`, ''];
  const problems = [...new Set([outcome?.error, ...events.map((event) => event.error), ...errors].filter(isText))];
  if (!allRecorded && !dryRun) {
    for (const problem of problems) out.push(`> ${text(problem)}`, '>');
    if (problems.length > 0) out.pop();
    if (problems.length > 0) out.push('');
    if (exitCode === 0 && events.length === 0) out.push('The CLI printed no result.', '');
  }

  const rows = events.length > 0 ? events : [{ recorded: false, dryRun: false } satisfies EventResult];
  out.push('| | service | env | version | commit | window | id |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const event of rows) {
    const services =
      event.service ??
      event.services?.join(', ') ??
      (event.team ? `team ${event.team}` : plan.given.services.join(', '));
    out.push(
      `| ${event.recorded ? '✅' : event.dryRun ? 'dry run' : '❌'} | ${cell(services)} | ${cell(event.env ?? plan.given.env)} | ` +
        `${cell(event.version ?? plan.given.version)} | ${commitCell(event)} | ${windowCell(event, plan)} | ` +
        `${event.id ? `\`${event.id.replace(/`/g, '')}\`` : ''} |`,
    );
  }
  return `${out.join('\n')}\n`;
}

function isText(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** Markdown-inert text: nothing in a service name or an error message may become a link, a tag or a table cell. */
function text(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#!])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

function cell(value: string | undefined): string {
  return value === undefined || value === '' ? '' : text(value);
}

function commitCell(event: EventResult): string {
  if (!event.commitSha) return '';
  const short = event.commitSha.slice(0, 7);
  const url = event.repositoryUrl ? commitUrl(event.repositoryUrl, event.commitSha) : undefined;
  return url ? `[\`${short}\`](${url})` : `\`${short}\``;
}

/**
 * The commit's web page: https://host/owner/repo/commit/<sha> on GitHub, Gitea, Forgejo and most hosts, `/-/commit/`
 * on GitLab, `/commits/` on Bitbucket Cloud. SSH remotes (`git@host:owner/repo.git`, `ssh://git@host/…`) point at the
 * same host's web pages. Undefined when the URL is not one a browser can follow.
 */
export function commitUrl(repositoryUrl: string, sha: string): string | undefined {
  if (!/^[0-9a-fA-F]{7,64}$/.test(sha)) return undefined;
  let host: string;
  let path: string;
  const scp = /^[^/@:]+@([^/:]+):(?!\/)(.+)$/.exec(repositoryUrl);
  if (scp) {
    host = scp[1] ?? '';
    path = scp[2] ?? '';
  } else {
    let url: URL;
    try {
      url = new URL(repositoryUrl);
    } catch {
      return undefined;
    }
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return undefined;
    // An ssh or git port is not the web server's: only http(s) keep theirs.
    host = url.protocol.startsWith('http') ? url.host : url.hostname;
    path = url.pathname;
  }
  path = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host) || path === '' || /[\s()<>]/.test(path)) return undefined;
  const commitPath = /(^|\.)gitlab\./.test(host) ? '-/commit' : host === 'bitbucket.org' ? 'commits' : 'commit';
  return `https://${host}/${path}/${commitPath}/${sha}`;
}

function windowCell(event: EventResult, plan: Pick<Plan, 'given'>): string {
  if (event.startedAt === undefined) {
    return event.recorded || event.dryRun || plan.given.command === undefined ? '' : 'timed by the command';
  }
  const start = utc(event.startedAt);
  if (event.finishedAt === undefined) return `${start} → (open)`;
  const end = utc(event.finishedAt);
  // The same day: the end shows its time only.
  const shownEnd = end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end;
  return `${start} → ${shownEnd} (${duration(event.finishedAt - event.startedAt)})`;
}

/** UTC to the millisecond, with the `Z` scripts parse. */
function utc(ns: bigint): string {
  const ms = ns / 1_000_000n;
  return new Date(Number(ms)).toISOString();
}

export function duration(ns: bigint): string {
  if (ns < 0n) return `-${duration(-ns)}`;
  const ms = ns / 1_000_000n;
  if (ms < 60_000n) return `${(Number(ms) / 1000).toFixed(3)} s`;
  const totalSeconds = ms / 1000n;
  const hours = totalSeconds / 3600n;
  const minutes = (totalSeconds % 3600n) / 60n;
  const seconds = totalSeconds % 60n;
  return hours > 0n ? `${hours} h ${minutes} min ${seconds} s` : `${minutes} min ${seconds} s`;
}
