/**
 * Facts from the local checkout, through simple-git: the `origin` remote (else the first remote) and `HEAD`.
 * Any failure — not a repository, no commits, no git binary, an unsafe directory — means "not known here", never
 * an error: the caller decides what a missing value means.
 */
export interface LocalGitFacts {
  repositoryUrl?: string;
  commitSha?: string;
}

export type LocalGitReader = (cwd: string) => Promise<LocalGitFacts>;

export const readLocalGit: LocalGitReader = async (cwd) => {
  let git;
  try {
    const { simpleGit } = await import('simple-git');
    git = simpleGit({ baseDir: cwd, maxConcurrentProcesses: 2 });
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
    git.revparse(['HEAD']).catch(() => undefined),
  ]);
  const facts: LocalGitFacts = {};
  const url = typeof repositoryUrl === 'string' ? repositoryUrl.trim() : '';
  const sha = typeof commitSha === 'string' ? commitSha.trim() : '';
  if (url) facts.repositoryUrl = url;
  if (sha) facts.commitSha = sha;
  return facts;
};
