/**
 * action.yml's step run as the runner runs it (bash, INPUT_* from `with:`, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
 * files, a GitHub Actions environment), with the built CLI against a stand-in API on 127.0.0.1: what reached the
 * server, what the log showed and when, what each file says, and that no key shows anywhere but in the add-mask
 * commands that hide it.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventsResult } from '../../src/result.js';
import { doraApi, type StoredEvent, serve } from '../helpers/dora-api.js';
import { ACCEPTED, type Intake, startIntake } from '../helpers/intake.js';
import { type ActionRun, runActionStep, whenSeen } from './ci-files.js';

const API_KEY = 'gha-api-key-0123456789abcdef';
const APP_KEY = 'gha-app-key-fedcba9876543210';
const SHA = '2b66fd261ee5c6cfc8de7fa466bab600bcfe4f69';

const GITHUB = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_SHA: SHA,
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_RUN_ID: '9183746512',
};

const FORBIDDEN = () => ({ status: 403, body: JSON.stringify({ errors: ['Forbidden'] }) });

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

function expectNoKey(run: ActionRun, ...keys: string[]): void {
  const stdoutWithoutMasks = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  for (const key of keys) {
    for (const [where, text] of Object.entries({
      stdout: stdoutWithoutMasks,
      stderr: run.stderr,
      output: run.outputFile,
      summary: run.summary,
    })) {
      expect(text.includes(key), `${where} shows a key`).toBe(false);
    }
  }
}

function annotations(run: ActionRun, level: 'error' | 'warning'): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith(`::${level}::`));
}

/** The CLI's one result line, as the log shows it. */
function resultLine(run: ActionRun): EventsResult {
  const lines = run.stdout.split('\n').filter((line) => line.startsWith('{'));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as EventsResult;
}

function sentAttributes(index = 0): Record<string, unknown> {
  return (JSON.parse(intake?.requests[index]?.body ?? '{}') as { data: { attributes: Record<string, unknown> } }).data
    .attributes;
}

/** A deployment of checkout to prod recorded `agoS` seconds ago, for a rollback to find. */
function deployed(id: string, version: string, agoS: number): StoredEvent {
  const finishedS = BigInt(Math.floor(Date.now() / 1000) - agoS);
  return {
    kind: 'deployment',
    id,
    attributes: {
      id,
      service: 'checkout',
      env: 'prod',
      version,
      started_at: String((finishedS - 60n) * 1_000_000_000n),
      finished_at: String(finishedS * 1_000_000_000n),
    },
  };
}

