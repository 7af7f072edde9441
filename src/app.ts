/**
 * The real process around the CLI: builds the Context (the same builder tests use, with their own streams and
 * environment), turns signals into an interruption (or forwards them to a wrapped command), and is the one place
 * that sets the exit code and exits.
 */
import { readFileSync } from 'node:fs';
import { createTransport as realTransport } from './api/transports/index.js';
import { randomEventId } from './boot/event-id.js';
import { fdStream } from './boot/fd-stream.js';
import { run } from './cli.js';
import { readConfig } from './config.js';
import type { Clock, Context, Env, SignalSubscription } from './context.js';
import { InterruptedError } from './errors.js';
import { localGitReader } from './git/local.js';
import type { OutStream } from './output/reporter.js';
import { systemNowNs } from './time.js';
import { CLI_VERSION } from './version.js';

/** After a signal, how long the run gets to stop cleanly before we exit anyway (a CI job must not wait on us). */
const SIGNAL_GRACE_MS = 800;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The real clock: monotonic from process.hrtime (performance.now() would load perf_hooks), timers from Node. */
export const systemClock: Clock = {
  monotonicMs: () => Number(process.hrtime.bigint()) / 1e6,
  wallMs: () => Date.now(),
  sleep,
};

/**
 * A timer that ends early when `signal` aborts, rejecting with the signal's reason. Not timers/promises' setTimeout:
 * that builds an AbortError (and its stack) on every abort, and every request ends two timers that way, which an
 * import of 10,000 records measurably pays for.
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface ContextParts {
  env: Env;
  cwd: string;
  stdout: OutStream;
  stderr: OutStream;
  /** Aborted with an InterruptedError on a signal. */
  signal?: AbortSignal;
  subscribeSignals?: SignalSubscription;
  /** Tests inject a transport for msw or a clock of their own; production leaves these out. */
  createTransport?: Context['createTransport'];
  clock?: Clock;
  nowNs?: () => bigint;
  newId?: () => string;
  random?: () => number;
  readLocalGit?: Context['readLocalGit'];
  enableFips?: () => void;
  confirm?: Context['confirm'];
  readStdin?: Context['readStdin'];
}

/** The Context production runs with; tests call it too, replacing only what they must. */
export function createContext(parts: ContextParts): Context {
  return {
    config: readConfig(parts.env),
    env: parts.env,
    cwd: parts.cwd,
    stdout: parts.stdout,
    stderr: parts.stderr,
    nowNs: parts.nowNs ?? systemNowNs,
    clock: parts.clock ?? systemClock,
    random: parts.random ?? Math.random,
    newId: parts.newId ?? randomEventId,
    io: { readFile },
    readStdin: parts.readStdin ?? readStdin,
    readLocalGit: parts.readLocalGit ?? localGitReader(parts.env),
    createTransport: parts.createTransport ?? realTransport,
    signal: parts.signal ?? new AbortController().signal,
    subscribeSignals: parts.subscribeSignals ?? (() => () => undefined),
    cliVersion: CLI_VERSION,
    platform: `node ${process.version}; ${process.platform} ${process.arch}`,
    nodeVersion: process.version,
    enableFips: parts.enableFips ?? enableFips,
    ...(parts.confirm ? { confirm: parts.confirm } : {}),
  };
}

/**
 * Runs the CLI as the process. `early`: signals that arrived while the CLI was loading (src/main.ts kept them): the
 * run starts interrupted, before anything is sent.
 */
export async function runProcess(argv: string[], early: readonly NodeJS.Signals[] = []): Promise<void> {
  // stderr written to its descriptor: a failed write (a full disk) is noted, never thrown, so no message can break a run.
  const stdout = fdStream(1, () => process.stdout);
  const stderr = fdStream(2, () => process.stderr);
  const interrupt = new AbortController();
  /** The run's exit code once it has returned; from then on only output is being flushed. */
  let result: number | undefined;
  /** Set once a transport is made: from then on Datadog may have the event. */
  let sending = false;
  /** A wrapped command running: signals are its, forwarded, and dora waits for it to end. */
  const forwards = new Set<(signal: NodeJS.Signals) => void>();
  const onSignal = (signal: NodeJS.Signals) => {
    if (forwards.size > 0) {
      for (const forward of forwards) forward(signal);
      return;
    }
    // Nothing left that could be recorded: the run is only flushing output, so let it end with its own result.
    if (result !== undefined) return;
    const reason = new InterruptedError(signal, sending ? 'maybe' : 'nothing-sent');
    // If the run stops in time it prints its own message; these paths are for a run that did not.
    const leave = () => {
      if (result === undefined) stderr.write(`error: ${reason.message}\n`);
      process.exit(result ?? reason.exitCode);
    };
    // A second signal (an impatient Ctrl-C, or CI escalating): leave now.
    if (interrupt.signal.aborted) leave();
    interrupt.abort(reason);
    // Work that cannot be cancelled (a git subprocess) must not keep a CI job waiting.
    setTimeout(leave, SIGNAL_GRACE_MS).unref();
  };
  // `on`, not `once`: after the first signal the default handler would kill us silently, without the exit code.
  for (const signal of SIGNALS) process.on(signal, () => onSignal(signal));
  for (const signal of early) onSignal(signal);

  const ctx = createContext({
    env: process.env,
    cwd: currentDirectory(),
    stdout,
    stderr,
    signal: interrupt.signal,
    subscribeSignals: (listener) => {
      forwards.add(listener);
      return () => forwards.delete(listener);
    },
    createTransport: (proxy, options) => {
      sending = true;
      return realTransport(proxy, options);
    },
    confirm: askAtTerminal,
  });

  let code: number;
  try {
    code = await run(argv, ctx);
  } catch (error) {
    // run() maps every failure itself; reaching here means the mapping broke.
    stderr.write(`error: dora hit an unexpected problem: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  result = code;
  process.exitCode = code;
  // Let stdout drain and exit naturally; a stray handle must not keep a CI step alive, though.
  setTimeout(() => process.exit(code), 1000).unref();
}

/**
 * A yes/no question on stderr, answered on stdin: "no" for anything but yes, and for Ctrl-D (the end of input);
 * "interrupted" for Ctrl-C; undefined when stdin is no terminal (CI, a pipe).
 */
async function askAtTerminal(question: string): Promise<'yes' | 'no' | 'interrupted' | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const { createInterface } = process.getBuiltinModule('node:readline');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise((resolve) => {
      prompt.on('SIGINT', () => {
        process.stderr.write('\n');
        resolve('interrupted');
      });
      prompt.on('close', () => resolve('no'));
      prompt.question(question, (answer) => resolve(/^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no'));
    });
  } finally {
    prompt.close();
  }
}

/** Standard input, whole. */
async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function readFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function enableFips(): void {
  const crypto = process.getBuiltinModule('node:crypto');
  crypto.setFips(true);
  try {
    // OpenSSL 3 turns FIPS mode on without a FIPS provider and only fails at the first TLS use, with no
    // ciphers left: find out now, and leave FIPS off again so --fips-ignore-error can carry on without it.
    process.getBuiltinModule('node:tls').createSecureContext();
  } catch (error) {
    crypto.setFips(false);
    throw error;
  }
}

/** The working directory, or '' when it was deleted under us: then there is simply no local checkout to read. */
function currentDirectory(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}
