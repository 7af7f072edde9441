/**
 * runAction with the CLI replaced by a script of what it prints and when: both streams passed on chunk by chunk as they
 * arrive, the result read from stdout however it was split, and the outputs, annotations and summary it gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActionIo, type CliExit, runAction } from '../../src/action/run.js';
import type { EventsResult, FailureResult } from '../../src/result.js';
import { parseOutputFile } from './ci-files.js';

const KEY = 'run-test-api-key-0123456789';
const ID = 'dep-0001-abcdefghijkl';

interface Seen {
  stdout: string;
  stderr: string;
}

/** What the CLI does: prints through `on`, may look at what the action has written so far, and exits. */
type Cli = (on: { stdout(chunk: string): void; stderr(chunk: string): void }, seen: Seen) => Promise<CliExit> | CliExit;

const exits = (code: number): CliExit => ({ code, signal: null });
const line = (result: EventsResult | FailureResult) => `${JSON.stringify(result)}\n`;

const RECORDED: EventsResult = {
  ok: true,
  exit_code: 0,
  recorded: true,
  kind: 'deployment',
  id: ID,
  status: 202,
  attempts: 1,
  service: 'checkout',
  env: 'prod',
  started_at: '1795687200123456789',
  finished_at: '1795687260987654321',
};

async function act(inputs: Record<string, string>, cli: Cli, env: Record<string, string> = {}) {
  const files: Record<string, string> = { '/output': '', '/summary': '' };
  const seen: Seen = { stdout: '', stderr: '' };
  let call: { argv: string[]; env: Record<string, string> } | undefined;
  const io: ActionIo = {
    env: { GITHUB_OUTPUT: '/output', GITHUB_STEP_SUMMARY: '/summary', ...env, ...inputs },
    stdout: (text) => {
      seen.stdout += text;
    },
    stderr: (text) => {
      seen.stderr += text;
    },
    appendFile: (path, text) => {
      files[path] = (files[path] ?? '') + text;
    },
    random: () => 'rnd',
    runCli: async (argv, childEnv, on) => {
      call = { argv, env: childEnv };
      return cli(on, seen);
    },
  };
  const code = await runAction(io);
  const annotations = seen.stdout.split('\n').filter((text) => /^::(error|warning)::/.test(text));
  return {
    code,
    ...seen,
    annotations,
    outputs: parseOutputFile(files['/output'] ?? ''),
    summary: files['/summary'] ?? '',
    call,
  };
}

