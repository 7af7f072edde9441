/**
 * The bin entry: answers `--version` at once; else catches signals from the first moment (a CI job may cancel while
 * dora is still loading), loads the rest of the CLI (dist/app.js, built from src/app.ts) and runs it.
 *
 * This file only ever runs as the built CommonJS dist/main.js, next to dist/app.js.
 */
import { fdStream } from './boot/fd-stream.js';
import { CLI_VERSION } from './version.js';

const argv = process.argv.slice(2);

// `dora --version` is asked by scripts on every run; answer it without loading the rest of the CLI, and without
// building process.stdout (a synchronous write to the descriptor is all it takes).
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  fdStream(1, () => process.stdout).write(`${CLI_VERSION}\n`);
} else {
  // A signal that arrives while the CLI loads is kept, and the CLI acts on it as soon as it runs.
  const early: NodeJS.Signals[] = [];
  const keep = (signal: NodeJS.Signals) => early.push(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, keep);
  // Node's own compile cache (Node 22.1+; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a machine that ran dora before
  // skips compiling dist/app.js again.
  if (usableTempDir()) {
    (process.getBuiltinModule('node:module') as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  }
  const app = require('./app.js') as typeof import('./app.js');
  // runProcess installs its own handlers before it first waits: only then are these let go.
  void app.runProcess(argv, early);
  for (const signal of signals) process.off(signal, keep);
}

/**
 * The cache lives in the temp folder: only an absolute, writable folder will do. A relative TMPDIR would put it in the
 * working directory, and Node 24 spins without end on a TMPDIR it cannot create (under /proc, say).
 */
function usableTempDir(): boolean {
  const dir = process.getBuiltinModule('node:os').tmpdir();
  const fs = process.getBuiltinModule('node:fs');
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return process.getBuiltinModule('node:path').isAbsolute(dir) && fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
