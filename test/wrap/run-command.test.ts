// runCommand against real child processes: small sh one-liners and test/fixtures/wrap/trap.mjs. Tests that need
// real stdio or real signals to the wrapping process go through test/fixtures/wrap/harness.ts, bundled once here.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemNowNs } from '../../src/time.js';
import { type RunDeps, runCommand } from '../../src/wrap/run-command.js';

const TRAP = fileURLToPath(new URL('../fixtures/wrap/trap.mjs', import.meta.url));
const HARNESS_SRC = fileURLToPath(new URL('../fixtures/wrap/harness.ts', import.meta.url));
const posix = process.platform !== 'win32';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dora-wrap-'));
}

/** Signals reach the runner only through this: `send` plays the app forwarding what dora received. */
function fakeSignals() {
  let listener: ((signal: NodeJS.Signals) => void) | undefined;
  let unsubscribed = 0;
  return {
    subscribe: ((l) => {
      listener = l;
      return () => {
        listener = undefined;
        unsubscribed += 1;
      };
    }) satisfies RunDeps['subscribeSignals'],
    send(signal: NodeJS.Signals) {
      listener?.(signal);
    },
    get subscribed() {
      return listener !== undefined;
    },
    get unsubscribed() {
      return unsubscribed;
    },
  };
}

function deps(overrides: Partial<RunDeps> = {}): RunDeps {
  return {
    nowNs: systemNowNs,
    subscribeSignals: () => () => {},
    env: process.env,
    cwd: process.cwd(),
    ...overrides,
  };
}

/** Waits until `file` has at least `lines` lines (a child is ready, or got a signal); the test timeout bounds it. */
async function waitFor(file: string, lines = 0): Promise<void> {
  while (!existsSync(file) || readFileSync(file, 'utf8').split('\n').length - 1 < lines) await sleep(10);
}

