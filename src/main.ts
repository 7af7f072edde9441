/**
 * The process entry: the only module that touches `process` and the only one that exits. Everything it learns
 * from the process (environment, clock, streams, signals) is passed down as a Context.
 */
import { writeSync } from 'node:fs';
import { CLI_VERSION } from './version.js';

const argv = process.argv.slice(2);

// `dora --version` is asked by scripts on every run; answer it without loading the rest of the CLI, and without
// building process.stdout (a synchronous write to the descriptor is all it takes).
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  try {
    writeSync(1, `${CLI_VERSION}\n`);
  } catch {
    process.stdout.write(`${CLI_VERSION}\n`);
  }
} else {
  // The built entry is CommonJS (it starts faster than an ES module), so no top-level await here.
  void import('./process.js').then(({ runProcess }) => runProcess(argv));
}
