/** The real GitRunner: `git` as a child process in the checkout, its standard input fed, its output collected. */
import { spawn } from 'node:child_process';
import type { GitOutput, GitRunner } from './git-lead-time.js';

export interface GitRunnerOptions {
  /** The checkout: the command's working directory. */
  cwd: string;
  /** The environment git runs with (the caller's, passed in; PATH finds git). */
  env: Record<string, string | undefined>;
  /** Each git process is killed after this long (default 60 s: a large history takes seconds, not minutes). */
  timeoutMs?: number;
  /** Ends the git process still running when the user stops dora. */
  signal?: AbortSignal;
}

/** stderr is only read for a message: its first kilobytes are plenty. */
const STDERR_LIMIT = 8192;

export function gitRunner(options: GitRunnerOptions): GitRunner {
  return (args, input) =>
    new Promise<GitOutput>((resolve, reject) => {
      const child = spawn('git', [...args], {
        cwd: options.cwd,
        // No prompt, no lock taken on a checkout another git may be using, messages we can recognise.
        env: { ...options.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: options.timeoutMs ?? 60_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => {
        if (err.length < STDERR_LIMIT) err += chunk.toString('utf8');
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: err, code }));
      // git may exit before reading all its input (a bad repository): that EPIPE is told by its exit code.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    });
}
