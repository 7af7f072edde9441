import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { displayCommand } from '../../src/output/command-line.js';
import { argvSecrets } from '../../src/output/redact.js';
import {
  caseInsensitiveHosts,
  displayUrl,
  hasUserInfo,
  isLocalPath,
  parseApiUrl,
  parseProxyUrl,
  removeUserInfoInText,
  repositoryKey,
  repositoryUrlProblem,
  splitUrl,
  urlSecrets,
  userInfoOf,
} from '../../src/url.js';
import { leakIn, password, userName } from '../helpers/secret-arbitraries.js';

const HOSTS = ['github.com', 'git.example.com:8443', '127.0.0.1:3128', '[::1]:8080', 'localhost', 'gitlab.example.com'];
const host = fc.constantFrom(...HOSTS);
const path = fc.constantFrom('', '/', '/team/app.git', '/g/sub/p', '/a%20b/c.git');
const scheme = fc.constantFrom('https', 'http', 'ssh', 'git+ssh');

describe('user info is everything between scheme:// and the last @ before the host', () => {
  it('holds for any password over the printable range, in every URL dora reads', () => {
    fc.assert(
      fc.property(scheme, userName, password, host, path, (s, user, pw, h, p) => {
        const url = `${s}://${user}:${pw}@${h}${p}`;
        expect(splitUrl(url)).toEqual({ scheme: `${s}://`, userInfo: `${user}:${pw}`, rest: `${h}${p}` });
        expect(userInfoOf(url)).toEqual({ userInfo: `${user}:${pw}`, user, password: pw });
        expect(displayUrl(url)).toBe(`${s}://${h}${p}`);
        expect(hasUserInfo(url)).toBe(true);
        expect(urlSecrets(url)).toEqual(expect.arrayContaining([`${user}:${pw}@`, pw]));
      }),
    );
  });

  it('takes the example of the issue whole: a # does not start a fragment inside the password', () => {
    const url = 'https://deploy:Tr0ub4dor#3xyz@git.example.com/team/app.git';
    expect(displayUrl(url)).toBe('https://git.example.com/team/app.git');
    expect(userInfoOf(url)?.password).toBe('Tr0ub4dor#3xyz');
  });

  it('reads the scp form the same way, keeping its user name and dropping any password', () => {
    fc.assert(
      fc.property(userName, password, (user, pw) => {
        const url = `${user}:${pw}@github.com:org/repo.git`;
        expect(displayUrl(url)).toBe(`${user}@github.com:org/repo.git`);
        expect(hasUserInfo(url)).toBe(true);
        expect(repositoryUrlProblem(url)).toBeUndefined();
        expect(urlSecrets(url)).toEqual(expect.arrayContaining([`${user}:${pw}@`, pw]));
      }),
    );
  });

  it('leaves paths, the plain scp form and text without user info as they are', () => {
    expect(splitUrl('git@github.com:acme/shop.git')).toEqual({
      scheme: '',
      userInfo: 'git',
      rest: 'github.com:acme/shop.git',
    });
    expect(hasUserInfo('git@github.com:acme/shop.git')).toBe(false);
    expect(urlSecrets('git@github.com:acme/shop.git')).toEqual([]);
    expect(urlSecrets('ssh://git@github.com/acme/shop.git')).toEqual([]);
    for (const text of ['/srv/a@b/repo', './x@y', 'C:\\repos\\a@b', 'D:/a@b', 'https://github.com/acme/shop']) {
      expect(splitUrl(text).userInfo).toBeUndefined();
      expect(hasUserInfo(text)).toBe(false);
    }
  });

  it('takes a long user name without a password for a token', () => {
    expect(urlSecrets('https://ghp_T0kenT0kenT0ken@github.com/a/b')).toEqual(['ghp_T0kenT0kenT0ken@']);
    expect(urlSecrets('https://bot@github.com/a/b')).toEqual([]);
  });

  it('cuts at the last @ even when the path holds one: the URL comes out shorter, never with user info', () => {
    expect(displayUrl('https://u:p@host/a@b')).toBe('https://b');
  });
});

describe('displayUrl (what is sent and shown)', () => {
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
    ['bot:TO/KEN:x@github.com:acme/shop.git', 'bot@github.com:acme/shop.git'],
    // A `:` before the `@` in the scp form is a password, whatever the host looks like.
    ['host:team@2024:repo', 'host@2024:repo'],
    ['http://Host.Example:80/Path/Repo.git', 'http://Host.Example:80/Path/Repo.git'],
    ['/srv/git/shop.git', '/srv/git/shop.git'],
    ['  https://github.com/acme/shop.git\n', 'https://github.com/acme/shop.git'],
  ])('%s → %s', (input, expected) => {
    expect(displayUrl(input)).toBe(expected);
    expect(hasUserInfo(displayUrl(input))).toBe(false);
  });
});

