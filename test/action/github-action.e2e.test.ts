/**
 * action.yml's step run as the runner runs it (bash, INPUT_* from `with:`, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
 * files, a GitHub Actions environment), with the built CLI against a local intake: what reached the server, what each
 * file says, and that no key shows anywhere but in the add-mask commands that hide it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCEPTED, type Intake, startIntake } from '../helpers/intake.js';
import { type ActionRun, cliSupports, runActionStep } from './ci-files.js';

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

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

const wrapSupported = cliSupports.wrap;

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

function sentAttributes(index = 0): Record<string, unknown> {
  return (JSON.parse(intake?.requests[index]?.body ?? '{}') as { data: { attributes: Record<string, unknown> } }).data
    .attributes;
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
    expect(run.stdout).not.toContain('::error::');
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

    expect(run.outputs).toEqual({ id: sent.id, ids: sent.id, status: '202', recorded: 'true', 'exit-code': '0' });

    expect(run.summary).toContain('### DORA deployment recorded');
    expect(run.summary).toContain(
      `| ✅ | checkout | prod | 1.4.2 | [\`2b66fd2\`](https://github.com/acme/shop/commit/${SHA}) |`,
    );
    expect(run.summary).toContain('2026-11-26T10:00:00.123Z → 10:01:00.987Z (1 min 0 s)');
    expect(run.summary).toContain(`\`${String(sent.id)}\``);
    expectNoKey(run, API_KEY);
  });

  it('turns the CLI warnings into ::warning:: annotations and keeps its other lines on stderr', async () => {
    intake = await startIntake();
    // No GITHUB_REPOSITORY / GITHUB_SHA and no checkout: the CLI warns that it sends no git data.
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', 'started-at': 'now' },
      { DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^::warning::No git repository URL or commit SHA found, .*--skip-git silences this\.$/m);
    expect(run.stderr).not.toMatch(/^warning:/m);
    expect(run.stderr).toMatch(/Recorded deployment of checkout/);
    expect(run.outputs.recorded).toBe('true');
    expectNoKey(run, API_KEY);
  });

  it('a rejected key: exit 3, an ::error:: annotation, the failure in the summary, recorded=false, no key anywhere', async () => {
    intake = await startIntake(() => ({ status: 403, body: JSON.stringify({ errors: ['Forbidden'] }) }));
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', env: 'prod', 'started-at': '1795687200' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(3);
    expect(intake.requests).toHaveLength(1);
    const annotation = run.stdout.split('\n').find((line) => line.startsWith('::error::'));
    expect(annotation).toMatch(/403/);
    expect(run.outputs.recorded).toBe('false');
    expect(run.outputs['exit-code']).toBe('3');
    expect(run.outputs.status).toBe('');
    expect(run.summary).toContain('### ❌ DORA deployment not recorded (exit code 3)');
    expect(run.summary).toMatch(/^> .*403/m);
    expect(run.summary).toContain('| ❌ | checkout | prod |');
    expectNoKey(run, API_KEY);
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
    expect(run.summary).toContain('2026-11-26T10:00:00.000Z → (open)');
  });

  it('a dry run sends nothing, needs no key, and says so', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      { service: 'checkout', env: 'prod', 'started-at': '1795687200', 'finished-at': '1795687230', 'dry-run': 'true' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(0);
    expect(run.stdout).not.toContain('::add-mask::');
    expect(run.outputs.recorded).toBe('false');
    expect(run.outputs.id).toMatch(/^[A-Za-z0-9\-_.:]{16,128}$/);
    expect(run.summary).toContain('### DORA deployment: dry run, nothing sent');
    expect(run.summary).toContain('| dry run | checkout | prod |');
    expect(run.summary).toContain('(30.000 s)');
  });

  it('refuses inputs that do not fit: exit 2, an annotation, nothing sent', async () => {
    intake = await startIntake();
    const bogus = await runActionStep(
      { kind: 'release', 'api-key': API_KEY, service: 'x' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(bogus.code).toBe(2);
    expect(bogus.stdout).toContain('::error::kind: "release" must be one of deployment, incident.');
    expect(bogus.outputs).toMatchObject({ recorded: 'false', 'exit-code': '2', id: '' });
    expect(bogus.summary).toContain('not recorded (exit code 2)');

    const misplaced = await runActionStep(
      { 'api-key': API_KEY, service: 'x', 'started-at': 'now', severity: 'SEV-1' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(misplaced.code).toBe(2);
    expect(misplaced.stdout).toContain('::error::severity applies to kind: incident only, not to kind: deployment.');
    expect(intake.requests).toHaveLength(0);
    expectNoKey(bogus, API_KEY);
    expectNoKey(misplaced, API_KEY);
  });

  it('the CLI refusing its input is exit 2 with its message as the annotation', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^::error::--started-at is required/m);
    expect(run.summary).toMatch(/^> --started-at is required/m);
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
    expect(run.stdout).toMatch(/^::error::.*SIGTERM/m);
    expect(run.outputs).toMatchObject({ recorded: 'false', 'exit-code': '143' });
    expect(run.summary).toContain('not recorded (exit code 143)');
  });

  it.skipIf(!wrapSupported)(
    'wraps a deploy command: its output passes through, the deployment is timed by it',
    async () => {
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
      expect(run.stdout).toMatch(/^deploying eu$/m);
      expect(run.stderr).toMatch(/^done$/m);
      expect(intake.requests).toHaveLength(1);
      expect(run.outputs).toMatchObject({ id: sentAttributes().id, recorded: 'true' });
    },
  );

  it.skipIf(!wrapSupported)('a failing deploy command records nothing and its exit code comes back', async () => {
    intake = await startIntake();
    const run = await runActionStep(
      { 'api-key': API_KEY, service: 'checkout', command: 'exit 7' },
      { ...GITHUB, DORA_API_URL: intake.url },
    );
    expect(run.code).toBe(7);
    expect(intake.requests).toHaveLength(0);
    expect(run.outputs.recorded).toBe('false');
  });

  it.skipIf(!cliSupports.rollbackOf)('rollback-of reaches the CLI with the application key', async () => {
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
    // One result object, whatever the plan holds: the id is the deployment's (not empty, as when the CLI printed the
    // lookup and PATCH bodies as lines of their own and the action read the last one).
    expect(run.outputs.id).toMatch(/^[0-9a-f-]{36}$/);
    expectNoKey(run, API_KEY, APP_KEY);
  });
});
