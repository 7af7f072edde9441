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
  /** `git rev-parse --is-shallow-repository`, when git answered (for `dora doctor`). */
  shallow?: boolean;
  /** HEAD's sha as git printed it, before any validation (for `dora doctor`); commitSha is the same value today. */
  headSha?: string;
}

/** One budget for everything git does here: a git that hangs (a credential helper, a network file system) must not hold a deploy job hostage. */
const GIT_TIMEOUT_MS = 5_000;

/** `signal` (a SIGINT/SIGTERM) kills the git processes still running, so none outlives dora. */
export type LocalGitReader = (cwd: string, signal?: AbortSignal) => Promise<LocalGitFacts>;

export const readLocalGit: LocalGitReader = async (cwd, signal) => {
  if (cwd === '') return {}; // no working directory at all
  const budget = AbortSignal.timeout(GIT_TIMEOUT_MS);
  const stop = signal ? AbortSignal.any([signal, budget]) : budget;
  let git: import('simple-git').SimpleGit;
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
    git.revparse(['--is-shallow-repository']).catch(() => undefined),
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
  const [repositoryUrl, commitSha, shallow] = answers;
  if (typeof commitSha === 'object') {
    const problem = gitProblem(commitSha.error, cwd);
    if (problem) facts.problem = problem;
  }
  const url = typeof repositoryUrl === 'string' ? repositoryUrl.trim() : '';
  const sha = typeof commitSha === 'string' ? commitSha.trim() : '';
  if (url) facts.repositoryUrl = url;
  if (sha) {
    facts.commitSha = sha;
    facts.headSha = sha;
  }
  if (typeof shallow === 'string' && /^(true|false)$/.test(shallow.trim())) facts.shallow = shallow.trim() === 'true';
  return facts;
};

/**
 * What a failed `git rev-parse HEAD` means for the user, when it means more than "no checkout here". Pure, so each
 * wording is testable without a real git.
 */
export function gitProblem(error: unknown, cwd: string): string | undefined {
  const text = errorText(error);
  if (/ENOENT/.test(text) || (error as { code?: unknown } | null)?.code === 'ENOENT') {
    return 'git is not installed or not found on PATH';
  }
  if (/dubious ownership/i.test(text)) {
    // git names the repository's root (not the subfolder we run in) in its own advice; use the same folder.
    const root =
      /safe\.directory\s+'?([^'\r\n]+?)'?\s*$/m.exec(text)?.[1] ?? /repository at '([^']+)'/.exec(text)?.[1] ?? cwd;
    return `git refuses to read ${root} (owned by another user): run \`git config --global --add safe.directory ${root}\` first`;
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
