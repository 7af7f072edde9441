/** `dora incident` through the whole CLI in-process (the Context production builds, the real transport, a local intake). */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { localGitReader } from '../../src/git/local.js';

/** The real checkout reader, with git found on this process's PATH. */
const readLocalGit = localGitReader(process.env);

import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';
import { ACCEPTED, type Intake, startIntake } from '../helpers/intake.js';

const KEY = 'test-api-key-incident-0123456789';
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

type Body = { data: { attributes: Record<string, unknown> } };
const attributesOf = (body: string | undefined) => (JSON.parse(body ?? '{}') as Body).data.attributes;

describe('dora incident in-process', () => {
  it('prints a resolve command that repeats every attribute, since a resend replaces the event', async () => {
    intake = await startIntake(() => ACCEPTED('dora_failure'));
    const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url };
    const open = await runCli(
      [
        'incident',
        '--service',
        'api',
        '--env',
        'prod',
        '--version',
        '1.2.3',
        '--name',
        'Checkout 5xx',
        '--severity',
        'SEV-2',
        '--custom-tags',
        'region:eu',
        '--started-at',
        'now',
      ],
      { env },
    );
    expect(open.code, open.stderr).toBe(0);
    const hint = /dora incident (--id .*--finished-at now)/.exec(open.stderr)?.[1] ?? '';
    expect(hint).toContain("--name 'Checkout 5xx'");
    // Pasted into a shell: sh -c takes the quoting as the user's shell would.
    const words = (execFileSync('sh', ['-c', `printf '%s\\0' ${hint}`], { encoding: 'utf8' }) as string)
      .split('\0')
      .slice(0, -1);
    const resolve = await runCli(['incident', ...words], { env });
    expect(resolve.code, resolve.stderr).toBe(0);
    const [first, second] = intake.requests.map((r) => attributesOf(r.body));
    const { finished_at: finished, ...rest } = second ?? {};
    expect(rest).toEqual(first);
    expect(finished).toEqual(expect.any(Number));
  });

  it('says a new incident was recorded when one is sent resolved without --id', async () => {
    intake = await startIntake(() => ACCEPTED('dora_failure'));
    const run = await runCli(
      ['incident', '--service', 'api', '--started-at', '2026-11-26T10:00:00Z', '--finished-at', 'now'],
      {
        env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'This recorded a new incident, already resolved. To resolve one that is open, give its id',
    );
  });

  it('the printed resolve command, pasted as is, resolves the same incident', async () => {
    intake = await startIntake(() => ACCEPTED('dora_failure'));
    const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url };
    const open = await runCli(['incident', '--service', 'api', '--env', 'staging', '--started-at', 'now'], {
      env,
    });
    expect(open.code).toBe(0);
    const hint = /dora incident (--id .*--finished-at now)/.exec(open.stderr)?.[1];
    expect(hint).toBeDefined();
    const resolve = await runCli(['incident', ...(hint ?? '').split(' ')], { env });
    expect(resolve.code).toBe(0);
    const [first, second] = intake.requests.map((r) => attributesOf(r.body));
    expect(second?.id).toBe(first?.id);
    expect(second?.started_at).toBe(first?.started_at);
    expect(second?.services).toEqual(['api']);
    expect(second?.finished_at).toEqual(expect.any(Number));
  });

  it('sends no git facts from the checkout it runs in unless the culprit commit is named', async () => {
    const repo = makeRepo('https://bot:TOKEN@github.com/acme/shop.git');
    const plain = await runCli(['incident', '--service', 'api', '--started-at', 'now', '--dry-run'], {
      cwd: repo.dir,
      readLocalGit,
    });
    expect(plain.code).toBe(0);
    expect(attributesOf(plain.stdout).git).toBeUndefined();

    const culprit = 'b'.repeat(40);
    const named = await runCli(
      ['incident', '--service', 'api', '--started-at', 'now', '--git-commit-sha', culprit, '--dry-run'],
      { cwd: repo.dir, readLocalGit },
    );
    expect(named.code).toBe(0);
    expect(attributesOf(named.stdout).git).toEqual({
      repository_url: 'https://github.com/acme/shop.git',
      commit_sha: culprit,
    });
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
    const run = await runCli(['incident', ...args], { env: { DD_API_KEY: KEY, DORA_API_URL: intake.url } });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(intake.requests).toHaveLength(0);
  });

  it('uses DD_SERVICE when no --service is given, and a team alone is enough', async () => {
    const fromEnv = await runCli(['incident', '--started-at', 'now', '--dry-run'], {
      env: { DD_SERVICE: 'billing' },
    });
    expect(attributesOf(fromEnv.stdout).services).toEqual(['billing']);
    const teamOnly = await runCli(['incident', '--team', 'sre', '--started-at', 'now', '--dry-run'], {});
    expect(teamOnly.code).toBe(0);
    expect(attributesOf(teamOnly.stdout)).toMatchObject({ team: 'sre' });
    expect(attributesOf(teamOnly.stdout).services).toBeUndefined();
  });

  it('maps 403 to exit 3 without retrying, like deployments', async () => {
    intake = await startIntake(() => ({ status: 403, body: '{"errors":["Forbidden"]}' }));
    const run = await runCli(['incident', '--service', 'api', '--started-at', 'now'], {
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(3);
    expect(intake.requests).toHaveLength(1);
    expect(run.stderr).not.toContain(KEY);
  });
});