describe.skipIf(!posix)('runCommand', () => {
  it('reports exit 0 and exit 3 as the command gave them', async () => {
    const ok = await runCommand(['sh', '-c', 'exit 0'], deps());
    expect(ok).toMatchObject({ kind: 'exited', code: 0, forwarded: [] });
    const failed = await runCommand(['sh', '-c', 'exit 3'], deps());
    expect(failed).toMatchObject({ kind: 'exited', code: 3 });
  });

  it('times the command: the measured span covers a 300 ms sleep', async () => {
    const outcome = await runCommand(['sh', '-c', 'sleep 0.3'], deps());
    if (outcome.kind !== 'exited') throw new Error(`unexpected ${outcome.kind}`);
    expect(outcome.finishedAt - outcome.startedAt).toBeGreaterThanOrEqual(300_000_000n);
  });

  it('reads the clock just before spawning and again when the command exits', async () => {
    let reads = 0;
    const readsAtSpawn: number[] = [];
    const outcome = await runCommand(['sh', '-c', 'exit 0'], {
      ...deps(),
      nowNs: () => BigInt(++reads) * 1_000n,
      spawn: ((...args: Parameters<typeof spawn>) => {
        readsAtSpawn.push(reads);
        return spawn(...args);
      }) as typeof spawn,
    });
    expect(readsAtSpawn).toEqual([1]);
    expect(outcome).toEqual({ kind: 'exited', code: 0, startedAt: 1_000n, finishedAt: 2_000n, forwarded: [] });
  });

  it('runs argv exactly, without a shell, in the given cwd and environment', async () => {
    const dir = tempDir();
    const out = join(dir, 'seen.json');
    const script =
      'require("fs").writeFileSync(process.argv[1], JSON.stringify({argv: process.argv.slice(2), cwd: process.cwd(), ' +
      'env: process.env.DORA_WRAP_TEST, hasHome: "HOME" in process.env}))';
    const tricky = ['two words', '$HOME', '*', '"quoted"', "it's", '; exit 9', ''];
    const outcome = await runCommand([process.execPath, '-e', script, out, ...tricky], {
      ...deps(),
      cwd: dir,
      env: { DORA_WRAP_TEST: 'passed through', HOME: undefined, PATH: process.env.PATH },
    });
    expect(outcome).toMatchObject({ kind: 'exited', code: 0 });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      argv: tricky,
      cwd: dir,
      env: 'passed through',
      hasHome: false,
    });
  });

  it('reports a command that killed itself with a signal as 128+N', async () => {
    const term = await runCommand(['sh', '-c', 'kill -TERM $$'], deps());
    expect(term).toMatchObject({ kind: 'signalled', signal: 'SIGTERM', exitCode: 143, forwarded: [] });
    const kill = await runCommand(['sh', '-c', 'kill -KILL $$'], deps());
    expect(kill).toMatchObject({ kind: 'signalled', signal: 'SIGKILL', exitCode: 137 });
  });

  it('forwards SIGTERM to the command and reports how the command ended', async () => {
    const dir = tempDir();
    const signals = fakeSignals();
    const running = runCommand(
      [process.execPath, TRAP, dir, '7', '1', '0'],
      deps({ subscribeSignals: signals.subscribe }),
    );
    await waitFor(join(dir, 'ready'));
    signals.send('SIGTERM');
    const outcome = await running;
    expect(readFileSync(join(dir, 'received'), 'utf8')).toBe('SIGTERM\n');
    expect(outcome).toMatchObject({ kind: 'exited', code: 7, forwarded: ['SIGTERM'] });
    expect(signals.unsubscribed).toBe(1);
  });

  it('forwards a second SIGINT too', async () => {
    const dir = tempDir();
    const signals = fakeSignals();
    const running = runCommand(
      [process.execPath, TRAP, dir, '9', '2', '0'],
      deps({ subscribeSignals: signals.subscribe }),
    );
    await waitFor(join(dir, 'ready'));
    signals.send('SIGINT');
    // Two pending SIGINTs merge into one, so the second is sent only once the first has arrived.
    await waitFor(join(dir, 'received'), 1);
    signals.send('SIGINT');
    const outcome = await running;
    expect(readFileSync(join(dir, 'received'), 'utf8')).toBe('SIGINT\nSIGINT\n');
    expect(outcome).toMatchObject({ kind: 'exited', code: 9, forwarded: ['SIGINT', 'SIGINT'] });
  });

  it('forwards SIGHUP, and a forwarded signal the command does not trap ends it as 128+N', async () => {
    const signals = fakeSignals();
    const running = runCommand(['sleep', '30'], deps({ subscribeSignals: signals.subscribe }));
    signals.send('SIGHUP');
    expect(await running).toMatchObject({ kind: 'signalled', signal: 'SIGHUP', exitCode: 129, forwarded: ['SIGHUP'] });
  });

  it('waits for a command that keeps running after SIGTERM, and reports that it was interrupted', async () => {
    const dir = tempDir();
    const signals = fakeSignals();
    const running = runCommand(
      [process.execPath, TRAP, dir, '0', '1', '300'],
      deps({ subscribeSignals: signals.subscribe }),
    );
    await waitFor(join(dir, 'ready'));
    signals.send('SIGTERM');
    const outcome = await running;
    // Settled only after the command's own delayed exit, not when the signal was sent.
    expect(existsSync(join(dir, 'after'))).toBe(true);
    expect(outcome).toMatchObject({ kind: 'exited', code: 0, forwarded: ['SIGTERM'] });
  });

  it('stops listening when the command ends: a late signal reaches nothing', async () => {
    const signals = fakeSignals();
    await runCommand(['sh', '-c', 'exit 0'], deps({ subscribeSignals: signals.subscribe }));
    expect(signals.subscribed).toBe(false);
    expect(signals.unsubscribed).toBe(1);
  });

  it('reports a command that does not exist as 127, without subscribing to signals', async () => {
    const signals = fakeSignals();
    const outcome = await runCommand(
      ['dora-wrap-no-such-command', '--flag'],
      deps({ subscribeSignals: signals.subscribe }),
    );
    expect(outcome).toEqual({
      kind: 'not-started',
      exitCode: 127,
      reason: 'command not found: dora-wrap-no-such-command',
    });
    expect(signals.subscribed).toBe(false);
    const missingPath = await runCommand(['./no-such-deploy.sh'], deps({ cwd: tempDir() }));
    expect(missingPath).toEqual({
      kind: 'not-started',
      exitCode: 127,
      reason: 'command not found: ./no-such-deploy.sh',
    });
  });

  it('reports a non-executable file and a directory as 126', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'deploy.sh'), 'echo never\n');
    chmodSync(join(dir, 'deploy.sh'), 0o644);
    mkdirSync(join(dir, 'deploy.d'));
    expect(await runCommand(['./deploy.sh'], deps({ cwd: dir }))).toEqual({
      kind: 'not-started',
      exitCode: 126,
      reason: './deploy.sh: permission denied (is it executable?)',
    });
    expect(await runCommand(['./deploy.d'], deps({ cwd: dir }))).toEqual({
      kind: 'not-started',
      exitCode: 126,
      reason: './deploy.d: is a directory',
    });
  });

  it('names the missing #! interpreter instead of calling the script not found', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'deploy.sh'), '#!/nonexistent/dora-sh\necho never\n');
    chmodSync(join(dir, 'deploy.sh'), 0o755);
    expect(await runCommand(['./deploy.sh'], deps({ cwd: dir }))).toEqual({
      kind: 'not-started',
      exitCode: 127,
      reason: './deploy.sh: the interpreter on its #! line was not found',
    });
  });

  it('names a missing working directory instead of the command', async () => {
    const cwd = join(tempDir(), 'gone');
    expect(await runCommand(['true'], deps({ cwd }))).toEqual({
      kind: 'not-started',
      exitCode: 126,
      reason: `working directory not found: ${cwd}`,
    });
  });

  it('turns a start failure spawn throws synchronously into an outcome, not a rejection', async () => {
    const outcome = await runCommand(['sh', '-c', 'exit 0', 'nul\u0000byte'], deps());
    expect(outcome).toMatchObject({ kind: 'not-started', exitCode: 126 });
  });

  it('rejects an empty argv: the CLI must refuse that as usage before anything runs', async () => {
    await expect(runCommand([], deps())).rejects.toThrow(TypeError);
  });
});