describe('runAction: the streams', () => {
  it("passes each chunk of the CLI's stderr on as it arrives, unchanged, before the CLI has ended", async () => {
    const shownWhilePrinting: string[] = [];
    const run = await act({ INPUT_SERVICE: 'checkout', INPUT_COMMAND: './deploy.sh' }, (on, seen) => {
      // A rollout that says it is waiting and goes quiet: no line end yet.
      on.stderr('waiting…');
      shownWhilePrinting.push(seen.stderr);
      on.stderr(' \u001b[32mready\u001b[0m\r\n50% done\r');
      shownWhilePrinting.push(seen.stderr);
      on.stdout(line(RECORDED));
      return exits(0);
    });
    expect(shownWhilePrinting).toEqual(['waiting…', 'waiting… \u001b[32mready\u001b[0m\r\n50% done\r']);
    expect(run.stderr).toBe('waiting… \u001b[32mready\u001b[0m\r\n50% done\r');
    expect(run.code).toBe(0);
  });

  it('passes stdout on as it arrives too, and reads the result from it however its chunks split the line', async () => {
    const text = line({ ...RECORDED, warnings: ['No git repository URL found.'] });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 8 }), async (cuts) => {
        const bounds = [0, ...[...cuts].sort((a, b) => a - b), text.length];
        const chunks = bounds.slice(1).map((end, index) => text.slice(bounds[index], end));
        const shown: string[] = [];
        const run = await act({ INPUT_SERVICE: 'checkout' }, (on, seen) => {
          for (const chunk of chunks) {
            on.stdout(chunk);
            shown.push(seen.stdout);
          }
          return exits(0);
        });
        // Each chunk was shown before the next one came.
        expect(shown.at(-1)).toBe(text);
        expect(shown.every((so, index) => so === chunks.slice(0, index + 1).join(''))).toBe(true);
        expect(run.outputs).toEqual({
          id: ID,
          ids: ID,
          status: '202',
          recorded: 'true',
          remediated: '',
          'exit-code': '0',
        });
        expect(run.annotations).toEqual(['::warning::No git repository URL found.']);
      }),
      { numRuns: 60 },
    );
  });

  it('starts its own workflow commands on a line of their own, after a stdout that ended mid-line', async () => {
    const failed: EventsResult = {
      ...RECORDED,
      ok: false,
      recorded: false,
      exit_code: 5,
      error: 'Event not delivered.',
    };
    const run = await act({ INPUT_SERVICE: 'checkout' }, (on) => {
      on.stdout(JSON.stringify(failed)); // no line end
      return exits(5);
    });
    expect(run.stdout.endsWith(`${JSON.stringify(failed)}\n::error::Event not delivered.\n`)).toBe(true);
    expect(run.outputs.recorded).toBe('false');
  });

  it('masks the keys in both streams, wherever the chunks split them, and holds back nothing else', async () => {
    const other = 'app-key-fedcba9876543210';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constant(KEY), fc.constant(other), fc.constant('\n')), {
          maxLength: 10,
        }),
        fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }),
        async (parts, cuts) => {
          const text = parts.join('');
          const bounds = [0, ...cuts.filter((cut) => cut < text.length).sort((a, b) => a - b), text.length];
          const chunks = bounds.slice(1).map((end, index) => text.slice(bounds[index], end));
          const run = await act({ INPUT_SERVICE: 's', INPUT_API_KEY: KEY, INPUT_APP_KEY: other }, (on) => {
            for (const chunk of chunks) on.stderr(chunk);
            on.stdout(line(RECORDED));
            return exits(0);
          });
          expect(run.stderr).toBe(text.split(KEY).join('***').split(other).join('***'));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('shows whatever ends in a line break at once, even when a key begins with what follows', async () => {
    const run = await act({ INPUT_SERVICE: 's', INPUT_API_KEY: KEY }, (on, seen) => {
      on.stderr('step 1\nrun');
      // "run" could be the start of the key: it waits for the next chunk, the line before it does not.
      expect(seen.stderr).toBe('step 1\n');
      on.stderr('ning\n');
      expect(seen.stderr).toBe('step 1\nrunning\n');
      on.stdout(line(RECORDED));
      return exits(0);
    });
    expect(run.code).toBe(0);
  });
});

