/**
 * Facts from the local checkout: the `origin` remote (else the first remote), `HEAD` and whether the clone is shallow.
 * Any failure — not a repository, no commits, no git binary, an unsafe directory — means "not known here", never an
 * error: the caller decides what a missing value means.
 */
import { type Git, gitIn } from './run.js';

export interface LocalGitFacts {
  repositoryUrl?: string | undefined;
  commitSha?: string | undefined;
  /** Why git gave nothing although this looks like a checkout, when it said so (e.g. safe.directory). */
  problem?: string | undefined;
  /** `git rev-parse --is-shallow-repository`, when git answered (for `dora doctor`). */
  shallow?: boolean | undefined;
}

/** One budget for everything git does here: a git that hangs must not hold a deploy job hostage. */
export const GIT_TIMEOUT_MS = 5_000;

/** `signal` (a SIGINT/SIGTERM) ends the git processes still running, so none outlives dora. */
export type LocalGitReader = (cwd: string, signal?: AbortSignal) => Promise<LocalGitFacts>;

/** The reader for an environment (git runs with it: PATH finds git, HOME its configuration). */
export function localGitReader(env: Readonly<Record<string, string | undefined>>): LocalGitReader {
  return (cwd, signal) => readLocalGit(cwd, env, signal);
}

export async function readLocalGit(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  signal?: AbortSignal,
): Promise<LocalGitFacts> {
  if (cwd === '') return {}; // no working directory at all
  const stop = signal ?? new AbortController().signal;
  const git = gitIn(cwd, env, stop, GIT_TIMEOUT_MS);
  const [head, remote] = await Promise.all([git(['rev-parse', 'HEAD', '--is-shallow-repository']), remoteUrl(git)]);
  const facts: LocalGitFacts = {};
  if (head.failure?.kind === 'timeout' || remote.timedOut) {
    if (!stop.aborted) facts.problem = `git did not answer within ${GIT_TIMEOUT_MS / 1000}s`;
    return facts;
  }
  if (head.failure?.kind === 'not-started') {
    facts.problem = gitProblem(head.failure.code === 'ENOENT' ? 'ENOENT' : head.failure.message, cwd);
    return facts;
  }
  const [sha, shallow] = head.stdout.split('\n').map((line) => line.trim());
  if (head.code === 0 && sha) facts.commitSha = sha;
  else facts.problem = gitProblem(head.stderr, cwd);
  if (shallow === 'true' || shallow === 'false') facts.shallow = shallow === 'true';
  if (remote.url) facts.repositoryUrl = remote.url;
  return facts;
}

/** `origin`'s URL, else the first remote's. */
async function remoteUrl(git: Git): Promise<{ url?: string | undefined; timedOut: boolean }> {
  const origin = await git(['remote', 'get-url', 'origin']);
  if (origin.failure?.kind === 'timeout') return { timedOut: true };
  if (origin.code === 0 && origin.stdout.trim()) return { url: origin.stdout.trim(), timedOut: false };
  const remotes = await git(['remote']);
  const first = remotes.stdout.split('\n')[0]?.trim();
  if (!first) return { timedOut: remotes.failure?.kind === 'timeout' };
  const url = await git(['remote', 'get-url', first]);
  return {
    url: url.code === 0 ? url.stdout.trim() || undefined : undefined,
    timedOut: url.failure?.kind === 'timeout',
  };
}

/**
 * What a failed git means for the user, when it means more than "no checkout here". Pure, so each wording is
 * testable without a real git.
 */
export function gitProblem(said: string, cwd: string): string | undefined {
  if (said === 'ENOENT' || /\bENOENT\b/.test(said)) return 'git is not installed or not found on PATH';
  if (/dubious ownership/i.test(said)) {
    // git names the repository's root (not the subfolder we run in) in its own advice; use the same folder.
    const root =
      /safe\.directory\s+'?([^'\r\n]+?)'?\s*$/m.exec(said)?.[1] ?? /repository at '([^']+)'/.exec(said)?.[1] ?? cwd;
    return `git refuses to read ${root} (owned by another user): run \`git config --global --add safe.directory ${root}\` first`;
  }
  return undefined;
}
