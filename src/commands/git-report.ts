/** Tells the user where each git value came from: always in a dry run or with --verbose, warnings always. */
import type { GitResolution } from '../git/resolve.js';
import type { Reporter } from '../output.js';

export function reportGit(resolution: GitResolution, reporter: Reporter, dryRun: boolean): void {
  for (const warning of resolution.warnings) reporter.warn(warning);
  const say = (text: string) => (dryRun ? reporter.info(text) : reporter.detail(text));
  if (resolution.ci) {
    const ref = resolution.ci.tag ? `tag ${resolution.ci.tag}` : resolution.ci.branch ? `branch ${resolution.ci.branch}` : undefined;
    say(`CI provider: ${resolution.ci.provider}${ref ? ` (${ref})` : ''}`);
  }
  if (resolution.repositoryUrl) say(`Repository URL: ${resolution.repositoryUrl.value} (from ${resolution.repositoryUrl.source})`);
  if (resolution.commitSha) say(`Commit SHA: ${resolution.commitSha.value} (from ${resolution.commitSha.source})`);
}
