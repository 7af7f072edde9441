/** The git and CI checks: what a deployment would carry, from where, and what about the checkout misleads. Pure. */

import type { LocalGitFacts } from '../git/local.js';
import type { GitResolution } from '../git/resolve.js';
import { type Check, ok, warn } from './check.js';

export function judgeCi(resolution: GitResolution | undefined): Check {
  const ci = resolution?.ci;
  if (!ci) return ok('ci', 'no CI provider detected (a local run)');
  const ref = ci.tag ? `tag ${ci.tag}` : ci.branch ? `branch ${ci.branch}` : undefined;
  return ok('ci', `${ci.provider}${ref ? ` (${ref})` : ''}`);
}

const GIVE_GIT =
  'Run inside the checkout (with a remote Datadog can link to), or pass --git-repository-url and --git-commit-sha ' +
  '(DD_GIT_REPOSITORY_URL / DD_GIT_COMMIT_SHA).';

export function judgeGit(resolution: GitResolution | undefined, skipGit: boolean, problem?: string): Check {
  if (problem !== undefined) return warn('git', problem, 'Correct the value named above; a send would refuse it.');
  if (skipGit || !resolution) {
    return warn(
      'git',
      '--skip-git: no git data would be sent, so no change lead time',
      'Drop --skip-git: lead time needs the repository and commit.',
    );
  }
  const { repositoryUrl: url, commitSha: sha } = resolution;
  const found = [
    url ? `repository ${url.value} (${url.source})` : 'no repository URL',
    sha ? `commit ${sha.value.toLowerCase()} (${sha.source})` : 'no commit',
  ].join(', ');
  const notes = resolution.warnings.length > 0 ? `. ${resolution.warnings.join(' ')}` : '';
  if (!resolution.git)
    return warn('git', `${found}: the deployment would carry no git data, so no change lead time${notes}`, GIVE_GIT);
  if (notes) return warn('git', `${found}${notes}`, GIVE_GIT);
  return ok('git', found);
}

/** Shallow clones and a HEAD that is not the commit dora sends (a pull request's merge commit, say). */
export function judgeCheckout(local: LocalGitFacts, resolution: GitResolution | undefined): Check {
  const head = local.commitSha;
  if (head === undefined) {
    // git missing, or refusing the folder, is not the same as "no checkout here": say what git said.
    if (local.problem !== undefined) {
      return warn(
        'checkout',
        `the checkout could not be read: ${local.problem}`,
        'Fix that, then run dora doctor again.',
      );
    }
    return ok('checkout', 'not inside a git checkout');
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  if (local.shallow) {
    problems.push('a shallow clone');
    fixes.push(
      'Fetch the whole history (actions/checkout fetch-depth: 0, GIT_DEPTH: 0 on GitLab) so the commits behind the deployment are known.',
    );
  }
  const sent = resolution?.git?.commit_sha;
  if (sent !== undefined && sent !== head.toLowerCase()) {
    problems.push(
      `HEAD ${head.slice(0, 12)} is not the commit dora sends, ${sent.slice(0, 12)} (${resolution?.commitSha?.source}); a pull request's merge commit is the usual cause`,
    );
    fixes.push(`Nothing to do if ${sent.slice(0, 12)} is the commit deployed; otherwise pass --git-commit-sha.`);
  }
  if (problems.length === 0) return ok('checkout', `HEAD ${head.slice(0, 12)}, full history`);
  return warn('checkout', problems.join('; '), fixes.join(' '));
}
