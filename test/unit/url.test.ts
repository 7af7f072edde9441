import { describe, expect, it } from 'vitest';
import {
  hasUserInfo,
  isLocalPath,
  repositoryKey,
  repositoryUrlProblem,
  sanitizeRepositoryUrl,
} from '../../src/git/url.js';

describe('sanitizeRepositoryUrl', () => {
  it.each([
    ['https://bot:TOKEN@github.com/acme/shop.git', 'https://github.com/acme/shop.git'],
    ['https://x-access-token:ghs_abc@github.com/acme/shop', 'https://github.com/acme/shop'],
    ['https://TOKEN@github.com/acme/shop.git', 'https://github.com/acme/shop.git'],
    ['https://:TOKEN@github.com/acme/shop.git', 'https://github.com/acme/shop.git'],
    ['https://us%40er:p%3Ass@gitlab.example.com:8443/g/p.git', 'https://gitlab.example.com:8443/g/p.git'],
    ['https://user:p@ss@host.example/r.git', 'https://host.example/r.git'],
    ['ssh://git:secret@git.example.com:2222/acme/shop.git', 'ssh://git.example.com:2222/acme/shop.git'],
    ['ssh://git@github.com/acme/shop.git', 'ssh://github.com/acme/shop.git'],
    ['https://github.com/acme/shop.git?token=abc#frag', 'https://github.com/acme/shop.git'],
    ['https://host.example?x=1', 'https://host.example'],
    ['git@github.com:acme/shop.git', 'git@github.com:acme/shop.git'],
    ['bot:TOKEN@github.com:acme/shop.git', 'bot@github.com:acme/shop.git'],
    ['bot:@github.com:acme/shop.git', 'bot@github.com:acme/shop.git'],
    ['bot:TO@KEN@github.com:acme/shop.git', 'bot@github.com:acme/shop.git'],
    ['host:team@2024:repo', 'host:team@2024:repo'],
    ['http://Host.Example:80/Path/Repo.git', 'http://Host.Example:80/Path/Repo.git'],
    ['/srv/git/shop.git', '/srv/git/shop.git'],
    ['  https://github.com/acme/shop.git\n', 'https://github.com/acme/shop.git'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeRepositoryUrl(input)).toBe(expected);
    expect(hasUserInfo(sanitizeRepositoryUrl(input))).toBe(false);
  });

  it('detects user info only in the authority', () => {
    expect(hasUserInfo('https://a:b@host/x')).toBe(true);
    expect(hasUserInfo('https://host/a@b')).toBe(false);
    expect(hasUserInfo('git@github.com:acme/shop.git')).toBe(false);
    expect(hasUserInfo('bot:TOKEN@github.com:acme/shop.git')).toBe(true);
  });
});

describe('isLocalPath', () => {
  it.each([
    '/srv/git/shop.git',
    './shop',
    '../shop',
    'shop',
    '~/repos/shop',
    'file:///srv/git/shop.git',
    'C:\\repos\\shop',
    'D:/repos/shop',
  ])('%s is a folder on this machine', (remote) => expect(isLocalPath(remote)).toBe(true));

  it.each([
    'https://github.com/acme/shop.git',
    'git@github.com:acme/shop.git',
    'ssh://git@host:2222/r.git',
    'host.example:team/repo',
  ])('%s is a URL', (remote) => expect(isLocalPath(remote)).toBe(false));
});

describe('repositoryUrlProblem', () => {
  it.each([
    'https://github.com/acme/shop.git',
    'http://git.internal/acme/shop',
    'ssh://git@github.com:22/acme/shop.git',
    'git://git.example/shop.git',
    'git@github.com:acme/shop.git',
  ])('accepts the URL %s', (url) => {
    expect(repositoryUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['/srv/git/shop.git', /folder/],
    ['file:///srv/git/shop.git', /folder/],
    ['shop', /not a repository URL/],
    ['github.com/acme/shop', /not a repository URL/],
    ['https:///acme/shop', /not a repository URL/],
    ['s3://bucket/key', /not a repository URL/],
    ['https://github.com/a\tb', /control characters/],
  ])('refuses %j', (url, why) => {
    expect(repositoryUrlProblem(url)).toMatch(why);
  });
});

describe('repositoryKey', () => {
  it('gives one key for the spellings of one repository', () => {
    const keys = [
      'https://github.com/org/x',
      'git@github.com:org/x.git',
      'https://token@GitHub.com/org/x.git/',
      'ssh://git@github.com:22/org/x.git',
    ].map(repositoryKey);
    expect(new Set(keys)).toEqual(new Set(['github.com/org/x']));
  });

  it('tells different repositories apart', () => {
    expect(repositoryKey('https://github.com/org/x')).not.toBe(repositoryKey('https://github.com/org/y'));
    expect(repositoryKey('https://github.com/org/x')).not.toBe(repositoryKey('https://gitlab.com/org/x'));
  });
});
