/** `dora incident` against a real local intake: open, then resolve with the same id, services, env and start. */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCEPTED, startIntake, type Intake } from '../helpers/intake.js';
import { makePlainDir, makeRepo } from '../helpers/git-repo.js';
import { runDora } from '../helpers/run-dora.js';

const KEY = 'test-api-key-incident-0123456789';
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

type Body = { data: { attributes: Record<string, unknown> } };
const attributesOf = (body: string | undefined) => (JSON.parse(body ?? '{}') as Body).data.attributes;

describe('dora incident, end to end', () => {
  it('opens an incident for two services and a team, then resolves it with the same id', async () => {
    intake = await startIntake(() => ACCEPTED('dora_failure'));
    const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url };
    const cwd = makePlainDir();
    const common = ['--service', 'checkout', '--service', 'payments', '--team', 'shop', '--env', 'prod'];

    const open = await runDora(
      ['incident', ...common, '--started-at', '2026-11-26T10:00:00.000000001Z', '--name', 'Checkout 5xx', '--severity', 'SEV-2', '--json'],
      { cwd, env },
    );
    expect(open.stderr).toMatch(/Resolve it later/);
    expect(open.code).toBe(0);
    const { id, state } = JSON.parse(open.stdout) as { id: string; state: string };
    expect(state).toBe('open');

    const resolve = await runDora(
      ['incident', ...common, '--id', id, '--started-at', '1795687200000000001', '--finished-at', '2026-11-26T10:42:00.5Z'],
      { cwd, env },
    );
    expect(resolve.code).toBe(0);

    expect(intake.requests.map((r) => r.path)).toEqual(['/api/v2/dora/failure', '/api/v2/dora/failure']);
    const [opened, resolved] = intake.requests.map((r) => attributesOf(r.body));
    expect(opened).toEqual({
      services: ['checkout', 'payments'],
      team: 'shop',
      env: 'prod',
      name: 'Checkout 5xx',
      severity: 'SEV-2',
      id,
      started_at: expect.any(Number),
    });
    expect(resolved).toMatchObject({ services: ['checkout', 'payments'], team: 'shop', env: 'prod', id });
    expect(intake.requests[0]?.body).toContain('"started_at":1795687200000000001');
    expect(intake.requests[1]?.body).toContain('"started_at":1795687200000000001');
    expect(intake.requests[1]?.body).toContain('"finished_at":1795689720500000000');
    expect(intake.requests[0]?.body).not.toContain('finished_at');
  });

  it('the printed resolve command, pasted as is, resolves the same incident', async () => {
    intake = await startIntake(() => ACCEPTED('dora_failure'));
    const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url };
    const open = await runDora(['incident', '--service', 'api', '--env', 'staging', '--started-at', 'now'], {
      cwd: makePlainDir(),
      env,
    });
    expect(open.code).toBe(0);
    const hint = /dora incident (--id .*--finished-at now)/.exec(open.stderr)?.[1];
    expect(hint).toBeDefined();
    const resolve = await runDora(['incident', ...(hint ?? '').split(' ')], { cwd: makePlainDir(), env });
    expect(resolve.code).toBe(0);
    const [first, second] = intake.requests.map((r) => attributesOf(r.body));
    expect(second?.id).toBe(first?.id);
    expect(second?.started_at).toBe(first?.started_at);
    expect(second?.services).toEqual(['api']);
    expect(second?.finished_at).toEqual(expect.any(Number));
  });

  it('sends no git facts from the checkout it runs in unless the culprit commit is named', async () => {
    const repo = makeRepo('https://bot:TOKEN@github.com/acme/shop.git');
    const plain = await runDora(['incident', '--service', 'api', '--started-at', 'now', '--dry-run'], { cwd: repo.dir });
    expect(plain.code).toBe(0);
    expect(attributesOf(plain.stdout).git).toBeUndefined();

    const culprit = 'b'.repeat(40);
    const named = await runDora(
      ['incident', '--service', 'api', '--started-at', 'now', '--git-commit-sha', culprit, '--dry-run'],
      { cwd: repo.dir },
    );
    expect(named.code).toBe(0);
    expect(attributesOf(named.stdout).git).toEqual({ repository_url: 'https://github.com/acme/shop.git', commit_sha: culprit });
    expect(named.stdout + named.stderr).not.toContain('TOKEN');
  });

  it.each([
    [['--started-at', 'now'], /at least one --service .*or a --team/],
    [['--service', 'api'], /--started-at is required/],
    [['--service', 'api', '--started-at', 'now', '--id', 'bad id with spaces!'], /--id must be 16 to 128/],
    [['--service', 'api', '--started-at', 'now', '--git-repository-url', 'https://h/r'], /needs --git-commit-sha/],
    [['--service', 'api', '--started-at', '1795687300', '--finished-at', '1795687200'], /after --finished-at/],
  ])('refuses %j with exit 2 and sends nothing', async (args, message) => {
    intake = await startIntake();
    const run = await runDora(['incident', ...args], { cwd: makePlainDir(), env: { DD_API_KEY: KEY, DORA_API_URL: intake.url } });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(intake.requests).toHaveLength(0);
  });

  it('uses DD_SERVICE when no --service is given, and a team alone is enough', async () => {
    const fromEnv = await runDora(['incident', '--started-at', 'now', '--dry-run'], {
      cwd: makePlainDir(),
      env: { DD_SERVICE: 'billing' },
    });
    expect(attributesOf(fromEnv.stdout).services).toEqual(['billing']);
    const teamOnly = await runDora(['incident', '--team', 'sre', '--started-at', 'now', '--dry-run'], { cwd: makePlainDir() });
    expect(teamOnly.code).toBe(0);
    expect(attributesOf(teamOnly.stdout)).toMatchObject({ team: 'sre' });
    expect(attributesOf(teamOnly.stdout).services).toBeUndefined();
  });

  it('maps 403 to exit 3 without retrying, like deployments', async () => {
    intake = await startIntake(() => ({ status: 403, body: '{"errors":["Forbidden"]}' }));
    const run = await runDora(['incident', '--service', 'api', '--started-at', 'now'], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(3);
    expect(intake.requests).toHaveLength(1);
    expect(run.stderr).not.toContain(KEY);
  });
});