describe('runAction: what the result says', () => {
  it('a recorded deployment whose rollback mark failed: recorded=true, remediated=false, exit 4, said once', async () => {
    const error =
      'No such deployment: none of checkout to prod with version 1.4.1 finished before 2026-11-26T13:31:20Z (when this one started).';
    const result: EventsResult = {
      ...RECORDED,
      ok: false,
      exit_code: 4,
      error,
      remediated: null,
      remediation_error: error,
    };
    const run = await act({ INPUT_SERVICE: 'checkout', INPUT_ENV: 'prod', INPUT_ROLLBACK_OF: '1.4.1' }, (on) => {
      on.stderr(`error: ${error}\n  Mark it later: dora deployment update …\n`);
      on.stdout(line(result));
      return exits(4);
    });
    expect(run.code).toBe(4);
    expect(run.outputs).toEqual({
      id: ID,
      ids: ID,
      status: '202',
      recorded: 'true',
      remediated: 'false',
      'exit-code': '4',
    });
    expect(run.annotations).toEqual([`::error::${error}`]);
    expect(run.summary).toContain(
      '### ❌ DORA deployment recorded; the failed deployment was not marked (exit code 4)',
    );
    expect(run.summary.match(/^> .*No such deployment/gm)).toHaveLength(1);
  });

  it('remediated is true when every failed deployment was marked, and empty when no mark was asked', async () => {
    const mark = {
      id: 'old-0001-abcdefghijkl',
      service: 'checkout',
      version: '1.4.1',
      type: 'rollback' as const,
      status: 202,
    };
    const marked = await act({ INPUT_SERVICE: 'checkout', INPUT_ROLLBACK_OF: '1.4.1' }, (on) => {
      on.stdout(line({ ...RECORDED, remediated: mark }));
      return exits(0);
    });
    expect(marked.outputs.remediated).toBe('true');
    expect(marked.summary).toContain(
      'Marked deployment `old-0001-abcdefghijkl` (checkout 1.4.1) as a change failure, remediated by this rollback.',
    );
    const several = await act({ INPUT_SERVICE: 'api\nworker', INPUT_ROLLFORWARD_OF: '2.0.0' }, (on) => {
      on.stdout(line({ ok: false, exit_code: 4, recorded: true, kind: 'deployment', remediations: [mark, null] }));
      return exits(4);
    });
    expect(several.outputs.remediated).toBe('false');
    const notRecorded = await act({ INPUT_SERVICE: 'checkout', INPUT_ROLLBACK_OF: '1.4.1' }, (on) => {
      on.stdout(line({ ...RECORDED, ok: false, recorded: false, exit_code: 5, error: 'Event not delivered.' }));
      return exits(5);
    });
    expect(notRecorded.outputs).toMatchObject({ recorded: 'false', remediated: 'false' });
    const none = await act({ INPUT_SERVICE: 'checkout' }, (on) => {
      on.stdout(line(RECORDED));
      return exits(0);
    });
    expect(none.outputs.remediated).toBe('');
  });

  it('several services: ids and statuses one per line, each failed event said with its reason', async () => {
    const run = await act({ INPUT_SERVICE: 'api\nworker' }, (on) => {
      on.stdout(
        line({
          ok: false,
          exit_code: 3,
          recorded: false,
          kind: 'deployment',
          error: '1 of 2 events not recorded: deployment of worker (id w-0001-abcdefghijkl).',
          events: [
            { ok: true, kind: 'deployment', id: 'a-0001-abcdefghijkl', status: 202, service: 'api', started_at: '1' },
            {
              ok: false,
              kind: 'deployment',
              id: 'w-0001-abcdefghijkl',
              status: 403,
              exit_code: 3,
              error: 'Datadog refused the API key (HTTP 403). Check that DD_API_KEY (or DATADOG_API_KEY) is valid.',
              service: 'worker',
              started_at: '1',
              resend: 'dora deployment --service worker --id w-0001-abcdefghijkl --started-at 1 --finished-at 1',
            },
          ],
        }),
      );
      return exits(3);
    });
    expect(run.call?.argv).toEqual(['deployment', '--service', 'api', '--service', 'worker', '--json']);
    expect(run.outputs).toEqual({
      id: '',
      ids: 'a-0001-abcdefghijkl\nw-0001-abcdefghijkl',
      status: '202\n403',
      recorded: 'false',
      remediated: '',
      'exit-code': '3',
    });
    expect(run.annotations).toEqual([
      '::error::1 of 2 events not recorded: deployment of worker (id w-0001-abcdefghijkl).',
      '::error::worker (id w-0001-abcdefghijkl): Datadog refused the API key (HTTP 403). Check that DD_API_KEY (or DATADOG_API_KEY) is valid.',
    ]);
    expect(run.summary).toContain('### ❌ DORA deployments partly recorded (exit code 3)');
    expect(run.summary).toContain('| ✅ | api |');
    expect(run.summary).toContain('| ❌ | worker |');
    expect(run.summary).toContain(
      'Send it again with:\n\n```sh\ndora deployment --service worker --id w-0001-abcdefghijkl --started-at 1 --finished-at 1\n```\n',
    );
  });

  it('a multi-line error is one annotation holding every line, and every line of the summary quote', async () => {
    const error = '--started-at: "yesterday" is not a time we understand.\nAccepted forms: Unix time, ISO 8601, now.';
    const run = await act({ INPUT_SERVICE: 'checkout', INPUT_STARTED_AT: 'yesterday' }, (on) => {
      on.stdout(line({ ok: false, exit_code: 2, error }));
      return exits(2);
    });
    expect(run.annotations).toEqual([
      '::error::--started-at: "yesterday" is not a time we understand.%0AAccepted forms: Unix time, ISO 8601, now.',
    ]);
    expect(run.summary).toContain(
      '> --started-at: "yesterday" is not a time we understand.\n> Accepted forms: Unix time, ISO 8601, now.\n',
    );
    expect(run.outputs).toMatchObject({ id: '', recorded: 'false', 'exit-code': '2' });
  });

  it('names the key input the workflow set, not the variable the CLI read it from; others stay as they are', async () => {
    const error =
      'Datadog refused the keys (HTTP 403). Updating DORA events needs an API key (DD_API_KEY) and an application ' +
      'key (DD_APP_KEY or DATADOG_APP_KEY) with the dora_metrics_write permission.';
    const cli: Cli = (on) => {
      on.stdout(line({ ok: false, exit_code: 3, error, warnings: ['Set DD_API_KEY (or DATADOG_API_KEY) for real.'] }));
      return exits(3);
    };
    const byInput = await act({ INPUT_SERVICE: 's', INPUT_API_KEY: KEY }, cli);
    expect(byInput.annotations).toEqual([
      '::error::Datadog refused the keys (HTTP 403). Updating DORA events needs an API key (the api-key input) and an ' +
        'application key (DD_APP_KEY or DATADOG_APP_KEY) with the dora_metrics_write permission.',
      '::warning::Set the api-key input for real.',
    ]);
    expect(byInput.summary).toContain('needs an API key (the api-key input) and');
    const both = await act({ INPUT_SERVICE: 's', INPUT_API_KEY: KEY, INPUT_APP_KEY: 'app-key-0123456789abcdef' }, cli);
    expect(both.annotations[0]).toContain('(the api-key input) and an application key (the app-key input) with');
    const fromEnv = await act({ INPUT_SERVICE: 's' }, cli, { DD_API_KEY: KEY });
    expect(fromEnv.annotations[0]).toBe(`::error::${error}`);
  });

  it('says the failure once, when the event and the result both carry it', async () => {
    const error = 'Datadog rejected the event (HTTP 400: service is invalid).';
    const run = await act({ INPUT_SERVICE: 'checkout' }, (on) => {
      on.stdout(line({ ...RECORDED, ok: false, recorded: false, exit_code: 4, error, warnings: [error] }));
      return exits(4);
    });
    expect(run.annotations).toEqual([`::error::${error}`]);
    expect(run.summary.match(/rejected the event/g)).toHaveLength(1);
  });

  it('under soft-fail (exit 0, ok false), the failure is a warning, said once', async () => {
    const error = 'Event not delivered: connection refused.';
    const run = await act({ INPUT_SERVICE: 'checkout' }, (on) => {
      on.stdout(
        line({
          ...RECORDED,
          ok: false,
          recorded: false,
          exit_code: 5,
          error,
          warnings: [error, '--soft-fail: exiting 0 although not everything was recorded.'],
        }),
      );
      return exits(0);
    });
    expect(run.code).toBe(0);
    expect(run.annotations).toEqual([
      `::warning::${error}`,
      '::warning::--soft-fail: exiting 0 although not everything was recorded.',
    ]);
    // The step passes (exit 0), and the output keeps what happened: the failure's code.
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '5' });
  });

  it('a dry run: the id comes from the one result object', async () => {
    const run = await act({ INPUT_SERVICE: 'checkout', INPUT_DRY_RUN: 'true' }, (on) => {
      on.stdout(
        line({
          ...RECORDED,
          recorded: false,
          status: undefined,
          dry_run: true,
          requests: [{ method: 'POST', url: 'https://api.datadoghq.com/api/v2/dora/deployment', body: {} }],
        }),
      );
      return exits(0);
    });
    expect(run.outputs).toMatchObject({ id: ID, ids: ID, recorded: 'false', status: '' });
    expect(run.annotations).toEqual([]);
    expect(run.summary).toContain('### DORA deployment: dry run, nothing sent');
  });
});

