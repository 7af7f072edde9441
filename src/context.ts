/**
 * What a command needs from the outside world, passed in by the entry point (or a test). Nothing below the entry
 * reads process.env, the clock or the working directory on its own.
 */
import type { Clock } from './api/client.js';
import type { ClosableTransport, ProxySettings } from './api/transport.js';
import type { Config } from './config.js';
import type { CiIo } from './git/ci-providers.js';
import type { LocalGitReader } from './git/local.js';
import type { OutStream } from './output.js';

export interface Context {
  config: Config;
  cwd: string;
  stdout: OutStream;
  stderr: OutStream;
  /** Wall-clock now in nanoseconds. */
  nowNs(): bigint;
  clock: Clock;
  random(): number;
  newId(): string;
  io: CiIo;
  readLocalGit: LocalGitReader;
  createTransport(proxy: ProxySettings): Promise<ClosableTransport>;
  /** Aborted on SIGINT/SIGTERM, with an InterruptedError as reason. */
  signal: AbortSignal;
  cliVersion: string;
  /** e.g. "node v20.20.2; linux x64" */
  platform: string;
  /** Turns FIPS mode on; throws when the runtime cannot. */
  enableFips(): void;
}
