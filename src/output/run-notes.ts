/** Notes every recording run says on stderr before it sends: about the target, and where the git facts came from. */
import type { ApiTarget } from '../api/site.js';
import type { GitResolution } from '../git/resolve.js';
import { shown } from './redact.js';
import type { Reporter } from './reporter.js';

/** Warnings about the target itself, said in a dry run too. */
export function warnAboutTarget(target: ApiTarget, dryRun: boolean, reporter: Reporter): void {
  if (target.unknownSite) {
    reporter.warn(
      `${target.unknownSite} is not a Datadog site dora knows; ${dryRun ? 'a real run would send' : 'sending'} to ${target.baseUrl} anyway.`,
    );
  }
  if (target.noDora) {
    reporter.warn(
      `DORA Metrics is not available on ${target.site} (US1-FED): Datadog accepts no DORA events there, so none will show up.`,
    );
  }
}

/** The provider and each value's source: said in a dry run, or with --verbose. */
export function reportGit(resolution: GitResolution, reporter: Reporter, dryRun: boolean): void {
  const say = (text: string) => (dryRun ? reporter.info(text) : reporter.detail(text));
  if (resolution.ci) {
    const ref = resolution.ci.tag
      ? `tag ${resolution.ci.tag}`
      : resolution.ci.branch
        ? `branch ${resolution.ci.branch}`
        : undefined;
    say(`CI provider: ${resolution.ci.provider}${ref ? ` (${ref})` : ''}`);
  }
  if (resolution.repositoryUrl) {
    say(`Repository URL: ${shown(resolution.repositoryUrl.value)} (from ${resolution.repositoryUrl.source})`);
  }
  if (resolution.commitSha)
    say(`Commit SHA: ${shown(resolution.commitSha.value)} (from ${resolution.commitSha.source})`);
}
