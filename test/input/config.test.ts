import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { apiKey, leakIn, password, token, userName } from '../helpers/secret-arbitraries.js';

describe('readConfig', () => {
  it('prefers DATADOG_* over DD_* for the key and the site', () => {
    const config = readConfig({ DATADOG_API_KEY: 'a', DD_API_KEY: 'b', DATADOG_SITE: 'datadoghq.eu', DD_SITE: 'x' });
    expect(config.apiKey).toBe('a');
    expect(config.site).toBe('datadoghq.eu');
  });

  it('treats empty and blank variables as unset', () => {
    const config = readConfig({ DATADOG_API_KEY: '', DD_API_KEY: 'b', DD_SERVICE: '  ', DD_SITE: '', NO_COLOR: '' });
    expect(config.apiKey).toBe('b');
    expect(config.service).toBeUndefined();
    expect(config.site).toBeUndefined();
    expect(config.noColor).toBe(false);
    expect(config.vars).not.toHaveProperty('DD_SERVICE');
  });

  it('reads proxies in either case, lower case first as curl does', () => {
    expect(readConfig({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }).proxy.httpsProxy?.url).toBe(
      'http://lower:1',
    );
    expect(readConfig({ NO_PROXY: 'localhost' }).proxy.noProxy).toBe('localhost');
    expect(readConfig({ HTTP_PROXY: 'proxy.internal:3128' }).proxy.httpProxy?.url).toBe('http://proxy.internal:3128');
  });

  it.each([
    ['a space', 'http://bob:hunter 2@127.0.0.1:3128', 'hunter%202'],
    ['a #', 'http://bob:hun#ter@127.0.0.1:3128', 'hun%23ter'],
    ['a /', 'http://bob:hun/ter@127.0.0.1:3128', 'hun%2Fter'],
    ['an @', 'http://bob:p@ss@127.0.0.1:3128', 'p%40ss'],
    ['percent-encoding already', 'http://bob:p%40ss@127.0.0.1:3128', 'p%40ss'],
  ])('takes a proxy password holding %s as typed, encoded for the agent and never shown', (_, raw, encoded) => {
    const proxy = readConfig({ HTTPS_PROXY: raw }).proxy.httpsProxy;
    expect(proxy?.url).toBe(`http://bob:${encoded}@127.0.0.1:3128`);
    expect(proxy?.display).toBe('http://127.0.0.1:3128');
    expect(proxy?.hasCredentials).toBe(true);
  });

  it('keeps an unusable proxy URL as a problem naming the variable, without its password', () => {
    const config = readConfig({ https_proxy: 'http://ci-bot:S3CRET-pw@proxy.example:notaport' });
    expect(config.proxy.httpsProxy).toBeUndefined();
    expect(config.problems.proxy).toBe(
      'https_proxy: "http://proxy.example:notaport" is not a proxy URL such as http://proxy.example:3128 ' +
        '(credentials, when it needs them, go before the host as user:password@).',
    );
    expect(config.secrets).toContain('S3CRET-pw');
  });

  it('refuses a proxy with user info but no host (an unset $PROXY_HOST), without echoing it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'),
        userName,
        password,
        (name, user, pw) => {
          const config = readConfig({ [name]: `http://${user}:${pw}@` });
          expect(config.proxy).toEqual({});
          expect(config.problems.proxy).toMatch(
            new RegExp(`^${name}: .*holds user info \\(user:password@\\) but no proxy host`),
          );
          expect(leakIn(config.problems.proxy ?? '', pw)).toBeUndefined();
          expect(config.secrets).toEqual(expect.arrayContaining([`${user}:${pw}@`, pw]));
        },
      ),
    );
  });

  it('does not take a key pasted into HTTPS_PROXY for a host name, and does not echo it', () => {
    fc.assert(
      fc.property(fc.oneof(apiKey, token), (key) => {
        const config = readConfig({ HTTPS_PROXY: key });
        expect(config.proxy.httpsProxy).toBeUndefined();
        expect(config.problems.proxy).toMatch(/^HTTPS_PROXY: the value \(not shown: it may be a credential\)/);
        expect(config.problems.proxy).not.toContain(key);
      }),
    );
  });

  it('reads DATADOG_FIPS as a boolean: the usual spellings of off are off, anything unknown is a problem', () => {
    for (const off of ['off', 'false', '0', 'no', 'FALSE'])
      expect(readConfig({ DATADOG_FIPS: off })).toMatchObject({ fips: false, problems: {} });
    expect(readConfig({ DATADOG_FIPS: 'true' }).fips).toBe(true);
    expect(readConfig({ DATADOG_FIPS: 'maybe' }).problems.fips).toMatch(/DATADOG_FIPS: "maybe" is not a boolean/);
  });

  it('checks the key format where it is read, naming the variable, and remembers every key as a secret', () => {
    const config = readConfig({
      DD_API_KEY: 'abcd efgh',
      DD_APP_KEY: 'app-key-0123456789',
      DATADOG_APP_KEY: 'winner-app-key-01234',
    });
    expect(config.apiKey).toBeUndefined();
    expect(config.problems.apiKey).toMatch(/^DD_API_KEY contains spaces/);
    expect(config.appKey).toBe('winner-app-key-01234');
    expect(config.sources.appKey).toBe('DATADOG_APP_KEY');
    expect(config.secrets).toEqual(expect.arrayContaining(['abcd efgh', 'app-key-0123456789', 'winner-app-key-01234']));
  });

  it('knows when it runs in CI', () => {
    expect(readConfig({ CI: 'true' }).ci).toBe(true);
    expect(readConfig({ CI: 'false' }).ci).toBe(false);
    expect(readConfig({}).ci).toBe(false);
  });

  it('trims stray whitespace and newlines around DD_SERVICE, DD_ENV and DD_VERSION', () => {
    const config = readConfig({ DD_SERVICE: ' checkout ', DD_ENV: 'prod\n', DD_VERSION: '1.2.3\r\n' });
    expect([config.service, config.env, config.version]).toEqual(['checkout', 'prod', '1.2.3']);
  });
});