describe('runAction: no result', () => {
  it('a CLI that printed nothing: its exit code, and an error that says so', async () => {
    const run = await act({ INPUT_SERVICE: 's' }, () => exits(5));
    expect(run.code).toBe(5);
    expect(run.annotations).toEqual(['::error::dora printed no result; it exited with code 5.']);
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '5', id: '' });
    expect(run.summary).toContain('### ❌ DORA deployment not recorded (exit code 5)');
  });

  it('refuses the older shapes: a bare body, times as bare integers, a result glued to other output', async () => {
    for (const printed of [
      '{"data":{"attributes":{"service":"s","started_at":1795687200000000000}}}\n',
      '{"ok":true,"exit_code":0,"recorded":true,"kind":"deployment","id":"x","started_at":1795687200000000000}\n',
      `{"status":"deployed"}${line(RECORDED)}`,
    ]) {
      const run = await act({ INPUT_SERVICE: 's' }, (on) => {
        on.stdout(printed);
        return exits(0);
      });
      expect(run.outputs.recorded, printed).toBe('false');
      expect(run.annotations[0], printed).toMatch(
        /^::warning::dora printed (a result the action cannot read|something other than its one result line)/,
      );
    }
  });

  it('killed by a signal: exits 128+N and says so', async () => {
    const run = await act({ INPUT_SERVICE: 's', INPUT_COMMAND: 'sleep 100' }, () => ({ code: null, signal: 9 }));
    expect(run.code).toBe(137);
    expect(run.annotations).toEqual(['::error::dora printed no result; it was ended by signal 9.']);
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '137' });
  });

  it('a CLI that cannot be started: exit 1 and an annotation', async () => {
    const run = await act({ INPUT_SERVICE: 's' }, () => {
      throw new Error('spawn node ENOENT');
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('::error::The dora CLI could not be started: spawn node ENOENT\n');
    expect(run.outputs.recorded).toBe('false');
  });

  it('inputs that do not fit: exit 2, the CLI never runs', async () => {
    const run = await act({ INPUT_KIND: 'release', INPUT_API_KEY: KEY }, () => {
      throw new Error('must not run');
    });
    expect(run.code).toBe(2);
    expect(run.call).toBeUndefined();
    expect(run.annotations).toEqual(['::error::kind: "release" must be one of deployment, incident, metrics.']);
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '2', id: '' });
  });
});