describe('the GitHub Action, run as the runner runs it', () => {
  it('records a deployment: the request, the outputs, the summary, and masks before anything else', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      {
        'api-key': API_KEY,
        service: 'checkout',
        env: 'prod',
        version: '1.4.2',
        'custom-tags': 'region:eu-west-1\ntier:1\n',
        'started-at': '2026-11-26T10:00:00.123456789Z',
        'finished-at': '2026-11-26T10:01:00.987654321Z',
      },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(annotations(run, 'error')).toEqual([]);
    expect(run.code).toBe(0);
    // The bash line masks first; the action masks again before it prints anything else.
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`::add-mask::${API_KEY}`);
    expect(lines[1]).toBe(`::add-mask::${API_KEY}`);

    expect(intake.requests).toHaveLength(1);
    const [request] = intake.requests;
    expect(request?.path).toBe('/api/v2/dora/deployment');
    expect(request?.headers['dd-api-key']).toBe(API_KEY);
    expect(request?.body).toContain('"started_at":1795687200123456789');
    expect(request?.body).toContain('"finished_at":1795687260987654321');
    const sent = sentAttributes();
    expect(sent).toMatchObject({
      service: 'checkout',
      env: 'prod',
      version: '1.4.2',
      custom_tags: ['region:eu-west-1', 'tier:1'],
      git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: SHA },
    });

    expect(run.outputs).toEqual({
      id: sent.id,
      ids: sent.id,
      status: '202',
      recorded: 'true',
      remediated: '',
      'exit-code': '0',
    });
    expect(resultLine(run)).toMatchObject({ id: sent.id, started_at: '1795687200123456789' });

    expect(run.summary).toContain('### DORA deployment recorded');
    expect(run.summary).toContain(
      `| ✅ | checkout | prod | 1.4.2 | [\`2b66fd2\`](https://github.com/acme/shop/commit/${SHA}) |`,
    );
    expect(run.summary).toContain('2026-11-26T10:00:00.123456789Z → 10:01:00.987654321Z (1 min 1 s)');
    expect(run.summary).toContain(`\`${String(sent.id)}\``);
    expectNoKey(run, API_KEY);
  });

  it("turns the result's warnings into annotations; the CLI's own lines reach the log unchanged", async () => {
    intake = await startIntake();
    // No GITHUB_REPOSITORY / GITHUB_SHA and no checkout: the CLI warns that it sends no git data.
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', 'started-at': 'now' },
      { DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(annotations(run, 'warning')).toEqual([
      expect.stringMatching(/^::warning::No git repository URL or commit SHA found, .*--skip-git silences this\.$/),
    ]);
    expect(run.stderr).toMatch(/^warning: No git repository URL or commit SHA found/m);
    expect(run.stderr).toMatch(/Recorded deployment of checkout/);
    expect(run.outputs.recorded).toBe('true');
    expectNoKey(run, API_KEY);
  });

  it('a rejected key: exit 3, one annotation naming the api-key input, the failure once in the summary', async () => {
    intake = await startIntake(FORBIDDEN);
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', env: 'prod', 'started-at': '1795687200' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(3);
    expect(intake.requests).toHaveLength(1);
    const errors = annotations(run, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/403/);
    expect(errors[0]).toContain('the api-key input');
    expect(errors[0]).not.toMatch(/DD_API_KEY|DATADOG_API_KEY/);
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '3', remediated: '' });
    // The event was built: its id is given, for a retry to reuse.
    expect(run.outputs.id).toBe(sentAttributes().id);
    expect(run.summary).toContain('### ❌ DORA deployment not recorded (exit code 3)');
    expect(run.summary.match(/^> .*403/gm)).toHaveLength(1);
    expect(run.summary).toContain('| ❌ | checkout | prod |');
    expect(run.summary).toMatch(/Send it again with:\n\n```sh\ndora deployment .*--id /);
    expectNoKey(run, API_KEY);
  });

  it('a rejected key: status is the 403 the API answered', async () => {
    intake = await startIntake(FORBIDDEN);
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', env: 'prod', 'started-at': '1795687200' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.outputs).toMatchObject({ status: '403', recorded: 'false', 'exit-code': '3' });
  });

  it('a key given as an input wins over DATADOG_API_KEY in the job, and neither key leaks', async () => {
    intake = await startIntake();
    const other = 'job-level-key-aaaaaaaaaaaaaaaa';
    const run = await runActionStep(
      { 'api-key': API_KEY, 'app-key': APP_KEY, service: 'checkout', 'started-at': 'now', 'skip-git': 'true' },
      { ...GITHUB, DORA_API_URL: intake.url, DATADOG_API_KEY: other },
    );
    expect(run.code).toBe(0);
    expect(intake.requests[0]?.headers['dd-api-key']).toBe(API_KEY);
    expect(sentAttributes().git).toBeUndefined();
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([`::add-mask::${API_KEY}`, `::add-mask::${APP_KEY}`]);
    expectNoKey(run, API_KEY, APP_KEY);
  });

  it('masks every line of a key with a line break before anything else is printed', async () => {
    const run = await runActionStep(
      { 'api-key': 'first-half-of-key-aaaa\nsecond-half-of-key-bbbb', service: 'checkout', 'dry-run': 'true' },
      { ...GITHUB },
    );
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      '::add-mask::first-half-of-key-aaaa',
      '::add-mask::second-half-of-key-bbbb',
    ]);
  });

  it('opens an incident on several services', async () => {
    intake = await startIntake(() => ACCEPTED('dora_failure'));
    const run = await runActionStep(
      {
        kind: 'incident',
        'api-key': API_KEY,
        service: 'checkout\npayments',
        env: 'prod',
        name: 'Checkout 5xx',
        severity: 'SEV-2',
        'started-at': '2026-11-26T10:00:00Z',
      },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(intake.requests[0]?.path).toBe('/api/v2/dora/failure');
    const sent = sentAttributes();
    expect(sent).toMatchObject({
      services: ['checkout', 'payments'],
      env: 'prod',
      name: 'Checkout 5xx',
      severity: 'SEV-2',
    });
    expect(sent.finished_at).toBeUndefined();
    expect(run.outputs).toMatchObject({ id: sent.id, recorded: 'true', status: '202' });
    expect(run.summary).toContain('### DORA incident recorded');
    expect(run.summary).toContain('| ✅ | checkout, payments | prod |');
    expect(run.summary).toContain('2026-11-26T10:00:00Z → (open)');
  });

  it('records a deployment of several services: an id and a status per line, one row each', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'api\nworker', env: 'prod', 'started-at': 'now', 'skip-git': 'true' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(2);
    const ids = [sentAttributes(0).id, sentAttributes(1).id];
    expect(run.outputs).toEqual({
      id: '',
      ids: ids.join('\n'),
      status: '202\n202',
      recorded: 'true',
      remediated: '',
      'exit-code': '0',
    });
    expect(run.summary).toContain('### DORA deployments recorded');
    expect(run.summary).toContain('| ✅ | api | prod |');
    expect(run.summary).toContain('| ✅ | worker | prod |');
  });

  it('a dry run sends nothing, needs no key, and takes its id from the one result object', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      { service: 'checkout', env: 'prod', 'started-at': '1795687200', 'finished-at': '1795687230', 'dry-run': 'true' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(0);
    expect(run.stdout).not.toContain('::add-mask::');
    const result = resultLine(run);
    expect(result.dry_run).toBe(true);
    expect(run.outputs).toMatchObject({ id: result.id, ids: result.id, recorded: 'false', status: '' });
    const body = result.requests?.[0]?.body as { data: { attributes: { id: string } } };
    expect(body.data.attributes.id).toBe(run.outputs.id);
    expect(run.summary).toContain('### DORA deployment: dry run, nothing sent');
    expect(run.summary).toContain('| dry run | checkout | prod |');
    expect(run.summary).toContain('(30 s)');
  });

  it('refuses inputs that do not fit: exit 2, an annotation, nothing sent', async () => {
    intake = await startIntake();
    const bogus = await runActionStep(
      { kind: 'release', 'api-key': API_KEY, service: 'x' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(bogus.code).toBe(2);
    expect(annotations(bogus, 'error')).toEqual([
      '::error::kind: "release" must be one of deployment, incident, metrics.',
    ]);
    expect(bogus.outputs).toMatchObject({ recorded: 'false', 'exit-code': '2', id: '' });
    expect(bogus.summary).toContain('not recorded (exit code 2)');

    const misplaced = await runActionStep(
      { 'api-key': API_KEY, service: 'x', 'started-at': 'now', severity: 'SEV-1' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(misplaced.code).toBe(2);
    expect(annotations(misplaced, 'error')).toEqual([
      '::error::severity applies to kind: incident only, not to kind: deployment.',
    ]);
    expect(intake.requests).toHaveLength(0);
    expectNoKey(bogus, API_KEY);
    expectNoKey(misplaced, API_KEY);
  });

  it('the CLI refusing its input: exit 2, and a multi-line error is one annotation with all its lines', async () => {
    intake = await startIntake();
    const missing = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(missing.code).toBe(2);
    expect(annotations(missing, 'error')).toEqual([expect.stringMatching(/^::error::--started-at is required/)]);
    expect(missing.summary).toMatch(/^> --started-at is required/m);

    const unreadable = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', 'started-at': 'yesterday' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(unreadable.code).toBe(2);
    const errors = annotations(unreadable, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error::--started-at: "yesterday" is not a time we understand\.%0AAccepted forms: /);
    expect(unreadable.summary).toMatch(
      /^> --started-at: "yesterday" is not a time we understand\.\n> Accepted forms: /m,
    );
    expect(intake.requests).toHaveLength(0);
  });

  it('the runner cancelling the step (SIGTERM) reaches the CLI, and the step exits as the CLI did', async () => {
    intake = await startIntake(() => 'stall');
    let sent = false;
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', 'started-at': 'now', 'skip-git': 'true' },
      { DORA_API_URL: intake.url },
      (child) => {
        const poll = setInterval(() => {
          if (intake && intake.requests.length > 0 && !sent) {
            sent = true;
            clearInterval(poll);
            child.kill('SIGTERM'); // bash exec'd the action, so this is the action's process
          }
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    );
    expect(sent).toBe(true);
    expect(run.code).toBe(143);
    expect(annotations(run, 'error')).toEqual([expect.stringMatching(/^::error::.*SIGTERM/)]);
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '143' });
    expect(run.summary).toContain('not recorded (exit code 143)');
  });

  it('wraps a deploy command: its output reaches the log, the deployment is timed by it', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      {
        'api-key': API_KEY,
        service: 'checkout',
        env: 'prod',
        command: 'echo "deploying $DEPLOY_TARGET"; echo done >&2',
      },
      { ...GITHUB, DORA_API_URL: intake.url, DEPLOY_TARGET: 'eu' },
    );
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/^deploying eu$/m);
    expect(run.stderr).toMatch(/^done$/m);
    expect(intake.requests).toHaveLength(1);
    expect(run.outputs).toMatchObject({ id: sentAttributes().id, recorded: 'true' });
  });

  it('ends with the CLI, not with a process the deploy command leaves running (a port-forward holding the log pipe)', async () => {
    intake = await startIntake();
    const started = Date.now();
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', command: 'echo hi; sleep 20 >&2 &', 'skip-git': 'true' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.outputs).toMatchObject({ recorded: 'true', id: sentAttributes().id });
  });

  it("shows the deploy command's output live: a rollout that prints and goes quiet is seen before it ends", async () => {
    intake = await startIntake();
    const go = join(mkdtempSync(join(tmpdir(), 'dora-live-')), 'go');
    // The command prints without a line end and waits (10 s at most) until the test has seen that in the log.
    const command =
      'printf "waiting for the rollout"; i=0; ' +
      'while [ ! -f "$GO_FILE" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; ' +
      'if [ -f "$GO_FILE" ]; then echo " - seen live"; else echo " - not seen while running"; fi';
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', command, 'skip-git': 'true' },
      { ...GITHUB, DORA_API_URL: intake.url, GO_FILE: go },
      whenSeen('waiting for the rollout', () => writeFileSync(go, '')),
    );
    expect(existsSync(go)).toBe(true);
    expect(`${run.stdout}${run.stderr}`).toContain('waiting for the rollout - seen live\n');
    expect(run.outputs.recorded).toBe('true');
  });

  it('a command whose output ends without a line break: the result is still read, the deployment recorded', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', command: `printf '{"status":"deployed"}'`, 'skip-git': 'true' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('{"status":"deployed"}');
    expect(run.outputs).toMatchObject({ id: sentAttributes().id, recorded: 'true', 'exit-code': '0' });
    expect(annotations(run, 'error')).toEqual([]);
  });

  it('a failing deploy command records nothing and its exit code comes back', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', command: 'exit 7' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(7);
    expect(intake.requests).toHaveLength(0);
    expect(run.outputs).toMatchObject({ recorded: 'false', id: '', 'exit-code': '7' });
  });

  it('a rollback whose mark fails: recorded=true, remediated=false, exit 4, the failure said once', async () => {
    const api = doraApi(); // no deployment of 1.4.1 to find
    intake = await startIntake(serve(api));
    const run = await runActionStep(
      {
        'api-key': API_KEY,
        'app-key': APP_KEY,
        service: 'checkout',
        env: 'prod',
        version: '1.4.0',
        'started-at': '-2m',
        'skip-git': 'true',
        'rollback-of': '1.4.1',
      },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(4);
    expect(api.events.map((event) => event.id)).toEqual([run.outputs.id]);
    expect(run.outputs).toMatchObject({ recorded: 'true', remediated: 'false', 'exit-code': '4', status: '202' });
    expect(annotations(run, 'error')).toEqual([expect.stringMatching(/^::error::No such deployment: /)]);
    expect(run.summary).toContain(
      '### ❌ DORA deployment recorded; the failed deployment was not marked (exit code 4)',
    );
    expect(run.summary).toContain('| ✅ | checkout | prod | 1.4.0 |');
    expectNoKey(run, API_KEY, APP_KEY);
  });

  it('a rollback whose mark is made: remediated=true, and the summary names the marked deployment', async () => {
    const api = doraApi([deployed('bad-141-aaaaaaaaaaaaa', '1.4.1', 600)]);
    intake = await startIntake(serve(api));
    const run = await runActionStep(
      {
        'api-key': API_KEY,
        'app-key': APP_KEY,
        service: 'checkout',
        env: 'prod',
        version: '1.4.0',
        'started-at': '-2m',
        'skip-git': 'true',
        'rollback-of': '1.4.1',
      },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ recorded: 'true', remediated: 'true', 'exit-code': '0' });
    expect(api.events.find((event) => event.id === 'bad-141-aaaaaaaaaaaaa')?.changeFailure).toBe(true);
    expect(run.summary).toContain(
      'Marked deployment `bad-141-aaaaaaaaaaaaa` (checkout 1.4.1) as a change failure, remediated by this rollback.',
    );
  });

  it('rollback-of in a dry run: the id is the deployment the one result object names', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      {
        'api-key': API_KEY,
        'app-key': APP_KEY,
        service: 'checkout',
        env: 'prod',
        'started-at': 'now',
        'rollback-of': '1.4.1',
        'dry-run': 'true',
      },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    // Not empty, as when the CLI printed the lookup and PATCH bodies as lines of their own and the action read the
    // last one.
    expect(run.outputs.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.outputs.id).toBe(resultLine(run).id);
    expect(run.outputs).toMatchObject({ recorded: 'false', remediated: 'false' });
    expect(intake.requests).toHaveLength(0);
    expectNoKey(run, API_KEY, APP_KEY);
  });
});

describe('kind: metrics, run as the runner runs it', () => {
  it('writes the report as Markdown to the job summary and as JSON to the metrics output', async () => {
    intake = await startIntake(
      serve(
        doraApi([
          deployed('metrics-dep-000000001', '1.4.1', 3 * 86_400),
          deployed('metrics-dep-000000002', '1.4.2', 86_400),
        ]),
      ),
    );
    const run = await runActionStep(
      { kind: 'metrics', 'api-key': API_KEY, 'app-key': APP_KEY, service: 'checkout', env: 'prod', since: '-7d' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(annotations(run, 'error')).toEqual([]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.outputs.metrics ?? '{}');
    expect(report).toMatchObject({ ok: true, deployments: 2, filters: { service: ['checkout'], env: 'prod' } });
    expect(report.metrics.deployment_frequency.count).toBe(2);
    expect(run.summary).toMatch(/^### DORA metrics/);
    expect(run.summary).toContain('| deployment frequency |');
    expect(run.outputs['exit-code']).toBe('0');
    expectNoKey(run, API_KEY, APP_KEY);
  });

  it('inputs of recording kinds are refused for metrics, and a missing application key is the CLI refusing', async () => {
    const refused = await runActionStep({ kind: 'metrics', 'api-key': API_KEY, version: '1' }, GITHUB);
    expect(refused.code).toBe(2);
    expect(annotations(refused, 'error')[0]).toContain('version applies to kind: deployment or incident only');
    const keyless = await runActionStep({ kind: 'metrics', 'api-key': API_KEY }, GITHUB);
    expect(keyless.code).toBe(2);
    expect(annotations(keyless, 'error')[0]).toContain('DD_APP_KEY');
    expect(keyless.summary).toContain('DORA metrics not computed');
  });
});