describe('user info in free text, for URLs nobody named', () => {
  it('is removed up to the last @ before a host, within one word', () => {
    expect(
      removeUserInfoInText(
        'connect to https://user:hunter2@proxy.example:3128 failed; also http://tok@h/x, ssh://git:pw@g/r and ' +
          'https://u:p@ss#1@host/x',
      ),
    ).toBe('connect to https://proxy.example:3128 failed; also http://h/x, ssh://g/r and https://host/x');
  });

  it('keeps the strings of a JSON result apart', () => {
    const json = '{"a":"https://github.com/org/x","b":"https://u:pw@h.example/y","c":"me@example.com"}';
    expect(removeUserInfoInText(json)).toBe(
      '{"a":"https://github.com/org/x","b":"https://h.example/y","c":"me@example.com"}',
    );
  });

  it('holds for passwords without whitespace or quotes', () => {
    const plain = password.filter((pw) => !/[\s"'<>`]/.test(pw));
    fc.assert(
      fc.property(scheme, userName, plain, host, path, (s, user, pw, h, p) => {
        const out = removeUserInfoInText(`error at ${s}://${user}:${pw}@${h}${p} (retrying)`);
        expect(leakIn(out, pw)).toBeUndefined();
        expect(out).toBe(`error at ${s}://${h}${p} (retrying)`);
      }),
    );
  });
});

describe('a URL with user info but no host', () => {
  const noHost = fc.tuple(scheme, userName, password, fc.constantFrom('', '/path', '?q=1', '#f', ' ', ':8080'));

  it('is refused as a repository URL, a proxy and an API URL, without echoing it', () => {
    fc.assert(
      fc.property(noHost, ([s, user, pw, after]) => {
        const url = `${s}://${user}:${pw}@${after}`;
        expect(repositoryUrlProblem(url)).toMatch(/user info .* but no host/);
        expect(repositoryUrlProblem(`${user}:${pw}@`)).toMatch(/but no host/);
        const proxy = parseProxyUrl(url.replace(/^[^:]+/, 'http'));
        expect(typeof proxy).toBe('string');
        expect(leakIn(String(proxy), pw)).toBeUndefined();
        expect(() => parseApiUrl(url.replace(/^[^:]+/, 'https'))).toThrow(UsageError);
        try {
          parseApiUrl(url.replace(/^[^:]+/, 'https'));
        } catch (error) {
          expect(leakIn((error as Error).message, pw)).toBeUndefined();
        }
      }),
    );
  });

  it.each(['http://bot:pw@', 'https://tok:x@', 'http://bot:pw@/'])('%s', (url) => {
    expect(parseProxyUrl(url)).toBe('holds user info (user:password@) but no proxy host.');
    expect(repositoryUrlProblem(url)).toBe('holds user info (user:password@) but no host');
    expect(() => parseApiUrl(url.replace('http:', 'https:'))).toThrow(/must not carry user info .*names no host/);
  });
});

describe('parseProxyUrl', () => {
  it('hands the agent any password intact, percent-encoded, and shows the proxy without it', () => {
    fc.assert(
      fc.property(
        userName,
        password,
        fc.constantFrom('127.0.0.1:3128', 'proxy.example:8080', '[::1]:3128'),
        (user, pw, h) => {
          const proxy = parseProxyUrl(`http://${user}:${pw}@${h}`);
          if (typeof proxy === 'string') throw new Error(proxy);
          const url = new URL(proxy.url);
          expect(decodeURIComponent(url.username)).toBe(user);
          // A password already percent-encoded is taken as encoded (p%40ss is p@ss), as curl does.
          expect(decodeURIComponent(url.password)).toBe(safeDecode(pw));
          expect(proxy.display).toBe(`http://${h}`);
          expect(proxy.hasCredentials).toBe(true);
        },
      ),
    );
  });

  it.each([
    ['proxy.internal:3128', 'http://proxy.internal:3128'],
    ['http://proxy.internal', 'http://proxy.internal'],
    ['https://proxy.internal:443/', 'https://proxy.internal'],
    ['HTTP://Proxy.Internal:3128', 'http://proxy.internal:3128'],
    ['proxy_1.internal:3128', 'http://proxy_1.internal:3128'],
  ])('reads %s as %s', (raw, url) => {
    expect(parseProxyUrl(raw)).toMatchObject({ url, hasCredentials: false });
  });

  it.each([
    ['socks5://proxy:1080', /http:\/\/ or https:\/\//],
    ['http://proxy.example:notaport', /is not a proxy URL/],
    ['http://proxy.example/path', /is not a proxy URL/],
    // A key pasted into HTTPS_PROXY: no scheme, no port, so not taken for a host name to look up.
    ['abcdef0123456789abcdef0123456789', /neither a scheme nor a port/],
    ['proxy.internal', /neither a scheme nor a port/],
    ['http://abcdef0123456789abcdef0123456789', /names a host \(not shown: it may be a credential\)/],
    ['https://ghp_T0kenT0kenT0kenT0ken/', /names a host \(not shown: it may be a credential\)/],
  ])('refuses %s', (raw, why) => {
    expect(parseProxyUrl(raw)).toMatch(why);
  });
});

describe('parseApiUrl', () => {
  it('refuses user info before a URL parser sees it, whatever the password holds', () => {
    fc.assert(
      fc.property(userName, password, (user, pw) => {
        let message = '';
        try {
          parseApiUrl(`https://${user}:${pw}@gw.example/base`);
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toMatch(/^--api-url \/ DORA_API_URL must not carry user info/);
        expect(leakIn(message, pw)).toBeUndefined();
      }),
    );
  });

  it('refuses a key pasted after https:// without echoing it, and takes short single-label hosts', () => {
    expect(() => parseApiUrl('https://abcdef0123456789abcdef0123456789', 'DORA_API_URL')).toThrow(
      'DORA_API_URL: its host (not shown: it may be a credential) is no host name such as gw.example.com.',
    );
    expect(parseApiUrl('https://gateway01')).toBe('https://gateway01');
    expect(parseProxyUrl('http://squid01')).toMatchObject({ url: 'http://squid01' });
    expect(parseProxyUrl('http://abcdef0123456789abcdef:3128')).toMatchObject({
      display: 'http://abcdef0123456789abcdef:3128',
    });
  });

  it('names where the URL came from, and echoes a value only when it cannot be a credential', () => {
    expect(() => parseApiUrl('not a url', 'DORA_API_URL')).toThrow('DORA_API_URL: "not a url" is not a URL.');
    expect(() => parseApiUrl('abcdef0123456789abcdef0123456789', 'DORA_API_URL')).toThrow(
      /^DORA_API_URL: the value \(not shown: it may be a credential\) is not a URL\.$/,
    );
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
    // The README's promise: the scp form with a password is sent without it, not refused.
    'bot:TOKEN@github.com:org/repo.git',
    'https://deploy:Tr0ub4dor#3xyz@git.example.com/team/app.git',
    'https://u:pa ss\tword@github.com/acme/shop.git',
  ])('accepts the URL %s', (url) => {
    expect(repositoryUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['/srv/git/shop.git', /folder/],
    ['file:///srv/git/shop.git', /folder/],
    ['shop', /not a repository URL/],
    ['github.com/acme/shop', /not a repository URL/],
    ['https:///acme/shop', /not a repository URL/],
    ['s3://bucket/key', /not a repository URL/],
    ['https://github.com/a\tb', /control characters/],
    [`https://github.com/${'a'.repeat(2048)}`, /longer than 2048/],
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
      'https://bot:p@ss#w/rd@github.com/org/x',
    ].map((url) => repositoryKey(url));
    expect(new Set(keys)).toEqual(new Set(['github.com/org/x']));
  });

  it('compares owner and name case-insensitively on github.com, gitlab.com and bitbucket.org', () => {
    for (const h of ['github.com', 'gitlab.com', 'bitbucket.org', 'GitHub.com']) {
      expect(repositoryKey(`https://${h}/Org/Repo`)).toBe(repositoryKey(`git@${h.toLowerCase()}:org/repo.git`));
    }
  });

  it('keeps the case of paths on other hosts, unless the CI provider names that host as its GitHub or GitLab', () => {
    const a = 'https://git.corp.example/Org/Repo';
    const b = 'https://git.corp.example/org/repo';
    expect(repositoryKey(a)).not.toBe(repositoryKey(b));
    for (const vars of [
      { GITHUB_SERVER_URL: 'https://git.corp.example' },
      { CI_SERVER_URL: 'https://Git.Corp.Example:8443' },
      { CI_SERVER_HOST: 'git.corp.example' },
    ]) {
      const hosts = caseInsensitiveHosts(vars);
      expect(hosts).toContain('git.corp.example');
      expect(repositoryKey(a, hosts)).toBe(repositoryKey(b, hosts));
    }
  });

  it('tells different repositories apart', () => {
    expect(repositoryKey('https://github.com/org/x')).not.toBe(repositoryKey('https://github.com/org/y'));
    expect(repositoryKey('https://github.com/org/x')).not.toBe(repositoryKey('https://gitlab.com/org/x'));
  });
});

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

describe('long text', () => {
  // A regex that restarted a scheme at every letter of a long word took minutes on a 1 MB value: these finish within
  // the test's time only when the scan is linear.
  it('finds user info in, and passes through, megabytes of text without a scheme', () => {
    const long = 'x'.repeat(2_000_000);
    expect(removeUserInfoInText(long)).toBe(long);
    expect(removeUserInfoInText(`${long} https://bob:pw@host.example/${long}`)).toBe(
      `${long} https://host.example/${long}`,
    );
  });

  it('masks the arguments of a long command line, and reads secrets from it, as fast', () => {
    const word = 'y'.repeat(500_000);
    expect(displayCommand(['deploy', word])).toBe(`deploy ${word}`);
    expect(argvSecrets(['deployment', '--version', word])).toEqual([]);
  });
});
