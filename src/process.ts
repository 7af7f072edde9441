/** Builds the Context from the real process, runs the CLI, and turns its result and signals into an exit code. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTransport } from './api/transport.js';
import { run } from './cli.js';
import { readConfig } from './config.js';
import { fdStream } from './fd-stream.js';
import type { Context } from './context.js';
import { InterruptedError } from './errors.js';
import { randomEventId } from './event-id.js';
import { readLocalGit } from './git/local.js';
import { systemNowNs } from './time.js';
import { CLI_VERSION } from './version.js';

/** After a signal, how long the run gets to stop cleanly before we exit anyway (the issue allows a second). */
const SIGNAL_GRACE_MS = 800;

export async function runProcess(argv: string[]): Promise<void> {
  // Node's deprecation warnings (undici connecting to a proxy given by IP address triggers one) are about code, not
  // about anything a user of dora can change, and would clutter stderr in the middle of a run.
  process.noDeprecation = true;
  const interrupt = new AbortController();
  /** The run's exit code once it has returned; from then on only output is being flushed. */
  let result: number | undefined;
  /** Set once delivery begins (its transport is made): from then on Datadog may have the event. */
  let sending = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    const reason = new InterruptedError(signal, sending);
    // Nothing left that could be recorded: the run is only flushing output, so let it end with its own result.
    if (result !== undefined) return;
    // If the run stops in time it prints its own message; these paths are for a run that did not.
    const leave = () => {
      if (result === undefined) process.stderr.write(`error: ${reason.message}\n`);
      process.exit(result ?? reason.exitCode);
    };
    // A second signal (an impatient Ctrl-C, or CI escalating): leave now.
    if (interrupt.signal.aborted) leave();
    interrupt.abort(reason);
    // Work that cannot be cancelled (a git subprocess) must not keep a CI job waiting.
    setTimeout(leave, SIGNAL_GRACE_MS).unref();
  };
  // `on`, not `once`: after the first signal the default handler would kill us silently, without the exit code.
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const ctx: Context = {
    config: readConfig(process.env),
    cwd: currentDirectory(),
    stdout: fdStream(1, () => process.stdout),
    stderr: fdStream(2, () => process.stderr),
    nowNs: systemNowNs,
    clock: {
      // process.hrtime, not performance.now(): the latter loads perf_hooks, a cost every send would pay.
      monotonicMs: () => Number(process.hrtime.bigint()) / 1e6,
      wallMs: () => Date.now(),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }),
    },
    random: Math.random,
    newId: randomEventId,
    io: {
      readFile: (path) => {
        try {
          return readFileSync(path, 'utf8');
        } catch {
          return undefined;
        }
      },
    },
    readLocalGit,
    createTransport: (proxy) => {
      sending = true;
      return createTransport(proxy);
    },
    signal: interrupt.signal,
    cliVersion: CLI_VERSION,
    platform: `node ${process.version}; ${process.platform} ${process.arch}`,
    enableFips: () => {
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
    },
  };

  let code: number;
  try {
    code = await run(argv, ctx);
  } catch (error) {
    // run() maps every failure itself; reaching here means the mapping broke.
    process.stderr.write(`error: dora hit an unexpected problem: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  result = code;
  process.exitCode = code;
  // Let stdout drain and exit naturally; a stray handle must not keep a CI step alive, though.
  setTimeout(() => process.exit(code), 1000).unref();
}

/** The working directory, or '' when it was deleted under us: then there is simply no local checkout to read. */
function currentDirectory(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}
