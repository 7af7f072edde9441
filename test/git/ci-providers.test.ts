import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

import { CI_PROVIDERS, type CiIo, detectCiProvider, type Env } from '../../src/git/ci-providers.js';
import { displayUrl } from '../../src/url.js';
import type { CiFixture } from '../fixtures/ci/types.js';

interface FixtureModule {
  cases: CiFixture[];
}

const fixturesDir = fileURLToPath(new URL('../fixtures/ci/', import.meta.url));
const fixtureSlugs = readdirSync(fixturesDir)
  .filter((file) => file.endsWith('.ts') && file !== 'types.ts') // types.ts holds the fixtures' type, no cases
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const fixtures: ReadonlyArray<readonly [string, FixtureModule]> = await Promise.all(
  fixtureSlugs.map(async (slug) => {
    const module = (await import(new URL(`../fixtures/ci/${slug}.ts`, import.meta.url).href)) as FixtureModule;
    return [slug, module] as const;
  }),
);

function ioFor(files: Readonly<Record<string, string>> = {}): CiIo {
  return { readFile: (path) => files[path] };
}

describe('CI provider table', () => {
  it('has a fixture file for every provider and a provider for every fixture file', () => {
    const ids = CI_PROVIDERS.map((provider) => provider.id).sort();
    expect(fixtureSlugs).toEqual(ids);
  });

  it('uses unique ids and names', () => {
    expect(new Set(CI_PROVIDERS.map((p) => p.id)).size).toBe(CI_PROVIDERS.length);
    expect(new Set(CI_PROVIDERS.map((p) => p.name)).size).toBe(CI_PROVIDERS.length);
  });

  it.each(fixtures)('%s: fixtures detect their own provider', (slug, module) => {
    const provider = CI_PROVIDERS.find((p) => p.id === slug);
    expect(provider).toBeDefined();
    const detected = module.cases.filter((c) => c.expected !== undefined);
    expect(detected.length).toBeGreaterThan(0);
    for (const c of detected) expect(c.expected?.provider, c.name).toBe(provider?.name);
  });
});

for (const [slug, module] of fixtures) {
  describe(`fixtures: ${slug}`, () => {
    it.each(module.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const result = detectCiProvider(c.env, ioFor(c.files));
      expect(result).toStrictEqual(c.expected);

      if (c.secret !== undefined) {
        expect(result?.repositoryUrl).toContain(c.secret);
        const sanitized = displayUrl(result?.repositoryUrl ?? '');
        expect(sanitized).not.toContain(c.secret);
        expect(sanitized).toBe(c.sanitizedUrl);
      }
    });
  });
}

describe('detectCiProvider', () => {
  const plainEnv: Env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: '/home/dev',
    SHELL: '/bin/zsh',
    LANG: 'en_US.UTF-8',
    TERM: 'xterm-256color',
  };

  it('returns undefined outside any CI', () => {
    expect(detectCiProvider(plainEnv, ioFor())).toBeUndefined();
  });

  it('returns undefined for a generic CI=true without a provider marker', () => {
    expect(detectCiProvider({ ...plainEnv, CI: 'true' }, ioFor())).toBeUndefined();
  });

  it('treats empty and blank markers as unset', () => {
    const blank: Env = {
      ...plainEnv,
      GITHUB_ACTIONS: '',
      GITLAB_CI: '  ',
      JENKINS_URL: '',
      CIRCLECI: '',
      BUILDKITE: '',
      TF_BUILD: ' ',
      BITBUCKET_BUILD_NUMBER: '',
      BITRISE_IO: '',
      APPVEYOR: '',
      TRAVIS: '',
      HARNESS_BUILD_ID: '',
      DRONE: '',
      BUDDY: '',
      CF_BUILD_ID: '',
      TEAMCITY_VERSION: '',
      CODEBUILD_BUILD_ID: '',
      SEMAPHORE: '',
      BUILDER_OUTPUT: '',
      VERCEL: '',
      NETLIFY: '',
      RENDER: '',
    };
    expect(detectCiProvider(blank, ioFor())).toBeUndefined();
  });

  it('reads nothing from process.env', () => {
    const saved = process.env.GITHUB_ACTIONS;
    process.env.GITHUB_ACTIONS = 'true';
    try {
      expect(detectCiProvider(plainEnv, ioFor())).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.GITHUB_ACTIONS;
      else process.env.GITHUB_ACTIONS = saved;
    }
  });

  it('reads the GitHub event file only for pull request events', () => {
    const readFile = vi.fn((_path: string): string | undefined => undefined);
    const env: Env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
      GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
    };
    detectCiProvider({ ...env, GITHUB_EVENT_NAME: 'push' }, { readFile });
    expect(readFile).not.toHaveBeenCalled();
    detectCiProvider({ ...env, GITHUB_EVENT_NAME: 'pull_request' }, { readFile });
    expect(readFile).toHaveBeenCalledWith('/home/runner/work/_temp/_github_workflow/event.json');
  });

  it('falls back to GITHUB_SHA when reading the event file throws', () => {
    const facts = detectCiProvider(
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: '/tmp/event.json',
        GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
      },
      {
        readFile: () => {
          throw new Error('EACCES');
        },
      },
    );
    expect(facts?.commitSha).toBe('3f786850e387550fdab836ed7e6dc881de23001b');
  });

  it('prefers the first matching provider in table order', () => {
    // Harness exports DRONE=true as well; it must not be reported as Drone.
    expect(detectCiProvider({ DRONE: 'true', HARNESS_BUILD_ID: '12' }, ioFor())?.provider).toBe('Harness CI');
  });
});