/** Whether a process still runs (a zombie waiting for its reaper counts as gone). */
function running(pid: number): boolean {
  if (!(pid > 1)) throw new Error(`not a pid: ${pid}`);
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(pid, 0) has the last word
  }
}

/** Waits until none of `pids` runs; the test timeout bounds it. */
async function allGone(pids: number[]): Promise<void> {
  while (pids.some(running)) await sleep(20);
}

/** The pids a command wrote to `file`, once each line is complete; a test never signals anything but these. */
function pidsIn(file: string): number[] {
  const pids = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  if (!pids.every((pid) => Number.isInteger(pid) && pid > 1)) throw new Error(`no pid in ${file}`);
  return pids;
}

describe.skipIf(!posix)("runCommand and the command's process group", () => {
  // A deploy as the GitHub Action and GitLab component run it: `sh -c` with a background job, waited for.
  const tree = (dir: string, job = 'sleep 30') => [
    'sh',
    '-c',
    `${job} & echo $! > ${join(dir, 'job')}; echo $$ > ${join(dir, 'shell')}; wait`,
  ];

  it.each(['SIGTERM', 'SIGHUP', 'SIGINT'] as const)(
    'forwards %s to the whole tree, and nothing of it is left once the outcome is in',
    async (signal) => {
      const dir = tempDir();
      const signals = fakeSignals();
      const outcome = runCommand(tree(dir), deps({ subscribeSignals: signals.subscribe }));
      await waitFor(join(dir, 'shell'), 1);
      const pids = [...pidsIn(join(dir, 'job')), ...pidsIn(join(dir, 'shell'))];
      signals.send(signal);
      expect(await outcome).toMatchObject({ kind: 'signalled', signal, forwarded: [signal] });
      // Background jobs of `sh -c` ignore SIGINT: those went with the SIGTERM that follows an interruption.
      expect(pids.filter(running)).toEqual([]);
    },
  );

  it('ends a job that ignores SIGTERM too with SIGKILL after the grace, before settling', async () => {
    const dir = tempDir();
    const signals = fakeSignals();
    const stubborn = `sh -c 'trap "" TERM INT HUP; echo $$ > ${join(dir, 'stubborn')}; exec sleep 30'`;
    const outcome = runCommand(tree(dir, stubborn), deps({ subscribeSignals: signals.subscribe }));
    await waitFor(join(dir, 'stubborn'), 1);
    await waitFor(join(dir, 'shell'), 1);
    const pid = pidsIn(join(dir, 'stubborn'))[0] as number;
    signals.send('SIGTERM');
    await outcome;
    // SIGKILL was sent before the outcome settled; the kernel finishes it a moment later.
    await allGone([pid]);
  });

  it('leaves alone what a command that exited by itself started in the background, as a shell would', async () => {
    const dir = tempDir();
    const outcome = await runCommand(['sh', '-c', `sleep 30 & echo $! > ${join(dir, 'job')}; exit 0`], deps());
    expect(outcome).toMatchObject({ kind: 'exited', code: 0, forwarded: [] });
    const [pid] = pidsIn(join(dir, 'job'));
    try {
      expect(running(pid as number)).toBe(true);
    } finally {
      process.kill(pid as number, 'SIGKILL');
    }
  });

  it('records a command that trapped the forwarded SIGTERM and exited 0 as exited 0', async () => {
    const dir = tempDir();
    const signals = fakeSignals();
    const running = runCommand(
      [process.execPath, TRAP, dir, '0', '1', '0'],
      deps({ subscribeSignals: signals.subscribe }),
    );
    await waitFor(join(dir, 'ready'));
    signals.send('SIGTERM');
    expect(await running).toMatchObject({ kind: 'exited', code: 0, forwarded: ['SIGTERM'] });
  });
});

