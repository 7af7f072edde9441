/**
 * The GitHub Action's entry, built to dist/github-action.js and run by action.yml from the installed dora-cli
 * package. The only module of the action that touches `process`: it runs the CLI beside it (bin/dora.js of the same
 * package) as a child, forwards SIGINT and SIGTERM to it (the runner's cancel), and exits with its code.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { type CliExit, runAction } from './run.js';
import { annotation } from './workflow.js';

declare const __dirname: string;

const BIN = join(__dirname, '..', 'bin', 'dora.js');

/** How long stderr may stay open once the CLI has exited (a background process of the deploy command may hold it). */
const STDERR_GRACE_MS = 500;
/** How long stdout may stay open once the CLI has exited. */
const RESULT_GRACE_MS = 2000;

function runCli(
  argv: string[],
  env: Record<string, string>,
  on: { stdout(chunk: string): void; stderr(chunk: string): void },
): Promise<CliExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env, stdio: ['inherit', 'pipe', 'pipe'] });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.stdout.setEncoding('utf8').on('data', on.stdout);
    child.stderr.setEncoding('utf8').on('data', on.stderr);
    child.on('error', reject);
    // The step ends when the CLI has exited and its result (stdout) is read. Not when every pipe closes: a process the
    // deploy command leaves running (a port-forward, a tunnel) holds the stderr pipe, and would hold the step with it.
    let exit: CliExit | undefined;
    let resultRead = false;
    let done = false;
    const finish = () => {
      if (done || exit === undefined || !resultRead) return;
      done = true;
      const settled = exit;
      const end = () => {
        clearTimeout(grace);
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        child.stderr.destroy();
        resolve(settled);
      };
      // What the CLI itself wrote to stderr last is still on its way: a moment for it, then the pipe is let go.
      const grace = setTimeout(end, STDERR_GRACE_MS);
      if (child.stderr.readableEnded) end();
      else child.stderr.once('end', end);
    };
    child.stdout.once('end', () => {
      resultRead = true;
      finish();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal: signal === null ? null : (constants.signals[signal] ?? 1) };
      finish();
      // Were stdout held too (a command that inherits it), what the CLI wrote is in the pipe by now: read on, briefly.
      setTimeout(() => {
        if (resultRead) return;
        resultRead = true;
        child.stdout.destroy();
        finish();
      }, RESULT_GRACE_MS).unref();
    });
  });
}

runAction({
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  appendFile: (path, text) => appendFileSync(path, text),
  random: () => randomBytes(9).toString('hex'),
  runCli,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stdout.write(
      `${annotation('error', `dora action failed (a bug): ${error instanceof Error ? error.message : String(error)}`)}\n`,
    );
    process.exitCode = 1;
  },
);
