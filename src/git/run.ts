/**
 * Runs git, the one way dora does: `git <args>` in a folder, with a time budget and the run's interruption. git runs
 * in a process group of its own, so a budget that runs out (a credential helper waiting for input, a hung network
 * file system) ends git and whatever it started; and the answer is taken when git exits, so a child that keeps git's
 * output open cannot hold dora.
 */
import type { ChildProcess } from 'node:child_process';

export interface GitAnswer {
  /** git's exit code; undefined when it could not be started or was stopped. */
  code: number | undefined;
  stdout: string;
  stderr: string;
  /** Why git gave no answer: it could not start (`ENOENT` when it is not installed), or the budget ran out. */
  failure?: { kind: 'not-started'; code: string | undefined; message: string } | { kind: 'timeout' } | undefined;
}

export type Git = (args: readonly string[], options?: { input?: string }) => Promise<GitAnswer>;

/** How long git's output may trail its exit (a child holding the pipe open gets no more). */
const DRAIN_MS = 50;

/**
 * A runner for one folder. `stop` ends every git still running (the user's interruption, or the caller's budget);
 * each call also ends when `timeoutMs` has passed since the runner was made, so several calls share one budget.
 */
export function gitIn(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  stop: AbortSignal,
  timeoutMs: number,
): Git {
  const budget = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
  return (args, options = {}) =>
    new Promise((resolve) => {
      const { spawn } = process.getBuiltinModule('node:child_process');
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const answer = (code: number | undefined, failure?: GitAnswer['failure']) =>
        resolve({
          code,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          failure,
        });
      if (budget.aborted) {
        answer(undefined, { kind: 'timeout' });
        return;
      }
      let child: ChildProcess;
      try {
        child = spawn('git', args, {
          cwd,
          // Its own process group (POSIX), so ending git ends what it started too.
          detached: process.platform !== 'win32',
          stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
          // Never ask (a prompt for credentials would wait for the budget), take no lock a running git may hold, and
          // speak the words dora recognises.
          env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        answer(undefined, { kind: 'not-started', code, message: String((error as Error).message) });
        return;
      }
      let settled = false;
      const settle = (code: number | undefined, failure?: GitAnswer['failure']) => {
        if (settled) return;
        settled = true;
        budget.removeEventListener('abort', onAbort);
        answer(code, failure);
      };
      const onAbort = () => {
        killGroup(child);
        settle(undefined, { kind: 'timeout' });
      };
      budget.addEventListener('abort', onAbort, { once: true });
      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined)
          settle(undefined, { kind: 'not-started', code: error.code, message: error.message });
      });
      child.on('exit', (code) => {
        // Output still in the pipes arrives within moments; a grandchild holding them open is not waited for.
        let drained = 0;
        const done = () => {
          drained += 1;
          if (drained === 2) settle(code ?? undefined);
        };
        for (const stream of [child.stdout, child.stderr]) {
          if (!stream || stream.readableEnded) done();
          else stream.once('end', done);
        }
        const late = setTimeout(() => {
          killGroup(child);
          settle(code ?? undefined);
        }, DRAIN_MS);
        late.unref();
        child.once('close', () => clearTimeout(late));
      });
      if (options.input !== undefined) {
        // A git that exits without reading all its input (outside a checkout) closes the pipe: its exit code is the
        // answer, and the write's EPIPE is not an error of dora's.
        child.stdin?.on('error', () => {});
        child.stdin?.end(options.input);
      }
    });
}

/** Ends git and everything it started (its process group), once it is of no more use. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid === undefined) return;
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