describe('runAction: the keys', () => {
  it('masks before anything, hands the keys over in env only, and keeps the inputs from the CLI', async () => {
    const run = await act(
      { INPUT_SERVICE: 's', INPUT_API_KEY: KEY, INPUT_ENV: 'prod' },
      (on) => {
        on.stderr(`leaked ${KEY}\n`);
        on.stdout(line(RECORDED));
        return exits(0);
      },
      { DATADOG_API_KEY: 'other', INPUT_UNRELATED: 'x', KEEP: 'me' },
    );
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${KEY}`);
    expect(run.stdout.split('\n').slice(1).join('\n')).not.toContain(KEY);
    expect(run.stderr).toBe('leaked ***\n');
    expect(run.call?.argv.join(' ')).not.toContain(KEY);
    expect(run.call?.env.DD_API_KEY).toBe(KEY);
    expect(run.call?.env.DATADOG_API_KEY).toBeUndefined();
    expect(run.call?.env.KEEP).toBe('me');
    expect(Object.keys(run.call?.env ?? {}).filter((name) => name.startsWith('INPUT_'))).toEqual([]);
  });

  it('writes no file when the runner gives none', async () => {
    const files: string[] = [];
    await runAction({
      env: { INPUT_SERVICE: 's' },
      stdout: () => undefined,
      stderr: () => undefined,
      appendFile: (path) => files.push(path),
      random: () => 'r',
      runCli: async () => exits(0),
    });
    expect(files).toEqual([]);
  });
});

describe('runAction: kind metrics, when it fails', () => {
  it('an input refused under kind: metrics is reported as metrics not computed, not as a deployment', async () => {
    const run = await act({ INPUT_KIND: 'metrics', INPUT_COMMAND: './deploy.sh' }, () => {
      throw new Error('the CLI must not run');
    });
    expect(run.code).toBe(2);
    expect(run.summary).toMatch(/DORA metrics not computed/);
    expect(run.summary).not.toMatch(/DORA deployment/);
    expect(run.summary).toContain('command applies to kind: deployment only');
    expect(run.outputs).toMatchObject({ 'exit-code': '2', metrics: '' });
    expect(run.annotations).toHaveLength(1);
  });

  it("keeps an API's words in the summary inert: no link, image or HTML from an error", async () => {
    const run = await act({ INPUT_KIND: 'metrics' }, (on) => {
      on.stdout(
        `${JSON.stringify({ ok: false, exit_code: 4, error: 'HTTP 400: ![x](https://evil.example/p.png) [click](https://evil.example) <b>bold</b>' })}\n`,
      );
      return { code: 4, signal: null };
    });
    expect(run.summary).toContain('DORA metrics not computed');
    expect(run.summary).not.toMatch(/!\[x\]\(|\[click\]\(|<b>/);
  });
});
