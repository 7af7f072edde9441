import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { type GitInputs, resolveGit } from '../../src/git/resolve.js';
import { createRedactor } from '../../src/output/redact.js';
import { apiKey, leakIn, password, userName } from '../helpers/secret-arbitraries.js';

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

  it('ignores, with a warning, a checkout commit that is no SHA (a git shim on the PATH printed something else)', async () => {
    const result = await resolveGit(
      inputs({ readLocal: async () => ({ repositoryUrl: 'git@github.com:acme/local.git', commitSha: 'garbage' }) }),
    );
    expect(result.git).toBeUndefined();
    expect(result.warnings.join('\n')).toMatch(/Ignored the commit SHA from the local checkout/);
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

  it('reads the scp form with a password as the README promises: the user stays, the password goes', async () => {
    const result = await resolveGit(inputs({ flagUrl: 'bot:TOKEN@github.com:org/repo.git', flagSha: SHA_FLAG }));
    expect(result.git?.repository_url).toBe('bot@github.com:org/repo.git');
    expect(result.repositoryUrl?.source).toBe('--git-repository-url, credentials removed');
  });

  it.each(['https://tok:x@', 'bot:pw@', 'https://tok:x@/org/repo'])(
    'refuses the repository URL %s, user info with no host, without echoing it',
    async (flagUrl) => {
      const run = resolveGit(inputs({ flagUrl, flagSha: SHA_FLAG }));
      await expect(run).rejects.toThrow(/^--git-repository-url: .* holds user info \(user:password@\) but no host\.$/);
      await expect(resolveGit(inputs({ flagUrl, flagSha: SHA_FLAG }))).rejects.not.toThrow(/pw|tok:x/);
    },
  );

  it('never echoes a value that may be a credential (a key in DD_GIT_COMMIT_SHA or DD_GIT_REPOSITORY_URL)', async () => {
    const key = 'abcdef0123456789abcdef0123456789';
    await expect(resolveGit(inputs({ env: { DD_GIT_COMMIT_SHA: key } }))).rejects.toThrow(
      /^DD_GIT_COMMIT_SHA: the value \(not shown: it may be a credential\) is not a commit SHA/,
    );
    await expect(
      resolveGit(inputs({ env: { DD_GIT_REPOSITORY_URL: key, DD_GIT_COMMIT_SHA: SHA_ENV } })),
    ).rejects.toThrow(
      /^DD_GIT_REPOSITORY_URL: the value \(not shown: it may be a credential\) is (not a repository URL|a folder)/,
    );
    // A plain mistake is shown, so the user sees what was read.
    await expect(resolveGit(inputs({ flagUrl: 'shop', flagSha: SHA_FLAG }))).rejects.toThrow(
      /^--git-repository-url: "shop" is a folder on this machine/,
    );
    const ci = await resolveGit(inputs({ env: { ...gitlab, CI_COMMIT_SHA: key }, readLocal: async () => ({}) }));
    expect(ci.warnings.join('\n')).toMatch(
      /Ignored the commit SHA from the GitLab CI environment \(the value \(not shown/,
    );
    expect(ci.warnings.join('\n')).not.toContain(key);
  });

  it('removes user info whatever the password holds, at every level, and tells the redactor', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('flag', 'environment', 'ci', 'local'),
        userName,
        password,
        async (level, user, pw) => {
          const raw = `https://${user}:${pw}@git.example.com/team/app.git`;
          const redactor = createRedactor();
          const env: Record<string, string> = level === 'environment' ? { DD_GIT_REPOSITORY_URL: raw } : {};
          if (level === 'ci') Object.assign(env, { GITLAB_CI: 'true', CI_REPOSITORY_URL: raw, CI_COMMIT_SHA: SHA_CI });
          const result = await resolveGit(
            inputs({
              env,
              redactor,
              ...(level === 'flag' ? { flagUrl: raw } : {}),
              ...(level === 'ci' ? {} : { flagSha: SHA_FLAG }),
              readLocal: async () => (level === 'local' ? { repositoryUrl: raw, commitSha: SHA_LOCAL } : {}),
            }),
          );
          expect(result.git?.repository_url).toBe('https://git.example.com/team/app.git');
          expect(leakIn(JSON.stringify(result), pw)).toBeUndefined();
          expect(leakIn(redactor.redact(`remote ${raw} and ${pw}`), pw)).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('repository comparison ignores case where the host does', () => {
  const actions = (repository: string, server = 'https://github.com') => ({
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: server,
    GITHUB_REPOSITORY: repository,
    GITHUB_SHA: SHA_CI,
  });

  it('pairs GITHUB_REPOSITORY=Org/Repo with --git-repository-url https://github.com/org/repo', async () => {
    const result = await resolveGit(inputs({ env: actions('Org/Repo'), flagUrl: 'https://github.com/org/repo' }));
    expect(result.git).toEqual({ repository_url: 'https://github.com/org/repo', commit_sha: SHA_CI });
  });

  it.each<[string, string, Record<string, string>]>([
    [
      'gitlab.com',
      'gitlab.com',
      { GITLAB_CI: 'true', CI_REPOSITORY_URL: 'https://gitlab.com/Group/Proj.git', CI_COMMIT_SHA: SHA_CI },
    ],
    [
      'a self-managed GitLab (CI_SERVER_URL)',
      'git.corp.example',
      {
        GITLAB_CI: 'true',
        CI_SERVER_URL: 'https://git.corp.example',
        CI_REPOSITORY_URL: 'https://gitlab-ci-token:x@git.corp.example/Group/Proj.git',
        CI_COMMIT_SHA: SHA_CI,
      },
    ],
  ])('on %s', async (_, host, env) => {
    const result = await resolveGit(inputs({ env, flagUrl: `git@${host}:group/proj.git` }));
    expect(result.git?.commit_sha).toBe(SHA_CI);
  });

  it('on a GitHub Enterprise server named by GITHUB_SERVER_URL, and on any host for the host name', async () => {
    const ghes = actions('Org/Repo', 'https://GHE.corp.example');
    expect((await resolveGit(inputs({ env: ghes, flagUrl: 'https://ghe.corp.example/org/repo' }))).git).toBeDefined();
  });

  it('keeps the case of owner and name on other hosts, where they may name different repositories', async () => {
    const env = {
      JENKINS_URL: 'https://ci.example/',
      GIT_URL: 'https://git.other.example/Org/Repo',
      GIT_COMMIT: SHA_CI,
    };
    await expect(resolveGit(inputs({ env, flagUrl: 'https://GIT.other.example/org/repo' }))).rejects.toThrow(
      /different repositories/,
    );
    const same = await resolveGit(inputs({ env, flagUrl: 'https://GIT.other.example/Org/Repo.git' }));
    expect(same.git?.commit_sha).toBe(SHA_CI);
  });

  it('never treats a key-shaped owner differently: only case changes', async () => {
    await fc.assert(
      fc.asyncProperty(apiKey, async (name) => {
        const result = await resolveGit(
          inputs({ env: actions(`Org/${name.toUpperCase()}`), flagUrl: `https://github.com/ORG/${name}` }),
        );
        expect(result.git?.commit_sha).toBe(SHA_CI);
      }),
      { numRuns: 20 },
    );
  });
});
