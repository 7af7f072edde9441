/**
 * The built CLI against a real local intake, from a real git checkout whose remote carries a token:
 * what the server receives is what Datadog would.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCEPTED, startIntake, testTls, type Intake } from '../helpers/intake.js';
import { makePlainDir, makeRepo } from '../helpers/git-repo.js';
import { runDora } from '../helpers/run-dora.js';

const KEY = 'test-api-key-0123456789abcdef';
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

describe('dora deployment, end to end', () => {
  it('sends exact nanoseconds and a token-free repository URL over HTTPS from a git checkout', async () => {
    const repo = makeRepo('https://deploy-bot:ghp_SECRETTOKEN@github.example.com:8443/acme/shop.git');
    intake = await startIntake(() => ACCEPTED(), { tls: true });
    const run = await runDora(
      [
        'deployment', '--service', 'checkout', '--env', 'prod', '--version', '1.4.2', '--team', 'shop',
        '--started-at', '2026-11-26T10:00:00.123456789Z', '--finished-at', '1795687260987654321',
        '--custom-tags', 'region:eu-west-1', '--custom-tags', 'tier:1', '--id', 'deploy-0001-abcdefgh',
      ],
      { cwd: repo.dir, env: { DD_API_KEY: KEY, DORA_API_URL: intake.url, NODE_EXTRA_CA_CERTS: testTls().caFile } },
    );
    expect(run.stderr).not.toContain('SECRETTOKEN');
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(1);
    const [request] = intake.requests;
    expect(request?.path).toBe('/api/v2/dora/deployment');
    expect(request?.headers['dd-api-key']).toBe(KEY);
    expect(request?.headers['user-agent']).toMatch(/^dora-cli\/\d+\.\d+\.\d+ \(node v\d+/);
    // Exact integers in the raw body: a float round trip would end in …800 / …300.
    expect(request?.body).toContain('"started_at":1795687200123456789');
    expect(request?.body).toContain('"finished_at":1795687260987654321');
    expect(request?.body).not.toContain('SECRETTOKEN');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      data: {
        attributes: {
          service: 'checkout',
          env: 'prod',
          version: '1.4.2',
          team: 'shop',
          id: 'deploy-0001-abcdefgh',
          custom_tags: ['region:eu-west-1', 'tier:1'],
          started_at: expect.any(Number),
          finished_at: expect.any(Number),
          git: { repository_url: 'https://github.example.com:8443/acme/shop.git', commit_sha: repo.head },
        },
      },
    });
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('deploy-0001-abcdefgh');
    expect(run.stderr).not.toContain(KEY);
  });

  it('prints one JSON object with the id on stdout with --json', async () => {
    intake = await startIntake();
    const run = await runDora(
      ['deployment', '--service', 'api', '--started-at', '1795687200', '--skip-git', '--json'],
      { cwd: makePlainDir(), env: { DD_API_KEY: KEY, DORA_API_URL: intake.url } },
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; id: string };
    expect(result.ok).toBe(true);
    const sent = JSON.parse(intake.requests[0]?.body ?? '{}') as { data: { attributes: { id: string } } };
    expect(result.id).toBe(sent.data.attributes.id);
    expect(result.id).toMatch(/^[A-Za-z0-9\-_.:]{16,128}$/);
  });

  it('dry run prints the exact body, needs no key and touches no network', async () => {
    intake = await startIntake();
    const repo = makeRepo('git@github.com:acme/shop.git');
    const run = await runDora(
      ['deployment', '--service', 'api', '--started-at', '1795687200.5', '--finished-at', '1795687201', '--dry-run'],
      { cwd: repo.dir, env: { DORA_API_URL: intake.url } },
    );
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(0);
    const body = JSON.parse(run.stdout) as { data: { attributes: Record<string, unknown> } };
    expect(run.stdout).toContain('"started_at":1795687200500000000');
    expect(body.data.attributes.git).toEqual({ repository_url: 'git@github.com:acme/shop.git', commit_sha: repo.head });
    expect(run.stderr).toMatch(/from local checkout/);
  });

  it('outside any checkout, still sends without git and says how to give it', async () => {
    intake = await startIntake();
    const run = await runDora(['deployment', '--service', 'api', '--started-at', 'now'], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(1);
    expect(JSON.parse(intake.requests[0]?.body ?? '').data.attributes.git).toBeUndefined();
    expect(run.stderr).toMatch(/change lead time/);
    expect(run.stderr).toMatch(/--git-repository-url/);
  });

  it('keeps a given commit SHA and infers only the missing repository URL', async () => {
    const repo = makeRepo('https://gitlab.example.com/acme/shop.git');
    const sha = 'a'.repeat(40);
    const run = await runDora(
      ['deployment', '--service', 'api', '--started-at', '1795687200', '--git-commit-sha', sha, '--dry-run'],
      { cwd: repo.dir },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).data.attributes.git).toEqual({
      repository_url: 'https://gitlab.example.com/acme/shop.git',
      commit_sha: sha,
    });
  });

  it.each([
    [['--started-at', '1795687200'], /--service is required/],
    [['--service', 'api'], /--started-at is required/],
    [['--service', 'api', '--started-at', 'yesterday'], /--started-at: "yesterday"[\s\S]*Accepted forms/],
    [['--service', 'api', '--started-at', '2026-11-26T10:00:00'], /no time zone/],
    [['--service', 'api', '--started-at', '1795687300', '--finished-at', '1795687200'], /after --finished-at/],
    [['--service', 'api', '--started-at', '1795687200', '--git-commit-sha', 'abc123'], /not a commit SHA/],
    [['--service', 'api', '--started-at', '1795687200', '--custom-tags', 'novalue'], /key:value/],
    [['--service', 'api', '--started-at', '1795687200', '--id', 'short'], /--id must be 16 to 128/],
    [['--service', 'api', '--started-at', '1795687200', '--site', 'ftp://datadoghq.eu'], /not a Datadog site/],
    [['--service', 'api', '--started-at', '1795687200', '--bogus'], /unknown option/],
  ])('refuses bad input %j with exit 2 and sends nothing', async (args, message) => {
    intake = await startIntake();
    const gitFlags = args.some((arg) => arg.startsWith('--git-'));
    const run = await runDora(['deployment', ...args, ...(gitFlags ? [] : ['--skip-git'])], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(intake.requests).toHaveLength(0);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('warns, without refusing, when the finish is older than Datadog counts (3 hours)', async () => {
    const old = await runDora(
      ['deployment', '--service', 'api', '--started-at', '1795687200', '--finished-at', '1795687260', '--skip-git', '--dry-run'],
      { cwd: makePlainDir() },
    );
    expect(old.code).toBe(0);
    expect(old.stderr).toMatch(/over 3 hours ago/);
    const fresh = await runDora(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--dry-run'], {
      cwd: makePlainDir(),
    });
    expect(fresh.stderr).not.toMatch(/over 3 hours ago/);
  });

  it('runs, and leaves the working directory alone, whatever TMPDIR holds (the code cache folder lives there)', async () => {
    const dryRun = ['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--dry-run'];
    for (const tmp of ['/proc/dora-no-such-dir', '.', '']) {
      const cwd = makePlainDir();
      const run = await runDora(dryRun, { cwd, env: { TMPDIR: tmp }, killAfterMs: 10_000 });
      expect(run.signal, `TMPDIR=${tmp}`).toBeNull();
      expect(run.code, `TMPDIR=${tmp}`).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ data: { attributes: { service: 'api' } } });
      expect(readdirSync(cwd), `TMPDIR=${tmp}`).toEqual([]);
    }
  });

  it('gives git 5 seconds in all, even when a hung git leaves a child holding its output open', async () => {
    const bin = makePlainDir();
    // Not `exec`: killing this git leaves its `sleep` alive, still holding the pipe git's output goes to.
    writeFileSync(join(bin, 'git'), '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
    const run = await runDora(['deployment', '--service', 'api', '--started-at', 'now', '--dry-run'], {
      cwd: makePlainDir(),
      env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      killAfterMs: 20_000,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('git did not answer within 5s');
    expect(run.durationMs).toBeLessThan(9_000);
  });

  it('refuses a site outside Datadog\'s domains before anything is sent: the key would go there', async () => {
    const run = await runDora(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--site', 'datadoghq.cm'], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: 'e2e-site-key-0123456789abcdef' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a Datadog site');
  });

  it('a dry run already warns about a Datadog site dora does not know, and shows where a real run would send', async () => {
    const run = await runDora(
      ['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--dry-run', '--site', 'us9.datadoghq.com'],
      { cwd: makePlainDir() },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('us9.datadoghq.com is not a Datadog site dora knows; a real run would send to https://api.us9.datadoghq.com anyway.');
  });

  it('keeps control characters and newlines in input from acting on the terminal or forging lines', async () => {
    const sha = 'a'.repeat(40);
    const run = await runDora(
      ['deployment', '--service', 'api', '--started-at', 'now', '--dry-run', '--git-commit-sha', sha,
        '--git-repository-url', 'https://x.example/r\nerror: forged'],
      { cwd: makePlainDir() },
    );
    expect(run.stderr).not.toMatch(/^error: forged/m);
    const unknown = await runDora(['deployment', '--ser\u001b]0;PWNED\u0007vice', 'a'], { cwd: makePlainDir() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toContain('\u001b');
    expect(unknown.stderr).toContain('\\u001b]0;PWNED');
  });

  it('a missing API key is exit 2 and names DD_API_KEY', async () => {
    const run = await runDora(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git'], { cwd: makePlainDir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DD_API_KEY');
  });

  it('--version after the subcommand is the service version, not the CLI version', async () => {
    const run = await runDora(
      ['deployment', '--service', 'api', '--version', '9.9.9', '--started-at', '1795687200', '--skip-git', '--dry-run'],
      { cwd: makePlainDir() },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).data.attributes.version).toBe('9.9.9');
  });

  it.each([
    [401, 3, /API key/],
    [403, 3, /DD_SITE/],
    [400, 4, /service is invalid/],
  ])('HTTP %i from the intake exits %i with the API text', async (status, code, message) => {
    intake = await startIntake(() => ({
      status,
      body: JSON.stringify({ errors: status === 400 ? [{ title: 'Bad Request', detail: 'service is invalid' }] : ['Forbidden'] }),
    }));
    const run = await runDora(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git'], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(intake.requests).toHaveLength(1); // not retried
    expect(run.stderr).not.toContain(KEY);
  });
});
