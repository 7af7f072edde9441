/**
 * At a terminal: a spinner (ora) and colours (chalk), both loaded lazily from dist/vendor/. Run under `script`, which
 * gives the CLI a real pseudo-terminal. This path once crashed in the bundle ("ora is not a function") and once let
 * retry warnings be overdrawn by the spinner; neither showed with pipes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { doraCommand, pathWithoutNode, TEST_BINARY } from '../helpers/run-dora.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

/** Runs dora on a pseudo-terminal (100 columns unless told); returns everything the terminal received and the exit code. */
function atTerminal(
  args: string[],
  env: Record<string, string>,
  size = { cols: 100, rows: 20 },
): Promise<{ code: number | null; screen: string }> {
  const quoted = [...doraCommand(), ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', `stty cols ${size.cols} rows ${size.rows}; ${quoted}`, '/dev/null'], {
    cwd: makePlainDir(),
    env: {
      PATH: TEST_BINARY ? pathWithoutNode(process.env.PATH ?? '/usr/bin:/bin') : (process.env.PATH ?? '/usr/bin:/bin'),
      HOME: process.env.HOME ?? '/tmp',
      TERM: 'xterm-256color',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, screen });
    });
  });
}

describe.skipIf(!hasScript)('dora at a terminal', () => {
  it('shows a coloured confirmation after the spinner', async () => {
    intake = await startIntake();
    const run = await atTerminal(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git'], {
      DD_API_KEY: 'terminal-test-key-0123456789',
      DORA_API_URL: intake.url,
    });
    expect(run.screen).not.toMatch(/unexpected problem/);
    expect(run.code).toBe(0);
    expect(run.screen).toContain('\u001b[32m✔\u001b[39m Recorded deployment of api');
    expect(intake.requests).toHaveLength(1);
  });

  it('finishes on a terminal that reports no width (docker run -t without a terminal), without a spinner', async () => {
    intake = await startIntake((_, index) => (index === 0 ? { status: 503 } : { status: 202 }));
    const run = await atTerminal(
      ['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--deadline', '5'],
      { DD_API_KEY: 'terminal-test-key-0123456789', DORA_API_URL: intake.url },
      { cols: 0, rows: 0 },
    );
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(2);
    expect(run.screen).toContain('Recorded deployment of api');
    expect(run.screen.length).toBeLessThan(5_000);
  });

  it('keeps retry warnings readable under the spinner, and NO_COLOR turns colour off', async () => {
    intake = await startIntake((_, index) =>
      index === 0 ? { status: 503, body: '{"errors":["busy"]}' } : { status: 202 },
    );
    const run = await atTerminal(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git'], {
      DD_API_KEY: 'terminal-test-key-0123456789',
      DORA_API_URL: intake.url,
      NO_COLOR: '1',
    });
    expect(run.code).toBe(0);
    // The spinner's line is cleared (CSI 1G, CSI 0K) before the warning, which then stands whole on its own line.
    expect(run.screen).toMatch(/\u001b\[0Kwarning: Attempt 1 failed \(HTTP 503: busy\); retrying in [\d.]+s…\r?\n/);
    expect(run.screen).not.toMatch(/\u001b\[3\dm/); // no colour codes at all
  });
});
