/**
 * Pure: the job summary (Markdown for `$GITHUB_STEP_SUMMARY`), from the CLI's result: what went wrong above the table,
 * each message once; one table row per event with service, env, version, the commit linked on its repository's host,
 * and the window with its duration; then the marks a rollback made, and the commands that send an unrecorded event
 * again.
 */

import { formatDuration, formatInstant } from '../time.js';
import type { Plan } from './plan.js';
import { type ActionResult, type EventRow, eventsOf } from './result.js';

export interface SummaryInput {
  plan: Pick<Plan, 'given'> & { kind: 'deployment' | 'incident' };
  /** Undefined when the CLI gave none (the action refused its inputs, or the CLI did not finish). */
  result: ActionResult | undefined;
  exitCode: number;
  /** What went wrong, each message once, as the annotations say it. */
  errors: readonly string[];
  /** The change-failure mark a rollback or rollforward asks for: made, not made, or none asked. */
  remediated: boolean | undefined;
}

export function renderSummary({ plan, result, exitCode, errors, remediated }: SummaryInput): string {
  const rows = result ? eventsOf(result) : [];
  const dryRun = result?.dry_run === true;
  const recorded = result?.recorded === true;
  // A dry run records and marks nothing, and says so: that is no failure.
  const failed = exitCode !== 0 || (!dryRun && (!recorded || remediated === false));
  const what = dryRun
    ? ': dry run, nothing sent'
    : recorded
      ? ' recorded'
      : rows.some((row) => row.ok)
        ? ' partly recorded'
        : ' not recorded';
  const unmarked = remediated === false && recorded ? '; the failed deployment was not marked' : '';
  const heading =
    `${failed ? '❌ ' : ''}DORA ${plan.kind}${rows.length > 1 ? 's' : ''}${what}${unmarked}` +
    `${failed ? ` (exit code ${exitCode})` : ''}`;

  const out = [`### ${text(heading)}`, ''];
  const quoted = errors.filter(isText).map((error) => error.split(/\r?\n/).map((line) => `> ${text(line)}`));
  if (quoted.length > 0) out.push(...quoted.flatMap((lines) => ['>', ...lines]).slice(1), '');

  const shown: EventRow[] = rows.length > 0 ? rows : [{ ok: false, kind: plan.kind, id: '' }];
  out.push('| | service | env | version | commit | window | id |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of shown) {
    const services =
      row.service ?? row.services?.join(', ') ?? (row.team ? `team ${row.team}` : plan.given.services.join(', '));
    out.push(
      `| ${dryRun ? 'dry run' : row.ok ? '✅' : '❌'} | ${cell(services)} | ${cell(row.env ?? plan.given.env)} | ` +
        `${cell(row.version ?? plan.given.version)} | ${commitCell(row)} | ${windowCell(row, plan, dryRun)} | ` +
        `${row.id ? `\`${row.id.replace(/`/g, '')}\`` : ''} |`,
    );
  }

  const marks = result?.remediations ?? (result?.remediated ? [result.remediated] : []);
  for (const mark of marks) {
    if (!mark) continue;
    out.push(
      '',
      `Marked deployment \`${mark.id.replace(/`/g, '')}\` (${text(mark.service)} ${text(mark.version)}) as a change ` +
        `failure, remediated by this ${mark.type}.`,
    );
  }

  const resend = rows.map((row) => row.resend).filter(isText);
  if (resend.length > 0) {
    // A fence longer than any run of backticks in the commands, which could otherwise close it.
    const runs = resend.flatMap((command) => command.match(/`+/g) ?? []).map((run) => run.length + 1);
    const fence = '`'.repeat(Math.max(3, ...runs));
    out.push('', `Send ${resend.length === 1 ? 'it' : 'them'} again with:`, '', `${fence}sh`, ...resend, fence);
  }
  return `${out.join('\n')}\n`;
}

function isText(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** Markdown-inert text: nothing in a service name or an error message may become a link, a tag or a table cell. */
export function text(value: string): string {
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

function commitCell(row: EventRow): string {
  if (!row.git) return '';
  const { repository_url: repositoryUrl, commit_sha: sha } = row.git;
  const short = sha.slice(0, 7).replace(/`/g, '');
  const url = commitUrl(repositoryUrl, sha);
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

function windowCell(row: EventRow, plan: Pick<Plan, 'given'>, dryRun: boolean): string {
  if (row.started_at === undefined)
    return row.ok || dryRun || plan.given.command === undefined ? '' : 'timed by the command';
  const startedAt = BigInt(row.started_at);
  const start = formatInstant(startedAt);
  if (row.finished_at === undefined) return `${start} → (open)`;
  const finishedAt = BigInt(row.finished_at);
  const end = formatInstant(finishedAt);
  // The same day: the end shows its time only.
  const shownEnd = end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end;
  return `${start} → ${shownEnd} (${formatDuration(finishedAt - startedAt)})`;
}
