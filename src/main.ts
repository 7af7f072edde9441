/**
 * The bin entry: answers `--version` at once, else loads the rest of the CLI (dist/app.js, built from src/app.ts)
 * through the start-up tricks in src/boot/ and runs it.
 *
 * This file only ever runs as the built CommonJS dist/main.js, next to dist/app.js.
 */
import { requireWithCodeCache } from './boot/code-cache.js';
import { fdStream } from './boot/fd-stream.js';
import { CLI_VERSION } from './version.js';

declare const __dirname: string;
// A hash of the built dist/app.js, set by the build: it keys the code cache.
declare const __DORA_APP_BUILD_ID__: string;

const argv = process.argv.slice(2);

// `dora --version` is asked by scripts on every run; answer it without loading the rest of the CLI, and without
// building process.stdout (a synchronous write to the descriptor is all it takes).
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  try {
    fdStream(1, () => process.stdout).write(`${CLI_VERSION}\n`);
  } catch {
    process.exitCode = 1; // stdout is full or broken: no place left to say more
  }
} else {
  const { tmpdir, userInfo } = process.getBuiltinModule('node:os');
  const cacheDir = `${tmpdir()}/dora-cli-${CLI_VERSION}-${safeUser(userInfo)}`;
  const app = requireWithCodeCache(
    `${__dirname}/app.js`,
    cacheDir,
    require,
    __DORA_APP_BUILD_ID__,
  ) as typeof import('./app.js');
  void app.runProcess(argv);
}

function safeUser(userInfo: () => { uid: number; username: string }): string {
  try {
    return String(userInfo().uid);
  } catch {
    return 'user';
  }
}