describe.skipIf(!posix)('runCommand inside a wrapping process', () => {
  let harness: string;
  beforeAll(async () => {
    harness = join(tempDir(), 'harness.mjs');
    await build({
      entryPoints: [HARNESS_SRC],
      outfile: harness,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
  });

  interface HarnessRun {
    code: number | null;
    stdout: Buffer;
    stderr: Buffer;
    outcome: Record<string, unknown>;
  }

  function runHarness(
    argv: string[],
    options: {
      stdin?: Buffer;
      stdio?: ['pipe', number | 'pipe', number | 'pipe'];
      onSpawn?: (child: ChildProcess) => void;
    } = {},
  ): Promise<HarnessRun> {
    const outcomeFile = join(tempDir(), 'outcome.json');
    const child = spawn(process.execPath, [harness, outcomeFile, ...argv], {
      stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin!.end(options.stdin ?? Buffer.alloc(0));
    options.onSpawn?.(child);
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        resolve({
          code,
          stdout: Buffer.concat(stdout),
          stderr: Buffer.concat(stderr),
          outcome: JSON.parse(readFileSync(outcomeFile, 'utf8')) as Record<string, unknown>,
        });
      });
    });
  }

  it("passes the command's stdout and stderr through byte for byte, and exits with its code", async () => {
    // UTF-8, a byte that is no UTF-8, a CR, and a last line without a newline.
    const script = [
      String.raw`printf 'out 1\n'`,
      String.raw`printf 'err 1\n' >&2`,
      String.raw`printf 'caf\303\251 \377\r\n'`,
      `printf 'err 2, no newline' >&2`,
      'exit 4',
    ].join('; ');
    const run = await runHarness(['sh', '-c', script]);
    expect(run.stdout).toEqual(Buffer.from('out 1\ncaf\u00c3\u00a9 \u00ff\r\n', 'latin1'));
    expect(run.stderr.toString()).toBe('err 1\nerr 2, no newline');
    expect(run.code).toBe(4);
    expect(run.outcome).toMatchObject({ kind: 'exited', code: 4 });
  });

  it('keeps stdout and stderr interleaved in the order the command wrote them', async () => {
    const file = join(tempDir(), 'both.txt');
    const fd = openSync(file, 'w');
    try {
      const lines = Array.from(
        { length: 50 },
        (_, i) => `printf 'line ${i} ${i % 2 ? 'err' : 'out'}\n'${i % 2 ? ' >&2' : ''}`,
      );
      const run = await runHarness(['sh', '-c', lines.join('; ')], { stdio: ['pipe', fd, fd] });
      expect(run.code).toBe(0);
    } finally {
      closeSync(fd);
    }
    const expected = Array.from({ length: 50 }, (_, i) => `line ${i} ${i % 2 ? 'err' : 'out'}\n`).join('');
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('gives the command stdin, to its end', async () => {
    const input = Buffer.concat([
      Buffer.from('first line\nsecond line\n'),
      Buffer.from([0, 255, 10]),
      Buffer.from('last, no newline'),
    ]);
    const empty = await runHarness(['sh', '-c', 'cat; echo "[eof]"']);
    expect(empty.stdout.toString()).toBe('[eof]\n');
    const echoed = await runHarness(['sh', '-c', 'cat; echo "[eof]"'], { stdin: input });
    expect(echoed.stdout).toEqual(Buffer.concat([input, Buffer.from('[eof]\n')]));
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`forwards a real ${signal} sent to the wrapping process's pid alone, as a CI runner does`, async () => {
      const dir = tempDir();
      const run = await runHarness([process.execPath, TRAP, dir, '5', '1', '0'], {
        onSpawn: (child) => {
          void waitFor(join(dir, 'ready')).then(() => child.kill(signal));
        },
      });
      expect(readFileSync(join(dir, 'received'), 'utf8')).toBe(`${signal}\n`);
      expect(run.outcome).toMatchObject({ kind: 'exited', code: 5, forwarded: [signal] });
      expect(run.code).toBe(5);
    });
  }

  it('exits 128+N when a forwarded signal ends the command', async () => {
    let sent = false;
    const dir = tempDir();
    // The very process that gets the signal writes the marker (a shell writing it before `exec` left a window in
    // which SIGTERM reached the shell instead), and it does not trap SIGTERM.
    const script = `require('fs').writeFileSync(${JSON.stringify(join(dir, 'ready'))}, ''); setInterval(() => {}, 1000);`;
    const run = await runHarness([process.execPath, '-e', script], {
      onSpawn: (child) => {
        void waitFor(join(dir, 'ready')).then(() => {
          sent = child.kill('SIGTERM');
        });
      },
    });
    expect(sent).toBe(true);
    expect(run.outcome).toMatchObject({ kind: 'signalled', signal: 'SIGTERM', exitCode: 143, forwarded: ['SIGTERM'] });
    expect(run.code).toBe(143);
  });

  it('ends the whole tree when the wrapping process is killed outright (SIGKILL), through its watchdog', async () => {
    const dir = tempDir();
    const script = `sleep 30 & echo $! > ${join(dir, 'job')}; echo $$ > ${join(dir, 'shell')}; wait`;
    const child = spawn(process.execPath, [harness, join(dir, 'outcome.json'), 'sh', '-c', script], {
      stdio: 'ignore',
    });
    await waitFor(join(dir, 'shell'), 1);
    const pids = [...pidsIn(join(dir, 'job')), ...pidsIn(join(dir, 'shell'))];
    child.kill('SIGKILL');
    await allGone(pids);
    expect(pids.filter(running)).toEqual([]);
  });

  // At a terminal, in a pty made by util-linux `script`: the command is in a session of its own, so job control
  // cannot stop it for reading or writing the terminal (with tostop set), and Ctrl-C reaches its whole tree.
  const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

  function atTerminal(shellCommand: string, input: (write: (text: string) => void, dir: string) => Promise<void>) {
    const dir = tempDir();
    const line = `stty tostop; exec ${process.execPath} ${harness} ${join(dir, 'outcome.json')} sh -c '${shellCommand.replaceAll('DIR', dir)}'`;
    const child = spawn('script', ['-qec', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void input((text) => child.stdin.write(text), dir);
    return new Promise<{ code: number | null; output: string; dir: string; outcome: Record<string, unknown> }>(
      (resolve) => {
        child.on('close', (code) => {
          const outcome = JSON.parse(readFileSync(join(dir, 'outcome.json'), 'utf8')) as Record<string, unknown>;
          resolve({ code, output, dir, outcome });
        });
      },
    );
  }

  it.skipIf(!hasScript)('lets a command at a terminal read and write it without being stopped', async () => {
    const run = await atTerminal('echo $$ > DIR/ready; read answer; echo "got:$answer"; exit 4', async (write, dir) => {
      await waitFor(join(dir, 'ready'));
      write('yes\n');
    });
    expect(run.output).toContain('got:yes');
    expect(run.outcome).toMatchObject({ kind: 'exited', code: 4 });
    expect(run.code).toBe(4);
  });

  it.skipIf(!hasScript)("passes a terminal's Ctrl-C to the whole tree, background jobs included", async () => {
    const run = await atTerminal('sleep 30 & echo $! > DIR/job; echo $$ > DIR/ready; wait', async (write, dir) => {
      await waitFor(join(dir, 'ready'));
      write('\u0003');
    });
    expect(run.outcome).toMatchObject({ forwarded: ['SIGINT'] });
    expect(pidsIn(join(run.dir, 'job')).filter(running)).toEqual([]);
  });
});
