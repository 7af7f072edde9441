/**
 * The entry of the standalone binary (scripts/build-binary.mjs builds it, with Node inside, into one file): the same
 * CLI as the npm package's dist/main.js. `--version` is answered before the rest of the bundle is evaluated: the
 * dynamic import below is esbuild's lazy wrapper around src/app.ts and everything it imports, not a real import().
 *
 * Inside the binary, process.argv is [binary, binary, ...arguments] (Node repeats the executable where a script
 * path would be), so the arguments start at 2 as they do under `node dist/main.js`.
 */
import { fdStream } from './boot/fd-stream.js';
import { CLI_VERSION } from './version.js';

const argv = process.argv.slice(2);

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  try {
    fdStream(1, () => process.stdout).write(`${CLI_VERSION}\n`);
  } catch {
    process.exitCode = 1; // stdout is full or broken: no place left to say more
  }
} else {
  void import('./app.js').then((app) => app.runProcess(argv));
}
