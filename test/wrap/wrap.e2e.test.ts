/**
 * `dora deployment … -- <command>` through the built binary: dora runs the deploy itself, times it, records it only
 * when it succeeds, passes its output and stdin through, forwards signals and exits as the command did.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { runDora } from '../helpers/run-dora.js';

const KEY = 'wrap-e2e-key-0123456789abcdef';
const NODE = process.execPath;
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

async function wrap(command: string[], extra: string[] = [], options: Parameters<typeof runDora>[1] = {}) {
  intake ??= await startIntake();
  return runDora(['deployment', '--service', 'api', '--env', 'prod', '--skip-git', ...extra, '--', ...command], {
    cwd: makePlainDir(),
    ...options,
    env: { DD_API_KEY: KEY, DORA_API_URL: intake.url, ...options.env },
  });
}

/** Whether `pid` still runs; a zombie (ended, not yet reaped) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

const attributes = (body: string | undefined) =>
  JSON.parse(body ?? '{}').data.attributes as Record<string, number | string>;

describe('wrapping the deploy command', () => {
  it("records a deployment whose window is the command's, to the millisecond", async () => {
    const run = await wrap(['sh', '-c', 'sleep 1'], ['--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(intake?.requests).toHaveLength(1);
    const sent = intake?.requests[0]?.body ?? '';
    const started = BigInt(/"started_at":(\d+)/.exec(sent)?.[1] ?? '0');
    const finished = BigInt(/"finished_at":(\d+)/.exec(sent)?.[1] ?? '0');
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      ok: true,
      command_exit_code: 0,
      started_at: String(started),
      finished_at: String(finished),
    });
    expect(Number((finished - started) / 1_000_000n)).toBe(result.duration_ms);
    expect(result.duration_ms).toBeGreaterThanOrEqual(1000);
  });

  it('records nothing when the command fails, and exits with its code', async () => {
    const run = await wrap(['sh', '-c', 'echo half-deployed; exit 3'], ['--json']);
    expect(run.code).toBe(3);
    expect(intake?.requests).toHaveLength(0);
    expect(run.stderr).toContain('The deploy command exited 3: nothing was recorded.');
    // With --json, stdout holds the result alone: the command's output went to stderr.
    expect(run.stderr).toContain('half-deployed');
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      recorded: false,
      command_exit_code: 3,
    });
  });

  it('with --json, stdout is one result line even after a command whose output has no trailing newline', async () => {
    const run = await wrap(['sh', '-c', 'printf deployed'], ['--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.endsWith('}\n')).toBe(true);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, recorded: true });
    expect(run.stderr).toContain('deployed');
    // Without --json the command keeps dora's stdout, as if run on its own.
    const plain = await wrap(['sh', '-c', 'printf deployed']);
    expect(plain.stdout).toBe('deployed');
  });

  it('exits 128+N for a command killed by signal N, 127 for one not found, 126 for one not executable', async () => {
    const killed = await wrap(['sh', '-c', 'kill -TERM $$']);
    expect(killed.code).toBe(143);
    expect(killed.stderr).toContain('was killed by SIGTERM');
    expect((await wrap(['dora-no-such-command-anywhere'])).code).toBe(127);
    const dir = makePlainDir();
    writeFileSync(join(dir, 'deploy.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const notExecutable = await wrap([join(dir, 'deploy.sh')]);
    expect(notExecutable.code).toBe(126);
    expect(intake?.requests).toHaveLength(0);
  });

  it("passes the command's output through unchanged and in order, and its stdin", async () => {
    const script = "process.stdout.write('one\\n');process.stderr.write('two\\n');process.stdout.write('three\\n');";
    const run = await wrap([NODE, '-e', script]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('one\nthree\n');
    expect(run.stderr.startsWith('two\n')).toBe(true);
    const dir = makePlainDir();
    const input = join(dir, 'input.txt');
    writeFileSync(input, 'from stdin\n');
    const marker = join(dir, 'seen.txt');
    // runDora ignores stdin, so the command reads a file given as stdin by sh: what matters is that fd 0 is the command's.
    const reads = await wrap(['sh', '-c', `cat < ${input} > ${marker}`]);
    expect(reads.code).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('from stdin\n');
  });

  it('forwards SIGTERM to the command, waits for it, and records a deploy that still finished with exit 0', async () => {
    const dir = makePlainDir();
    const marker = join(dir, 'got-term');
    const ready = join(dir, 'ready');
    const script = `process.on('SIGTERM',()=>{require('fs').writeFileSync(${JSON.stringify(marker)},'x');setTimeout(()=>process.exit(0),300)});require('fs').writeFileSync(${JSON.stringify(ready)},'');setInterval(()=>{},1000)`;
    const run = await wrap([NODE, '-e', script], ['--json'], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (existsSync(ready)) {
            clearInterval(poll);
            child.kill('SIGTERM');
          }
        }, 20);
      },
    });
    expect(existsSync(marker)).toBe(true);
    // The command trapped the signal, finished its deploy and exited 0: it has deployed, so it is recorded.
    expect(run.code, run.stderr).toBe(0);
    expect(intake?.requests).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, command_exit_code: 0 });
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'leaves no process of the wrapped tree behind after %s, background jobs of `sh -c` included',
    async (signal) => {
      const dir = makePlainDir();
      const script = `sleep 30 & echo $! > ${join(dir, 'job')}; echo $$ > ${join(dir, 'shell')}; wait`;
      const run = await wrap(['sh', '-c', script], [], {
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (existsSync(join(dir, 'shell')) && readFileSync(join(dir, 'shell'), 'utf8').endsWith('\n')) {
              clearInterval(poll);
              child.kill(signal);
            }
          }, 20);
        },
      });
      expect(run.code).toBe(signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? 130 : 129);
      expect(intake?.requests).toHaveLength(0);
      const pids = [join(dir, 'job'), join(dir, 'shell')].map((file) => Number(readFileSync(file, 'utf8').trim()));
      expect(pids.every((pid) => pid > 1)).toBe(true);
      // Gone by the time dora exited (a zombie waiting for a reaper that never comes counts as gone).
      expect(pids.filter(alive)).toEqual([]);
    },
  );

  it('checks everything before running the command: a missing key exits 2 and runs nothing', async () => {
    const marker = join(makePlainDir(), 'ran');
    const run = await wrap(['sh', '-c', `touch ${marker}`], [], { env: { DD_API_KEY: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No API key');
    expect(existsSync(marker)).toBe(false);
  });

  it("when the deploy succeeds but recording fails, exits with dora's code and says the deploy succeeded", async () => {
    intake = await startIntake(() => ({ status: 403, body: '{"errors":["Forbidden"]}' }));
    const run = await wrap(['sh', '-c', 'exit 0']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('The deploy command itself succeeded (exit 0); only recording it failed.');
    const soft = await wrap(['sh', '-c', 'exit 0'], ['--soft-fail']);
    expect(soft.code).toBe(0);
  });

  it("records each service of a multi-service deploy once, with the command's times", async () => {
    const run = await wrap(['sh', '-c', 'exit 0'], ['--service', 'worker', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const sent = (intake?.requests ?? []).map((request) => attributes(request.body));
    expect(sent.map((event) => event.service)).toEqual(['api', 'worker']);
    expect(new Set(sent.map((event) => event.id)).size).toBe(2);
    expect(JSON.parse(run.stdout).events).toHaveLength(2);
  });

  it('a dry run runs nothing and shows the command and the payload', async () => {
    const marker = join(makePlainDir(), 'ran');
    const run = await wrap(['sh', '-c', `touch ${marker}`], ['--dry-run']);
    expect(run.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(run.stderr).toContain(`would run sh -c 'touch ${marker}'`);
    expect(JSON.parse(run.stdout).data.attributes.service).toBe('api');
  });
});
