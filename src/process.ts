/** Builds the Context from the real process, runs the CLI, and turns its result and signals into an exit code. */
import { randomUUID, setFips } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createUndiciTransport } from './api/transport.js';
import { run } from './cli.js';
import { readConfig } from './config.js';
import type { Context } from './context.js';
import { InterruptedError } from './errors.js';
import { readLocalGit } from './git/local.js';
import { systemNowNs } from './time.js';
import { CLI_VERSION } from './version.js';

/** After a signal, how long the run gets to stop cleanly before we exit anyway. */
const SIGNAL_GRACE_MS = 800;

export async function runProcess(argv: string[]): Promise<void> {
  const interrupt = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    const reason = new InterruptedError(signal);
    if (interrupt.signal.aborted) process.exit(reason.exitCode); // a second Ctrl-C: leave now
    interrupt.abort(reason);
    // Work that cannot be cancelled (a git subprocess) must not keep a CI job waiting.
    setTimeout(() => {
      process.stderr.write(`error: ${reason.message}\n`);
      process.exit(reason.exitCode);
    }, SIGNAL_GRACE_MS).unref();
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  const ctx: Context = {
    config: readConfig(process.env),
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    nowNs: systemNowNs,
    clock: {
      monotonicMs: () => performance.now(),
      wallMs: () => Date.now(),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }),
    },
    random: Math.random,
    newId: randomUUID,
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
    createTransport: createUndiciTransport,
    signal: interrupt.signal,
    cliVersion: CLI_VERSION,
    platform: `node ${process.version}; ${process.platform} ${process.arch}`,
    enableFips: () => setFips(true),
  };

  let code: number;
  try {
    code = await run(argv, ctx);
  } catch (error) {
    // run() maps every failure itself; reaching here means the mapping broke.
    process.stderr.write(`error: dora hit an unexpected problem: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  process.exitCode = code;
  // Let stdout drain and exit naturally; a stray handle must not keep a CI step alive, though.
  setTimeout(() => process.exit(code), 1000).unref();
}
