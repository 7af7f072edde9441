/**
 * The real GitRunner: git in the checkout through src/git/run.ts (the one way dora runs git: its own process group,
 * a time budget, the user's interruption), its standard input fed and its output collected.
 */
import { gitIn } from '../git/run.js';
import type { GitRunner } from './git-lead-time.js';

export interface GitRunnerOptions {
  /** The checkout: the command's working directory. */
  cwd: string;
  /** The environment git runs with (the caller's, passed in; PATH finds git). */
  env: Record<string, string | undefined>;
  /** What git may take in all (default 60 s: a large history takes seconds, not minutes). */
  timeoutMs?: number;
  /** Ends the git process still running when the user stops dora. */
  signal?: AbortSignal;
}

export function gitRunner(options: GitRunnerOptions): GitRunner {
  const git = gitIn(
    options.cwd,
    options.env,
    options.signal ?? new AbortController().signal,
    options.timeoutMs ?? 60_000,
  );
  return async (args, input) => {
    const answer = await git(args, { input });
    if (answer.failure?.kind === 'not-started') {
      throw Object.assign(new Error(answer.failure.message), { code: answer.failure.code });
    }
    // Stopped (its time ran out, or the user's interruption): no exit code, as a process ended by a signal has none.
    return { stdout: answer.stdout, stderr: answer.stderr, code: answer.code ?? null };
  };
}
