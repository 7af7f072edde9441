import { describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { resolveGit, type GitInputs } from '../../src/git/resolve.js';

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
      inputs({ env: { ...gitlab, DD_GIT_REPOSITORY_URL: 'https://github.com/acme/env.git', DD_GIT_COMMIT_SHA: SHA_ENV } }),
    );
    expect(result.git).toEqual({ repository_url: 'https://github.com/acme/env.git', commit_sha: SHA_ENV });
    expect(result.repositoryUrl?.source).toBe('DD_GIT_REPOSITORY_URL');
  });

  it('reads the CI provider before the checkout, stripping its token', async () => {
    const args = inputs({ env: gitlab });
    const result = await resolveGit(args);
    expect(result.git).toEqual({ repository_url: 'https://gitlab.example.com:8443/group/proj.git', commit_sha: SHA_CI });
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
    const result = await resolveGit(inputs({ env: { ...gitlab, CI_COMMIT_SHA: 'not-a-sha' } }));
    expect(result.git?.commit_sha).toBe(SHA_LOCAL);
    expect(result.git?.repository_url).toBe('https://gitlab.example.com:8443/group/proj.git');
    expect(result.warnings.join('\n')).toMatch(/Ignored the commit SHA/);
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
      const result = await resolveGit(inputs({ readLocal: async () => ({ repositoryUrl: remote, commitSha: SHA_LOCAL }) }));
      expect(result.git).toBeUndefined();
      expect(result.commitSha?.value).toBe(SHA_LOCAL);
      expect(result.warnings.join('\n')).toMatch(/a folder on this machine.*DD_GIT_REPOSITORY_URL/);
    },
  );

  it('lowercases the SHA, as git prints it', async () => {
    const result = await resolveGit(inputs({ flagSha: 'ABCDEF'.repeat(7).slice(0, 40), flagUrl: 'https://h/r' }));
    expect(result.git?.commit_sha).toBe('abcdef'.repeat(7).slice(0, 40));
  });
});
