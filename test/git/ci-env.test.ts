/**
 * Inside a CI provider's environment, through the whole CLI in-process with real git: dora must send the provider's
 * repository (credentials stripped) and the commit actually being built.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localGitReader } from '../../src/git/local.js';

/** The real checkout reader, with git found on this process's PATH. */
const readLocalGit = localGitReader(process.env);

import { runCli } from '../helpers/cli.js';
import { makePlainDir, makeRepo } from '../helpers/git-repo.js';
import { type Intake, startIntake } from '../helpers/intake.js';

const KEY = 'test-api-key-ci-0123456789';
const HEAD_SHA = 'c0ffee0000000000000000000000000000000001';
const PR_HEAD_SHA = 'feedbeef00000000000000000000000000000002';
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

async function deployIn(env: Record<string, string>, cwd = makePlainDir()) {
  intake = await startIntake();
  const run = await runCli(['deployment', '--service', 'api', '--started-at', '1795687200', '--verbose'], {
    cwd,
    readLocalGit,
    env: { DD_API_KEY: KEY, DORA_API_URL: intake.url, CI: 'true', ...env },
  });
  const body = intake.requests[0]?.body ?? '{}';
  return { run, body, git: (JSON.parse(body) as { data?: { attributes?: { git?: unknown } } }).data?.attributes?.git };
}

describe('git facts from CI providers, outside any checkout', () => {
  it('GitHub Actions pull request: the head commit from the event payload, not the merge commit', async () => {
    const eventFile = join(mkdtempSync(join(tmpdir(), 'dora-gh-')), 'event.json');
    writeFileSync(eventFile, JSON.stringify({ pull_request: { head: { sha: PR_HEAD_SHA, ref: 'feature/x' } } }));
    const { run, git } = await deployIn({
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: HEAD_SHA,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_HEAD_REF: 'feature/x',
      GITHUB_REF: 'refs/pull/7/merge',
    });
    expect(run.code).toBe(0);
    expect(git).toEqual({ repository_url: 'https://github.com/acme/shop.git', commit_sha: PR_HEAD_SHA });
    expect(run.stderr).toMatch(/GitHub Actions/);
  });

  it('GitLab CI: the job token in CI_REPOSITORY_URL is never sent or printed', async () => {
    const { run, body, git } = await deployIn({
      GITLAB_CI: 'true',
      CI_REPOSITORY_URL: 'https://gitlab-ci-token:glcbt-SECRET123@gitlab.example.com:8443/group/shop.git',
      CI_COMMIT_SHA: HEAD_SHA,
      CI_COMMIT_REF_NAME: 'main',
    });
    expect(run.code).toBe(0);
    expect(git).toEqual({ repository_url: 'https://gitlab.example.com:8443/group/shop.git', commit_sha: HEAD_SHA });
    expect(body + run.stdout + run.stderr).not.toContain('SECRET123');
  });

  it('Bitbucket Pipelines: the SSH origin, kept as is', async () => {
    const { git } = await deployIn({
      BITBUCKET_BUILD_NUMBER: '42',
      BITBUCKET_COMMIT: HEAD_SHA,
      BITBUCKET_GIT_SSH_ORIGIN: 'git@bitbucket.org:acme/shop.git',
      BITBUCKET_GIT_HTTP_ORIGIN: 'http://bitbucket.org/acme/shop',
    });
    expect(git).toEqual({ repository_url: 'git@bitbucket.org:acme/shop.git', commit_sha: HEAD_SHA });
  });

  it('the provider wins over the checkout HEAD, and DD_GIT_COMMIT_SHA wins over the provider', async () => {
    const repo = makeRepo('https://github.com/acme/local.git');
    const gitlab = {
      GITLAB_CI: 'true',
      CI_REPOSITORY_URL: 'https://gitlab.com/acme/shop.git',
      CI_COMMIT_SHA: HEAD_SHA,
    };
    const fromCi = await deployIn(gitlab, repo.dir);
    expect(fromCi.git).toEqual({ repository_url: 'https://gitlab.com/acme/shop.git', commit_sha: HEAD_SHA });
    await intake?.close();
    const override = 'd'.repeat(40);
    const fromEnv = await deployIn({ ...gitlab, DD_GIT_COMMIT_SHA: override }, repo.dir);
    expect(fromEnv.git).toEqual({ repository_url: 'https://gitlab.com/acme/shop.git', commit_sha: override });
  });

  it('a malformed SHA in the CI environment is not sent: warned about, then the checkout fills it', async () => {
    const repo = makeRepo('https://gitlab.com/acme/shop.git');
    const { run, git } = await deployIn(
      { GITLAB_CI: 'true', CI_REPOSITORY_URL: 'https://gitlab.com/acme/shop.git', CI_COMMIT_SHA: 'deadbeef' },
      repo.dir,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Ignored the commit SHA/);
    expect(git).toEqual({ repository_url: 'https://gitlab.com/acme/shop.git', commit_sha: repo.head });
  });

  it('refuses a repository from one level paired with a commit of another repository, naming both sources', async () => {
    intake = await startIntake();
    const run = await runCli(
      [
        'deployment',
        '--service',
        'api',
        '--started-at',
        '1795687200',
        '--git-repository-url',
        'https://github.com/org/service-repo',
      ],
      {
        cwd: makePlainDir(),
        env: {
          DD_API_KEY: KEY,
          DORA_API_URL: intake.url,
          GITHUB_ACTIONS: 'true',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: 'org/deploy-repo',
          GITHUB_SHA: HEAD_SHA,
        },
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--git-repository-url');
    expect(run.stderr).toContain('GitHub Actions');
    expect(run.stderr).toContain('--git-commit-sha');
    expect(intake.requests).toHaveLength(0);
  });

  it('drops a CI repository URL that is a folder (Jenkins GIT_URL=file://…) with a warning, and refuses one given by flag', async () => {
    const { run, git } = await deployIn({
      JENKINS_URL: 'https://ci.example/',
      GIT_URL: 'file:///srv/git/shop.git',
      GIT_COMMIT: HEAD_SHA,
    });
    expect(run.code).toBe(0);
    expect(git).toBeUndefined();
    expect(run.stderr).toMatch(/warning: .*GIT_URL|Jenkins/);
    const given = await runCli([
      'deployment',
      '--service',
      'api',
      '--started-at',
      '1795687200',
      '--git-repository-url',
      '/srv/git/shop.git',
      '--git-commit-sha',
      HEAD_SHA,
      '--dry-run',
    ]);
    expect(given.code).toBe(2);
    expect(given.stderr).toContain('--git-repository-url');
  });
});
