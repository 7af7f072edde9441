/**
 * Facts from the local checkout, through simple-git: the `origin` remote (else the first remote) and `HEAD`.
 * Any failure — not a repository, no commits, no git binary, an unsafe directory — means "not known here", never
 * an error: the caller decides what a missing value means.
 */
export interface LocalGitFacts {
  repositoryUrl?: string;
  commitSha?: string;
  /** Why git gave nothing although this looks like a checkout, when it said so (e.g. safe.directory). */
  problem?: string;
}

/** A git that hangs (a credential helper, a network file system) must not hold a deploy job hostage. */
const GIT_TIMEOUT_MS = 5_000;

/** `signal` (a SIGINT/SIGTERM) kills the git processes still running, so none outlives dora. */
export type LocalGitReader = (cwd: string, signal?: AbortSignal) => Promise<LocalGitFacts>;

export const readLocalGit: LocalGitReader = async (cwd, signal) => {
  if (cwd === '') return {}; // no working directory at all
  let git;
  try {
    const { simpleGit } = await import('simple-git');
    git = simpleGit({ baseDir: cwd, maxConcurrentProcesses: 2, timeout: { block: GIT_TIMEOUT_MS }, ...(signal ? { abort: signal } : {}) });
  } catch {
    return {}; // the folder is gone or git cannot start
  }
  const [repositoryUrl, commitSha] = await Promise.all([
    git
      .remote(['get-url', 'origin'])
      .catch(async () => {
        const remotes = await git.getRemotes(true);
        return remotes[0]?.refs.fetch;
      })
      .catch(() => undefined),
    git.revparse(['HEAD']).catch((error: unknown) => ({ error })),
  ]);
  const facts: LocalGitFacts = {};
  if (typeof commitSha === 'object') {
    const message = commitSha.error instanceof Error ? commitSha.error.message : String(commitSha.error);
    if (/dubious ownership/i.test(message)) {
      facts.problem =
        `git refuses to read ${cwd} (owned by another user): run \`git config --global --add safe.directory ${cwd}\` first`;
    } else if (/block timeout/i.test(message)) {
      facts.problem = `git did not answer within ${GIT_TIMEOUT_MS / 1000}s`;
    }
  }
  const url = typeof repositoryUrl === 'string' ? repositoryUrl.trim() : '';
  const sha = typeof commitSha === 'string' ? commitSha.trim() : '';
  if (url) facts.repositoryUrl = url;
  if (sha) facts.commitSha = sha;
  return facts;
};
