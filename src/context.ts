/**
 * What a command needs from the outside world, and the small types every layer shares. The entry point builds one
 * Context from the real process (src/app.ts); tests build theirs with the same function and their own streams,
 * environment and clock. Nothing below reads process.env, the clock or the working directory on its own.
 */

import type { ClosableTransport, ProxySettings, TransportOptions } from './api/transports/types.js';
import type { Config, Env } from './config.js';
import type { LocalGitReader } from './git/local.js';
import type { OutStream } from './output/reporter.js';

/** Every timer the CLI uses comes from here, so a virtual clock can drive timeouts and backoffs in tests. */
export interface Clock {
  /** Monotonic milliseconds, for deadlines and timeouts. */
  monotonicMs(): number;
  /** Wall-clock milliseconds, for HTTP-date `Retry-After` and the server's `Date`. */
  wallMs(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface FileReader {
  /** Reads a file as UTF-8 text; undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

/** Where SIGINT/SIGTERM/SIGHUP go while a wrapped command runs: forwarded to it instead of stopping dora. */
export type SignalSubscription = (listener: (signal: NodeJS.Signals) => void) => () => void;

export type { Env };

export interface Context {
  config: Config;
  /** The environment as the process got it, for a wrapped command (config is dora's own reading of it). */
  env: Env;
  cwd: string;
  stdout: OutStream;
  stderr: OutStream;
  /** Wall-clock now in nanoseconds. */
  nowNs(): bigint;
  clock: Clock;
  random(): number;
  newId(): string;
  io: FileReader;
  /** Standard input, whole (`dora import -`). */
  readStdin(): Promise<Uint8Array>;
  readLocalGit: LocalGitReader;
  createTransport(proxy: ProxySettings, options?: TransportOptions): Promise<ClosableTransport>;
  /** Aborted on SIGINT/SIGTERM/SIGHUP, with an InterruptedError as reason. */
  signal: AbortSignal;
  /** Takes the signals over for a wrapped command (see SignalSubscription). */
  subscribeSignals: SignalSubscription;
  cliVersion: string;
  /** e.g. "node v20.20.2; linux x64" */
  platform: string;
  /** Node's version, e.g. "v24.11.0", for `dora doctor`. */
  nodeVersion: string;
  /** Turns FIPS mode on; throws when the runtime cannot. */
  enableFips(): void;
  /**
   * Asks a yes/no question at the terminal: `no` for anything but yes (Ctrl-D included), `interrupted` for Ctrl-C;
   * undefined when nobody can answer (no terminal on stdin).
   */
  confirm?(question: string): Promise<'yes' | 'no' | 'interrupted' | undefined>;
}
