/**
 * The built CLI against a real local intake, from a real git checkout whose remote carries a token:
 * what the server receives is what Datadog would.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePlainDir, makeRepo } from '../helpers/git-repo.js';
import { ACCEPTED, type Intake, startIntake, testTls } from '../helpers/intake.js';
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
        'deployment',
        '--service',
        'checkout',
        '--env',
        'prod',
        '--version',
        '1.4.2',
        '--team',
        'shop',
        '--started-at',
        '2026-11-26T10:00:00.123456789Z',
        '--finished-at',
        '1795687260987654321',
        '--custom-tags',
        'region:eu-west-1',
        '--custom-tags',
        'tier:1',
        '--id',
        'deploy-0001-abcdefgh',
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
});
