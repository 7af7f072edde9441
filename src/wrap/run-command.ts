/**
 * Runs the deploy command dora wraps (`dora deployment … -- <command>`) and times it.
 *
 * The command runs directly, without a shell, with dora's stdin/stdout/stderr and the given environment. On POSIX it
 * runs in a session and process group of its own, and every signal dora forwards goes to that whole group: a deploy
 * is usually a tree (`sh -c 'a & b; wait'`, make, npm), and signalling its first process alone left the rest running.
 * Background jobs of a non-interactive `sh` ignore SIGINT, so once an interrupted command has exited, what is left
 * of its group gets SIGTERM, then SIGKILL after a short grace. And should dora itself be killed outright while the
 * command runs (SIGKILL, the OOM killer), a watchdog ends the group: no process of the tree outlives dora.
 *
 * At a terminal: being in a session of its own, the command is not subject to the terminal's job control, so reading
 * and writing the terminal through the descriptors it inherited never stops it (no SIGTTIN or SIGTTOU, whatever
 * `stty tostop` says); Ctrl-C reaches dora, which forwards it to the group. The price: the command has no controlling
 * terminal, so it cannot open /dev/tty (a password prompt of ssh or sudo fails there: give credentials another way),
 * and Ctrl-Z and window resizes reach dora only.
 */
import { type ChildProcess, spawn as nodeSpawn, type StdioOptions } from 'node:child_process';
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
  /**
   * Where the command's stdout goes: dora's own (`inherit`), or dora's stderr when dora's stdout carries a result that
   * scripts parse (--json), so the command's output can neither precede nor glue itself to it.
   */
  stdout?: 'inherit' | 'stderr';
  /** Injectable for tests. */
  spawn?: typeof nodeSpawn;
}

/** How long what is left of an interrupted command's group gets between SIGTERM and SIGKILL. */
export const GROUP_GRACE_MS = 1000;

/**
 * Runs `argv` (argv[0] is the program, looked up on the environment's PATH when it has no slash) and resolves with
 * its outcome once it has ended (and, if it was interrupted, once its group is gone). Never rejects for anything the
 * command does, including not existing; an empty argv is the caller's usage error and rejects.
 */
export function runCommand(argv: readonly string[], deps: RunDeps): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  if (file === undefined || file === '') return Promise.reject(new TypeError('runCommand needs a command to run'));
  const spawn = deps.spawn ?? nodeSpawn;
  // Windows has no process groups to signal; there the command stays dora's child alone.
  const ownGroup = process.platform !== 'win32';

  return new Promise((settle) => {
    const forwarded: NodeJS.Signals[] = [];
    let child: ChildProcess | undefined;
    let group: number | undefined;
    let exited = false;
    let done = false;
    // Listening before the command starts: a signal that lands while it is being spawned is queued for this
    // listener (handlers run once this synchronous start is over) instead of meeting a process with no handler.
    // Forwarding is needed: CI runners, `timeout`, `docker stop` and Kubernetes signal dora's pid alone, and the
    // command's group is not the terminal's, so no Ctrl-C reaches it but through dora.
    const unsubscribe = deps.subscribeSignals((signal) => {
      if (done || child === undefined) return;
      forwarded.push(signal);
      // A signal while the leftovers of an interrupted command are being ended: no more grace.
      signalTree(child, group, exited ? 'SIGKILL' : signal);
    });
    let watchdog: { release(): void } | undefined;
    const finish = (outcome: CommandOutcome) => {
      if (done) return;
      done = true;
      unsubscribe();
      watchdog?.release();
      settle(outcome);
    };

    const startedAt = deps.nowNs();
    let started: ChildProcess;
    try {
      // `detached` makes the command the leader of a new session and process group, whose id is its pid.
      const stdio: StdioOptions = ['inherit', deps.stdout === 'stderr' ? 2 : 'inherit', 'inherit'];
      started = spawn(file, args, { cwd: deps.cwd, env: deps.env, stdio, detached: ownGroup });
    } catch (error) {
      // Most start failures arrive later, through 'error'; the rest (an argument with a NUL byte, errno values
      // Node does not defer) are thrown here.
      finish(notStarted(error, file, deps.cwd));
      return;
    }
    child = started;
    // A real child's pid is never 0 or 1, but a group id of either would mean "my own group" or "every process":
    // never signal those.
    group = ownGroup && started.pid !== undefined && started.pid > 1 ? started.pid : undefined;
    if (group !== undefined) watchdog = startWatchdog(group);

    started.on('error', (error) => {
      // Without a pid the command never started (ENOENT, EACCES). With one, this is a failed kill (EPERM from a
      // command that became setuid): it is still running and its 'exit' is still to come.
      if (started.pid === undefined) finish(notStarted(error, file, deps.cwd));
    });
    // 'exit', not 'close': it is the instant the process ends. 'close' waits for stdio pipes too; with inherited
    // stdio there are none and it follows at once, but a pipe held by a grandchild would delay it without bound.
    started.on('exit', (code, signal) => {
      exited = true;
      const finishedAt = deps.nowNs();
      const outcome: CommandOutcome =
        signal !== null
          ? { kind: 'signalled', signal, exitCode: signalExitCode(signal), startedAt, finishedAt, forwarded }
          : { kind: 'exited', code: code ?? 1, startedAt, finishedAt, forwarded };
      // An interrupted deploy may leave jobs behind that ignored the signal: they go with it. A command that ended
      // by itself keeps what it started in the background, as it would in a shell.
      if (group !== undefined && forwarded.length > 0) endGroup(group).then(() => finish(outcome));
      else finish(outcome);
    });
  });
}

/** Sends `signal` to the command's whole group when it has one; false once nothing is left to signal. */
function signalTree(child: ChildProcess, group: number | undefined, signal: NodeJS.Signals | 0): boolean {
  if (group !== undefined) {
    try {
      process.kill(-group, signal);
      return true;
    } catch {
      // ESRCH: the group is gone. (EPERM would mean a member became another user's: nothing dora may do.)
      return false;
    }
  }
  return signal === 0 ? child.exitCode === null && child.signalCode === null : child.kill(signal);
}

/** SIGTERM to what is left of the group, then SIGKILL if anything is still there after the grace. */
async function endGroup(group: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-group, 'SIGTERM');
  } catch {
    return; // nothing left
  }
  const until = Date.now() + GROUP_GRACE_MS;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (!alive()) return;
  }
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/**
 * A tiny `sh` in a session of its own that ends the command's group if dora dies before it could: it waits on a pipe
 * from dora, and reads either "done" (dora saw the command end) or the end of the pipe (dora is gone, however it
 * died). Without /bin/sh (a distroless image) there is simply no watchdog. (`kill -s SIG -- -PGID` is the form
 * dash, bash and busybox all read as a group; dash refuses `kill -TERM -- -PGID`.)
 */
const WATCHDOG = `if read -r _; then exit 0; fi
case "$1" in ''|*[!0-9]*|0|1) exit 0 ;; esac
kill -s TERM -- "-$1" 2>/dev/null || exit 0
sleep ${GROUP_GRACE_MS / 1000}
kill -s KILL -- "-$1" 2>/dev/null
exit 0`;

function startWatchdog(group: number): { release(): void } | undefined {
  let watchdog: ChildProcess;
  try {
    watchdog = nodeSpawn('/bin/sh', ['-c', WATCHDOG, 'dora-watchdog', String(group)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: '/usr/bin:/bin' },
    });
  } catch {
    return undefined;
  }
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  // Neither the watchdog nor its pipe may keep dora's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { release: () => watchdog.stdin?.end('done\n') };
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
