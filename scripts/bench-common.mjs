// What the bench scripts share: timing a whole command as a user's shell would, checking it did its job, and the
// statistics and table the reports print.
import { spawn } from 'node:child_process';

/**
 * Spawns one command in `cwd` and measures spawn → exit, stdout and stderr piped and drained (as a CI runner reads
 * them). A run that takes over 30 s is killed: a bench that hangs measures nothing.
 */
export function timeCommand(file, argv, env, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms });
    });
  });
}

/**
 * Runs a command once and throws unless it exited 0 and its `check(run, before)` says it did its job: a fast
 * failure must never pass for a fast run. `before` is what `command.before()` returned just before the run.
 */
export async function runChecked(command, env, cwd) {
  const before = command.before?.();
  const run = await timeCommand(command.file, command.args, env, cwd);
  if (run.code !== 0) {
    throw new Error(`${command.label} exited ${run.code ?? run.signal}: ${run.stderr.trim().slice(0, 500)}`);
  }
  const verdict = command.check?.(run, before) ?? true;
  if (verdict !== true) throw new Error(`${command.label} did not do its job: ${verdict}`);
  return run;
}

export function median(values) {
  return quantile(values, 0.5);
}

/** The q-quantile, interpolated between the two nearest samples. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Decimal megabytes, as npm prints sizes. */
export function formatMB(bytes, digits = 2) {
  return `${(bytes / 1_000_000).toFixed(digits)} MB`;
}

/** A plain-text table: a header, a rule, the rows; `rightAligned[i]` for numeric columns. */
export function table(header, rows, rightAligned) {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
