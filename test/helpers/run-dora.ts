/** Runs the built CLI (bin/dora.js → dist/) as a child process with a clean, explicit environment. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/dora.js', import.meta.url));

export interface DoraRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Called once the child has started, e.g. to send it a signal later. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  /** Safety net so a hung CLI fails the test instead of the suite. */
  killAfterMs?: number;
  bin?: string;
  /** A file descriptor to give the CLI as its stdout (e.g. /dev/full) instead of a pipe we read. */
  stdoutFd?: number;
}

/**
 * Only PATH and HOME are inherited: the host's CI, proxy or Datadog variables must not leak into a test, since each
 * test states the environment it means.
 */
export function runDora(args: string[], options: RunOptions = {}): Promise<DoraRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', options.stdoutFd ?? 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 15_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, durationMs: performance.now() - started });
    });
  });
}
