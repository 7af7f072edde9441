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

/** One budget for everything git does here: a git that hangs (a credential helper, a network file system) must not hold a deploy job hostage. */
const GIT_TIMEOUT_MS = 5_000;

/** `signal` (a SIGINT/SIGTERM) kills the git processes still running, so none outlives dora. */
export type LocalGitReader = (cwd: string, signal?: AbortSignal) => Promise<LocalGitFacts>;

export const readLocalGit: LocalGitReader = async (cwd, signal) => {
  if (cwd === '') return {}; // no working directory at all
  const budget = AbortSignal.timeout(GIT_TIMEOUT_MS);
  const stop = signal ? AbortSignal.any([signal, budget]) : budget;
  let git;
  try {
    const { simpleGit } = await import('simple-git');
    // `abort` kills every git process still running when the budget runs out or the user stops us.
    git = simpleGit({ baseDir: cwd, maxConcurrentProcesses: 2, abort: stop });
  } catch {
    return {}; // the folder is gone or git cannot start
  }
  const asked = Promise.all([
    git
      .remote(['get-url', 'origin'])
      .catch(async () => {
        const remotes = await git.getRemotes(true);
        return remotes[0]?.refs.fetch;
      })
      .catch(() => undefined),
    git.revparse(['HEAD']).catch((error: unknown) => ({ error })),
  ]);
  // Killing git is not always the end of it (a wrapper's child can hold its output open): stop waiting anyway.
  const stopped = new Promise<undefined>((resolve) => {
    if (stop.aborted) resolve(undefined);
    stop.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  const answers = await Promise.race([asked, stopped]);
  const facts: LocalGitFacts = {};
  if (budget.aborted && !signal?.aborted) facts.problem = `git did not answer within ${GIT_TIMEOUT_MS / 1000}s`;
  if (!answers) return facts;
  const [repositoryUrl, commitSha] = answers;
  if (typeof commitSha === 'object' && /dubious ownership/i.test(errorText(commitSha.error))) {
    facts.problem = `git refuses to read ${cwd} (owned by another user): run \`git config --global --add safe.directory ${cwd}\` first`;
  }
  const url = typeof repositoryUrl === 'string' ? repositoryUrl.trim() : '';
  const sha = typeof commitSha === 'string' ? commitSha.trim() : '';
  if (url) facts.repositoryUrl = url;
  if (sha) facts.commitSha = sha;
  return facts;
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
