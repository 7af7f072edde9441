/**
 * Runs the built CLI as a child process with a clean, explicit environment: `node bin/dora.js` (→ dist/), unless
 * DORA_TEST_BIN names another dora. .ci/run sets it to run the end-to-end tests against the packed package installed
 * into an empty folder (a `.js` bin, run with this Node) and against the standalone binary (any other file, run as
 * it is, with a PATH that has no `node`: it must need none).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FROM_ENV = process.env.DORA_TEST_BIN || undefined;

/** The JavaScript bin the tests run with this Node: DORA_TEST_BIN when it names one, else this checkout's. */
export const BIN = FROM_ENV?.endsWith('.js') ? FROM_ENV : fileURLToPath(new URL('../../bin/dora.js', import.meta.url));

/** The standalone binary the tests run instead of a JavaScript bin, when DORA_TEST_BIN names one. */
export const TEST_BINARY = FROM_ENV?.endsWith('.js') ? undefined : FROM_ENV;

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
  /** A JavaScript bin to run with this Node (e.g. an installed package's bin/dora.js) instead of the default. */
  bin?: string;
  /** A standalone executable to run instead of the default (DORA_TEST_BIN's binary, else node bin/dora.js). */
  executable?: string;
  /** A file descriptor to give the CLI as its stdout (e.g. /dev/full) instead of a pipe we read. */
  stdoutFd?: number;
  /** A file whose bytes are the CLI's standard input (none: stdin is closed). */
  stdin?: string;
}

/** The command that runs dora, for tests that start it their own way (under `script`, say): [file, ...arguments]. */
export function doraCommand(options: Pick<RunOptions, 'bin' | 'executable'> = {}): string[] {
  const executable = options.bin ? undefined : (options.executable ?? TEST_BINARY);
  return executable ? [executable] : [process.execPath, options.bin ?? BIN];
}

/**
 * Only PATH and HOME are inherited: the host's CI, proxy or Datadog variables must not leak into a test, since each
 * test states the environment it means.
 */
export function runDora(args: string[], options: RunOptions = {}): Promise<DoraRun> {
  const started = performance.now();
  const [file, ...prefix] = doraCommand(options) as [string, ...string[]];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env };
  if (file !== process.execPath) env.PATH = pathWithoutNode(env.PATH);
  const child = spawn(file, [...prefix, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: [options.stdin === undefined ? 'ignore' : openSync(options.stdin, 'r'), options.stdoutFd ?? 'pipe', 'pipe'],
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

/** Names under which a Node.js is found on PATH (Debian also calls it nodejs). */
const NODE_NAMES = new Set(['node', 'nodejs', 'node.exe']);
let shadowRoot: string | undefined;
const shadows = new Map<string, string>();

/**
 * `path` with no Node.js on it and everything else still there: each folder holding a `node` (here /usr/bin, beside
 * git and sh) is replaced by a folder of links to everything in it but that.
 */
export function pathWithoutNode(path: string): string {
  return path
    .split(delimiter)
    .map((dir) => {
      if (!dir || ![...NODE_NAMES].some((name) => existsSync(join(dir, name)))) return dir;
      let shadow = shadows.get(dir);
      if (!shadow) {
        if (!shadowRoot) {
          const root = mkdtempSync(join(tmpdir(), 'dora-path-without-node-'));
          process.once('exit', () => rmSync(root, { recursive: true, force: true }));
          shadowRoot = root;
        }
        shadow = join(shadowRoot, String(shadows.size));
        mkdirSync(shadow);
        for (const name of readdirSync(dir))
          if (!NODE_NAMES.has(name)) symlinkSync(join(dir, name), join(shadow, name));
        shadows.set(dir, shadow);
      }
      return shadow;
    })
    .join(delimiter);
}
