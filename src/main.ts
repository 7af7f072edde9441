/**
 * The process entry: the only module that touches `process` and the only one that exits. Everything it learns
 * from the process (environment, clock, streams, signals) is passed down as a Context.
 *
 * This file only ever runs as the built CommonJS dist/main.js, next to dist/cli.js (the rest of the CLI).
 */
import { writeSync } from 'node:fs';
import { requireWithCodeCache } from './code-cache.js';
import { CLI_VERSION } from './version.js';

declare const __dirname: string;
// A hash of the built dist/cli.js, set by the build: it keys the code cache.
declare const __DORA_CLI_BUILD_ID__: string;

const argv = process.argv.slice(2);

// `dora --version` is asked by scripts on every run; answer it without loading the rest of the CLI, and without
// building process.stdout (a synchronous write to the descriptor is all it takes).
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  try {
    writeSync(1, `${CLI_VERSION}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') process.stdout.write(`${CLI_VERSION}\n`); // a full non-blocking pipe: let the stream wait
    else if (code !== 'EPIPE') process.exitCode = 1; // stdout is full or broken: no place left to say more
  }
} else {
  const { tmpdir, userInfo } = process.getBuiltinModule('node:os');
  const cacheDir = `${tmpdir()}/dora-cli-${CLI_VERSION}-${safeUser(userInfo)}`;
  const cli = requireWithCodeCache(`${__dirname}/cli.js`, cacheDir, require, __DORA_CLI_BUILD_ID__) as typeof import('./process.js');
  void cli.runProcess(argv);
}

function safeUser(userInfo: () => { uid: number; username: string }): string {
  try {
    return String(userInfo().uid);
  } catch {
    return 'user';
  }
}
