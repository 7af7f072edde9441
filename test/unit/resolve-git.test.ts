import { describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { type GitInputs, resolveGit } from '../../src/git/resolve.js';

const SHA_FLAG = '1'.repeat(40);
const SHA_ENV = '2'.repeat(40);
const SHA_CI = '3'.repeat(40);
const SHA_LOCAL = '4'.repeat(40);

const gitlab = {
  GITLAB_CI: 'true',
  CI_REPOSITORY_URL: 'https://gitlab-ci-token:glcbt-SECRET@gitlab.example.com:8443/group/proj.git',
  CI_COMMIT_SHA: SHA_CI,
};

function inputs(overrides: Partial<GitInputs> & { env?: Record<string, string> } = {}): GitInputs {
  const { env = {}, ...rest } = overrides;
  return {
    config: readConfig(env),
    cwd: '/work/checkout',
    io: { readFile: () => undefined },
    readLocal: vi.fn(async () => ({ repositoryUrl: 'git@github.com:acme/local.git', commitSha: SHA_LOCAL })),
    ...rest,
  };
}

describe('resolveGit precedence: flag > DD_GIT_* > CI provider > local checkout', () => {
  it('takes both flags and never runs git', async () => {
    const args = inputs({ flagUrl: 'https://github.com/acme/flag.git', flagSha: SHA_FLAG, env: { ...gitlab } });
    const result = await resolveGit(args);
    expect(result.git).toEqual({ repository_url: 'https://github.com/acme/flag.git', commit_sha: SHA_FLAG });
    expect(args.readLocal).not.toHaveBeenCalled();
  });

  it('prefers DD_GIT_* over the CI provider and the checkout', async () => {
    const result = await resolveGit(
      inputs({
        env: { ...gitlab, DD_GIT_REPOSITORY_URL: 'https://github.com/acme/env.git', DD_GIT_COMMIT_SHA: SHA_ENV },
      }),
    );
    expect(result.git).toEqual({ repository_url: 'https://github.com/acme/env.git', commit_sha: SHA_ENV });
    expect(result.repositoryUrl?.source).toBe('DD_GIT_REPOSITORY_URL');
  });

  it('reads the CI provider before the checkout, stripping its token', async () => {
    const args = inputs({ env: gitlab });
    const result = await resolveGit(args);
    expect(result.git).toEqual({
      repository_url: 'https://gitlab.example.com:8443/group/proj.git',
      commit_sha: SHA_CI,
    });
    expect(result.ci?.provider).toMatch(/GitLab/);
    expect(args.readLocal).not.toHaveBeenCalled();
  });

  it('keeps a value from one level when the other comes from a later one', async () => {
    const result = await resolveGit(inputs({ flagSha: SHA_FLAG }));
    expect(result.git).toEqual({ repository_url: 'git@github.com:acme/local.git', commit_sha: SHA_FLAG });
    expect(result.commitSha?.source).toBe('--git-commit-sha');
    expect(result.repositoryUrl?.source).toBe('local checkout');
  });

  it('falls back to the checkout for the SHA when the CI SHA is malformed, with a warning', async () => {
    const result = await resolveGit(
      inputs({
        env: { ...gitlab, CI_COMMIT_SHA: 'not-a-sha' },
        readLocal: async () => ({ repositoryUrl: 'git@gitlab.example.com:group/proj.git', commitSha: SHA_LOCAL }),
      }),
    );
    expect(result.git?.commit_sha).toBe(SHA_LOCAL);
    expect(result.git?.repository_url).toBe('https://gitlab.example.com:8443/group/proj.git');
    expect(result.warnings.join('\n')).toMatch(/Ignored the commit SHA/);
  });

  it('refuses to pair a CI repository with a checkout commit of another repository', async () => {
    await expect(resolveGit(inputs({ env: { ...gitlab, CI_COMMIT_SHA: 'not-a-sha' } }))).rejects.toThrow(
      /GitLab CI environment.*local checkout.*--git-commit-sha/s,
    );
  });

  it('treats empty DD_GIT_* variables as unset', async () => {
    const result = await resolveGit(inputs({ env: { DD_GIT_REPOSITORY_URL: '', DD_GIT_COMMIT_SHA: '  ' } }));
    expect(result.git?.commit_sha).toBe(SHA_LOCAL);
  });

  it('refuses a malformed SHA that the user gave', async () => {
    await expect(resolveGit(inputs({ flagSha: 'abc' }))).rejects.toThrow(UsageError);
    await expect(resolveGit(inputs({ env: { DD_GIT_COMMIT_SHA: 'xyz' } }))).rejects.toThrow(/DD_GIT_COMMIT_SHA/);
  });

  it('strips credentials from a flag URL and says so without showing them', async () => {
    const result = await resolveGit(inputs({ flagUrl: 'https://bot:TOKEN@github.com/acme/x.git', flagSha: SHA_FLAG }));
    expect(result.git?.repository_url).toBe('https://github.com/acme/x.git');
    expect(result.repositoryUrl?.source).toContain('credentials removed');
  });

  it('returns no pair when a value is missing everywhere', async () => {
    const result = await resolveGit(inputs({ flagSha: SHA_FLAG, readLocal: async () => ({}) }));
    expect(result.git).toBeUndefined();
    expect(result.commitSha?.value).toBe(SHA_FLAG);
  });

  it.each(['/work/main', '../shop', 'file:///srv/git/shop.git', 'C:\\repos\\shop'])(
    'does not send a checkout whose remote is the folder %s, and says how to give the URL',
    async (remote) => {
      const result = await resolveGit(
        inputs({ readLocal: async () => ({ repositoryUrl: remote, commitSha: SHA_LOCAL }) }),
      );
      expect(result.git).toBeUndefined();
      expect(result.commitSha?.value).toBe(SHA_LOCAL);
      expect(result.warnings.join('\n')).toMatch(/a folder on this machine.*DD_GIT_REPOSITORY_URL/);
    },
  );

  it.each([
    ['a 41-character SHA', 'a'.repeat(41)],
    ['a 50-character SHA', 'a'.repeat(50)],
    ['a 65-character SHA', 'a'.repeat(65)],
  ])('refuses %s: commits have 40 (SHA-1) or 64 (SHA-256) hex characters', async (_, sha) => {
    await expect(resolveGit(inputs({ flagSha: sha }))).rejects.toThrow(/--git-commit-sha.*40 or 64/);
  });

  it('accepts a SHA-256 commit', async () => {
    const result = await resolveGit(inputs({ flagSha: 'b'.repeat(64), flagUrl: 'https://github.com/acme/x' }));
    expect(result.git?.commit_sha).toBe('b'.repeat(64));
  });

  it.each([
    ['/srv/git/x.git', /folder on this machine/],
    ['file:///srv/git/x.git', /folder on this machine/],
    ['shop', /not a repository URL/],
    ['ftp://host/x', /not a repository URL/],
    ['https://github.com/acme/x\nInjected: yes', /control characters/],
    ['https://github.com/acme/x\u001b[31m', /control characters/],
    [`https://github.com/${'a'.repeat(2100)}`, /longer than 2048/],
  ])('refuses the given repository URL %j, naming where it came from', async (url, why) => {
    await expect(resolveGit(inputs({ flagUrl: url, flagSha: SHA_FLAG }))).rejects.toThrow(why);
    await expect(resolveGit(inputs({ flagUrl: url, flagSha: SHA_FLAG }))).rejects.toThrow(/^--git-repository-url/);
    await expect(
      resolveGit(inputs({ env: { DD_GIT_REPOSITORY_URL: url, DD_GIT_COMMIT_SHA: SHA_ENV } })),
    ).rejects.toThrow(/^DD_GIT_REPOSITORY_URL/);
  });

  it.each([
    ['file:///var/jenkins/repo.git', /folder on this machine/],
    [`https://git.example/${'a'.repeat(2100)}`, /longer than 2048/],
    ['https://git.example/x\r\nevil', /control characters/],
  ])('drops the Jenkins GIT_URL %j with a warning naming the variable source, never a flag', async (url, why) => {
    const env = { JENKINS_URL: 'https://ci.example/', GIT_URL: url, GIT_COMMIT: SHA_CI };
    const result = await resolveGit(inputs({ env, readLocal: async () => ({ commitSha: SHA_LOCAL }) }));
    expect(result.repositoryUrl).toBeUndefined();
    expect(result.git).toBeUndefined();
    const warning = result.warnings.join('\n');
    expect(warning).toMatch(why);
    expect(warning).toContain('Jenkins environment');
    expect(warning).not.toContain('--git-repository-url is');
  });

  it('refuses a flag repository paired with a CI commit of another repository (GitHub Actions deploy repo)', async () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'org/deploy-repo',
      GITHUB_SHA: SHA_CI,
    };
    const run = resolveGit(inputs({ env, flagUrl: 'https://github.com/org/service-repo' }));
    await expect(run).rejects.toThrow(UsageError);
    await expect(resolveGit(inputs({ env, flagUrl: 'https://github.com/org/service-repo' }))).rejects.toThrow(
      /--git-repository-url.*GitHub Actions environment.*org\/deploy-repo.*--git-commit-sha/s,
    );
  });

  it.each([
    'https://github.com/org/deploy-repo',
    'git@github.com:org/deploy-repo.git',
    'https://bot:tok@GitHub.com/org/deploy-repo/',
    'ssh://git@github.com:22/org/deploy-repo.git',
  ])('pairs the flag repository %s with the CI commit when both name the same repository', async (flagUrl) => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'org/deploy-repo',
      GITHUB_SHA: SHA_CI,
    };
    const result = await resolveGit(inputs({ env, flagUrl }));
    expect(result.git?.commit_sha).toBe(SHA_CI);
    expect(result.commitSha?.level).toBe('ci');
  });

  it('pairs a flag repository with a CI commit when the CI names no repository (TeamCity)', async () => {
    const env = { TEAMCITY_VERSION: '2025.1', BUILD_VCS_NUMBER: SHA_CI };
    const result = await resolveGit(inputs({ env, flagUrl: 'https://github.com/org/service-repo' }));
    expect(result.git).toEqual({ repository_url: 'https://github.com/org/service-repo', commit_sha: SHA_CI });
  });

  it("passes the CI provider's warnings on", async () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'org/x',
      GITHUB_SHA: SHA_CI,
      GITHUB_EVENT_NAME: 'pull_request',
    };
    const result = await resolveGit(inputs({ env }));
    expect(result.warnings.join('\n')).toMatch(/pull_request\.head\.sha/);
  });

  it('lowercases the SHA, as git prints it', async () => {
    const result = await resolveGit(inputs({ flagSha: 'ABCDEF'.repeat(7).slice(0, 40), flagUrl: 'https://h/r' }));
    expect(result.git?.commit_sha).toBe('abcdef'.repeat(7).slice(0, 40));
  });
});
