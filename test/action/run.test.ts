/**
 * runAction with the CLI replaced by a script of what it prints: the shapes of the --json contract the lead is
 * finishing (failure objects, several events), a wrapped command's output, continuation lines, signals.
 */
import { describe, expect, it } from 'vitest';
import { type CliExit, runAction } from '../../src/action/run.js';
import { parseOutputFile } from './ci-files.js';

const KEY = 'run-test-api-key-0123456789';

interface Fake {
  stdout?: string[];
  stderr?: string[];
  exit?: CliExit;
  fail?: Error;
}

async function act(inputs: Record<string, string>, fake: Fake, env: Record<string, string> = {}) {
  const files: Record<string, string> = { '/output': '', '/summary': '' };
  let stdout = '';
  let stderr = '';
  let call: { argv: string[]; env: Record<string, string> } | undefined;
  const code = await runAction({
    env: { GITHUB_OUTPUT: '/output', GITHUB_STEP_SUMMARY: '/summary', ...env, ...inputs },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    appendFile: (path, text) => (files[path] = (files[path] ?? '') + text),
    random: () => 'rnd',
    runCli: async (argv, childEnv, on) => {
      call = { argv, env: childEnv };
      if (fake.fail) throw fake.fail;
      // Chunks split mid-line, as pipes deliver them.
      for (const chunk of fake.stdout ?? []) on.stdout(chunk);
      for (const chunk of fake.stderr ?? []) on.stderr(chunk);
      return fake.exit ?? { code: 0, signal: null };
    },
  });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(files['/output'] ?? ''),
    summary: files['/summary'] ?? '',
    call,
  };
}

describe('runAction', () => {
  it("passes a wrapped command's output on, in order, and takes only the last line as the result", async () => {
    const run = await act(
      { INPUT_SERVICE: 'checkout', INPUT_COMMAND: './deploy.sh' },
      {
        stdout: [
          'deploying…\n{"not":"the result"}\nst',
          'ill deploying\n{"ok":true,"kind":"deployment","id":"dep-1","status":202,',
          '"service":"checkout","command_exit_code":0}\n',
        ],
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('deploying…\n{"not":"the result"}\nstill deploying\n');
    expect(run.outputs).toMatchObject({ id: 'dep-1', recorded: 'true', status: '202' });
  });

  it("a failure object from the contract: its id, the CLI's exit code, the error in the summary", async () => {
    const run = await act(
      { INPUT_SERVICE: 'checkout', INPUT_ROLLBACK_OF: '1.4.1', INPUT_ENV: 'prod' },
      {
        stdout: [
          '{"ok":false,"exit_code":4,"error":"no such deployment: checkout prod 1.4.1","kind":"deployment","id":"dep-2"}\n',
        ],
        stderr: ['error: no such deployment: checkout prod 1.4.1\n  Mark it later: dora deployment update …\n'],
        exit: { code: 4, signal: null },
      },
    );
    expect(run.code).toBe(4);
    expect(run.stdout).toBe(
      '::error::no such deployment: checkout prod 1.4.1%0AMark it later: dora deployment update …\n',
    );
    expect(run.outputs).toMatchObject({ id: 'dep-2', ids: 'dep-2', recorded: 'false', 'exit-code': '4' });
    expect(run.summary).toContain('### ❌ DORA deployment not recorded (exit code 4)');
    expect(run.summary).toContain('> no such deployment: checkout prod 1.4.1');
  });

  it('several services: ids and statuses one per line, recorded only when all were', async () => {
    const run = await act(
      { INPUT_SERVICE: 'api\nworker' },
      {
        stdout: [
          `${JSON.stringify({
            ok: false,
            events: [
              { ok: true, kind: 'deployment', id: 'a1', status: 202, service: 'api' },
              { ok: false, exit_code: 5, error: 'not delivered', kind: 'deployment', id: 'w1', service: 'worker' },
            ],
          })}\n`,
        ],
        exit: { code: 5, signal: null },
      },
    );
    expect(run.call?.argv).toEqual(['deployment', '--service', 'api', '--service', 'worker', '--json']);
    expect(run.outputs).toEqual({ id: '', ids: 'a1\nw1', status: '202\n', recorded: 'false', 'exit-code': '5' });
  });

  it('masks before anything, hands the key over in env only, and scrubs it from whatever the command printed', async () => {
    const run = await act(
      { INPUT_SERVICE: 's', INPUT_API_KEY: KEY, INPUT_ENV: 'prod' },
      {
        stdout: [`leaked ${KEY}\n`, '{"ok":true,"kind":"deployment","id":"d","status":202}\n'],
        stderr: [`warning: something about ${KEY}\n`, `plain ${KEY}\n`],
      },
      { DATADOG_API_KEY: 'other', INPUT_UNRELATED: 'x', KEEP: 'me' },
    );
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${KEY}`);
    expect(run.stdout.split('\n').slice(1).join('\n')).not.toContain(KEY);
    expect(run.stderr).not.toContain(KEY);
    expect(run.call?.argv.join(' ')).not.toContain(KEY);
    expect(run.call?.env.DD_API_KEY).toBe(KEY);
    expect(run.call?.env.DATADOG_API_KEY).toBeUndefined();
    expect(run.call?.env.KEEP).toBe('me');
    expect(Object.keys(run.call?.env ?? {}).filter((name) => name.startsWith('INPUT_'))).toEqual([]);
  });

  it('killed by a signal: exits 128+N and reports no result', async () => {
    const run = await act({ INPUT_SERVICE: 's', INPUT_COMMAND: 'sleep 100' }, { exit: { code: null, signal: 15 } });
    expect(run.code).toBe(143);
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '143' });
  });

  it('a CLI that cannot be started: exit 1 and an annotation', async () => {
    const run = await act({ INPUT_SERVICE: 's' }, { fail: new Error('spawn node ENOENT') });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('::error::The dora CLI could not be started: spawn node ENOENT\n');
    expect(run.outputs.recorded).toBe('false');
  });

  it('writes no file when the runner gives none', async () => {
    const files: string[] = [];
    await runAction({
      env: { INPUT_SERVICE: 's' },
      stdout: () => undefined,
      stderr: () => undefined,
      appendFile: (path) => files.push(path),
      random: () => 'r',
      runCli: async () => ({ code: 0, signal: null }),
    });
    expect(files).toEqual([]);
  });
});
