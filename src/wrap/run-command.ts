/**
 * Runs the deploy command dora wraps (`dora deployment … -- <command>`) and times it.
 *
 * The command runs directly, without a shell, with dora's stdin/stdout/stderr and the given environment, so it owns
 * the terminal exactly as if it had been run on its own. Signals reaching dora are forwarded to it, and the promise
 * settles only once it has ended: dora never leaves it orphaned.
 */
import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SignalSubscription } from '../context.js';
import { type CommandOutcome, signalExitCode } from './outcome.js';

export type { SignalSubscription } from '../context.js';
export type { CommandOutcome } from './outcome.js';

export interface RunDeps {
  /** Wall clock in nanoseconds: the same clock as the event times. */
  nowNs(): bigint;
  subscribeSignals: SignalSubscription;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Injectable for tests. */
  spawn?: typeof nodeSpawn;
}

/**
 * Runs `argv` (argv[0] is the program, looked up on the environment's PATH when it has no slash) and resolves with
 * its outcome. Never rejects for anything the command does, including not existing; an empty argv is the caller's
 * usage error and rejects.
 */
export function runCommand(argv: readonly string[], deps: RunDeps): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  if (file === undefined || file === '') return Promise.reject(new TypeError('runCommand needs a command to run'));
  const spawn = deps.spawn ?? nodeSpawn;

  return new Promise((settle) => {
    const startedAt = deps.nowNs();
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: deps.cwd, env: deps.env, stdio: 'inherit' });
    } catch (error) {
      // Most start failures arrive later, through 'error'; the rest (an argument with a NUL byte, errno values
      // Node does not defer) are thrown here.
      settle(notStarted(error, file, deps.cwd));
      return;
    }

    const forwarded: NodeJS.Signals[] = [];
    let done = false;
    // Forwarding is needed although a terminal's Ctrl-C already reaches the command (it goes to the whole foreground
    // process group, so the command may get SIGINT twice, which programs treat as one): CI runners, `timeout`,
    // `docker stop` and Kubernetes signal dora's pid alone, and without this the deploy would run on unsupervised.
    const unsubscribe = deps.subscribeSignals((signal) => {
      if (done) return;
      forwarded.push(signal);
      // False when the command has just exited and its 'exit' event is still queued: nothing left to tell.
      child.kill(signal);
    });
    const finish = (outcome: CommandOutcome) => {
      if (done) return;
      done = true;
      unsubscribe();
      settle(outcome);
    };

    child.on('error', (error) => {
      // Without a pid the command never started (ENOENT, EACCES). With one, this is a failed kill (EPERM from a
      // command that became setuid): it is still running and its 'exit' is still to come.
      if (child.pid === undefined) finish(notStarted(error, file, deps.cwd));
    });
    // 'exit', not 'close': it is the instant the process ends. 'close' waits for stdio pipes too; with inherited
    // stdio there are none and it follows at once, but a pipe held by a grandchild would delay it without bound.
    child.on('exit', (code, signal) => {
      const finishedAt = deps.nowNs();
      if (signal !== null) {
        finish({ kind: 'signalled', signal, exitCode: signalExitCode(signal), startedAt, finishedAt, forwarded });
      } else {
        finish({ kind: 'exited', code: code ?? 1, startedAt, finishedAt, forwarded });
      }
    });
  });
}

/** A start failure in the terms `env` and `timeout` use: 127 for not found, 126 for found but not runnable. */
function notStarted(error: unknown, file: string, cwd: string): CommandOutcome {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const hasPath = file.includes('/');
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  if (code === 'ENOENT') {
    // spawn says ENOENT for a missing working directory, and for a script whose #! interpreter is missing; naming
    // the command as "not found" in those cases would send the user looking in the wrong place.
    if (kindOf(cwd) !== 'directory') {
      return { kind: 'not-started', exitCode: 126, reason: `working directory not found: ${cwd}` };
    }
    if (hasPath && kindOf(path) === 'file') {
      return { kind: 'not-started', exitCode: 127, reason: `${file}: the interpreter on its #! line was not found` };
    }
    return { kind: 'not-started', exitCode: 127, reason: `command not found: ${file}` };
  }
  if (code === 'EACCES') {
    // execve reports a directory and a file without an execute bit alike; stat tells them apart when we can.
    const kind = hasPath ? kindOf(path) : undefined;
    const why = kind === 'directory' ? 'is a directory' : 'permission denied (is it executable?)';
    return { kind: 'not-started', exitCode: 126, reason: `${file}: ${why}` };
  }
  // glibc runs such a file with /bin/sh instead; other C libraries may refuse it.
  if (code === 'ENOEXEC') {
    return { kind: 'not-started', exitCode: 126, reason: `${file}: not an executable format (missing #! line?)` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'not-started', exitCode: 126, reason: `${file}: ${message}` };
}

function kindOf(path: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const stats = statSync(path);
    return stats.isDirectory() ? 'directory' : stats.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}
