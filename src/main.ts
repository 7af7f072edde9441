/**
 * The process entry: the only module that touches `process` and the only one that exits. Everything it learns
 * from the process (environment, clock, streams, signals) is passed down as a Context.
 */
import { CLI_VERSION } from './version.js';

const argv = process.argv.slice(2);

// `dora --version` is asked by scripts on every run; answer it without loading the rest of the CLI.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  const { runProcess } = await import('./process.js');
  await runProcess(argv);
}
