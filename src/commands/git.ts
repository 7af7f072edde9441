/** The git step the event commands share: resolve the repository and commit, then say where each came from. */
import type { Context } from '../context.js';
import { type GitInputs, type GitResolution, resolveGit } from '../git/resolve.js';
import { shown } from '../output/redact.js';
import type { Reporter } from '../output/reporter.js';
import type { GitOptions } from './options.js';

/** What resolveGit needs from a command's git flags and the run's Context; `readLocal` may replace the checkout's reader. */
export function gitInputs(
  options: GitOptions,
  ctx: Context,
  readLocal: GitInputs['readLocal'] = (cwd) => ctx.readLocalGit(cwd, ctx.signal),
): GitInputs {
  return {
    flagUrl: options.gitRepositoryUrl?.trim(),
    flagSha: options.gitCommitSha?.trim(),
    config: ctx.config,
    cwd: ctx.cwd,
    io: ctx.io,
    readLocal,
  };
}

export async function findGit(
  options: GitOptions,
  dryRun: boolean,
  ctx: Context,
  reporter: Reporter,
): Promise<GitResolution> {
  const resolution = await resolveGit(gitInputs(options, ctx));
  // Stopped while git ran: what the killed git did not say is not "missing", so no warning about it, just stop.
  if (ctx.signal.aborted) throw ctx.signal.reason;
  reportGit(resolution, reporter, dryRun);
  return resolution;
}

/** Warnings always; the provider and each value's source in a dry run or with --verbose. */
function reportGit(resolution: GitResolution, reporter: Reporter, dryRun: boolean): void {
  for (const warning of resolution.warnings) reporter.warn(warning);
  const say = (text: string) => (dryRun ? reporter.info(text) : reporter.detail(text));
  if (resolution.ci) {
    const ref = resolution.ci.tag
      ? `tag ${resolution.ci.tag}`
      : resolution.ci.branch
        ? `branch ${resolution.ci.branch}`
        : undefined;
    say(`CI provider: ${resolution.ci.provider}${ref ? ` (${ref})` : ''}`);
  }
  if (resolution.repositoryUrl)
    say(`Repository URL: ${shown(resolution.repositoryUrl.value)} (from ${resolution.repositoryUrl.source})`);
  if (resolution.commitSha)
    say(`Commit SHA: ${shown(resolution.commitSha.value)} (from ${resolution.commitSha.source})`);
}
