import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argvSecrets, createRedactor, environmentSecrets } from '../../src/output/redact.js';
import { urlSecrets } from '../../src/url.js';
import { apiKey, leakIn, password, token, userName } from '../helpers/secret-arbitraries.js';

describe('the redactor masks known secrets', () => {
  it('in every spelling: raw, percent-encoded and decoded', () => {
    const redactor = createRedactor(['p@ss word/#1']);
    expect(redactor.redact('raw p@ss word/#1, encoded p%40ss%20word%2F%231')).toBe(
      'raw [redacted], encoded [redacted]',
    );
  });

  it('whatever a URL password holds, once it knows the URL', () => {
    fc.assert(
      fc.property(userName, password, fc.constantFrom('127.0.0.1:3128', 'git.example.com/a.git'), (user, pw, h) => {
        const url = `http://${user}:${pw}@${h}`;
        const redactor = createRedactor(urlSecrets(url));
        const text = `the proxy ${url} refused; ${encodeURIComponent(user)}:${encodeURIComponent(pw)}@ and ${pw} alone`;
        const out = redactor.redact(text);
        expect(leakIn(out, pw)).toBeUndefined();
        expect(out).toContain(`the proxy http://${h} refused`);
      }),
    );
  });

  it('leaves a plain user name alone (git@ in the scp form is no secret)', () => {
    const redactor = createRedactor(urlSecrets('ssh://git@github.com/acme/shop.git'));
    expect(redactor.redact('git@github.com:acme/shop.git')).toBe('git@github.com:acme/shop.git');
  });

  it('removes user info of URLs nobody named, by pattern', () => {
    expect(createRedactor().redact('GET https://u:hunter2@api.example/x failed')).toBe(
      'GET https://api.example/x failed',
    );
  });

  it('learns secrets found later', () => {
    const redactor = createRedactor();
    expect(redactor.redact('token ghp_0123456789abcdef')).toBe('token ghp_0123456789abcdef');
    redactor.add('ghp_0123456789abcdef');
    expect(redactor.redact('token ghp_0123456789abcdef')).toBe('token [redacted]');
  });

  it('escapes control characters when writing, keeping newlines and tabs; mask() leaves them', () => {
    expect(createRedactor().redact('a\u001b[2Jb\r\tc\nd')).toBe('a\\u001b[2Jb\\u000d\tc\nd');
    expect(createRedactor(['secret-value-1']).mask('\u001b secret-value-1')).toBe('\u001b [redacted]');
  });
});

describe('the redactor never masks by shape', () => {
  const hex32 = apiKey;
  it('keeps a 32-hex build id given as --version, an id or a tag, in results and bodies alike', () => {
    fc.assert(
      fc.property(hex32, apiKey, (version, key) => {
        fc.pre(version !== key);
        const argv = [
          'deployment',
          '--service',
          'api',
          '--version',
          version,
          '--id',
          version,
          `--custom-tags=b:${version}`,
        ];
        const redactor = createRedactor([...environmentSecrets({ DD_API_KEY: key }), ...argvSecrets(argv)]);
        const body = `{"data":{"attributes":{"version":"${version}","custom_tags":["b:${version}"]}}}`;
        expect(redactor.redact(body)).toBe(body);
        expect(redactor.redact(`dora incident resolve x --version ${version}`)).toContain(version);
      }),
    );
  });

  it('masks that same value when it is a key this run holds', () => {
    const key = 'abcdef0123456789abcdef0123456789';
    const redactor = createRedactor(environmentSecrets({ DD_API_KEY: key }));
    expect(redactor.redact(`"version":"${key}"`)).toBe('"version":"[redacted]"');
  });
});

describe('environmentSecrets', () => {
  it('takes every key variable, not only the winner, and the variables named as credentials', () => {
    const found = environmentSecrets({
      DATADOG_API_KEY: 'winner-api-key-0123',
      DD_API_KEY: ' losing-api-key-0123\n',
      DD_APP_KEY: 'app-key-0123456789',
      CI_JOB_TOKEN: 'glcbt-job-token-1',
      DB_PASSWORD: 'correct horse',
      'INPUT_API-KEY': 'action-input-key',
      npm_config__authToken: 'npm-token-value',
      GIT_AUTHOR_NAME: 'Jane Developer',
      PWD: '/home/runner/work',
      DD_SERVICE: 'checkout-service',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'winner-api-key-0123',
        'losing-api-key-0123',
        'app-key-0123456789',
        'glcbt-job-token-1',
        'correct horse',
        'action-input-key',
        'npm-token-value',
      ]),
    );
    expect(found).not.toEqual(expect.arrayContaining(['Jane Developer']));
    expect(found).not.toContain('/home/runner/work');
    expect(found).not.toContain('checkout-service');
  });

  it('takes the user info of a URL in any variable (a CI clone URL carries the job token)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('CI_REPOSITORY_URL', 'BUILD_REPOSITORY_URI', 'GIT_URL', 'HTTPS_PROXY', 'SOME_URL'),
        userName,
        password,
        (name, user, pw) => {
          const found = environmentSecrets({ [name]: `https://${user}:${pw}@git.example.com/g/p.git` });
          expect(found).toEqual(expect.arrayContaining([`${user}:${pw}@`, pw]));
        },
      ),
    );
  });
});

describe('argvSecrets (dora’s own command line)', () => {
  it('takes the values of credential-named options, which dora does not have, in both forms', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('--api-key', '--dd-app-key', '--token', '--password', '--client-secret', '--auth', '--apiKey'),
        token,
        (name, value) => {
          expect(argvSecrets(['deployment', `${name}=${value}`])).toContain(value);
          expect(argvSecrets(['deployment', name, value, '--service', 'x'])).toContain(value);
        },
      ),
    );
  });

  it('does not take a value by its shape, nor an option that follows a credential option', () => {
    const key = 'abcdef0123456789abcdef0123456789';
    expect(argvSecrets(['--site', key, '--version', key, '--id', key])).toEqual([]);
    expect(argvSecrets(['--token', '--verbose'])).toEqual([]);
  });

  it('takes the user info of URLs, the wrapped command’s too, but not its other arguments', () => {
    expect(
      argvSecrets([
        '--git-repository-url',
        'https://bot:ghp_T0KEN@github.com/a/b',
        '--',
        'git',
        'push',
        'https://ci:pass-w0rd@git.example/x',
        '--skip-auth',
        'checkout-api',
      ]),
    ).toEqual(expect.arrayContaining(['bot:ghp_T0KEN@', 'ghp_T0KEN', 'ci:pass-w0rd@', 'pass-w0rd']));
    expect(
      argvSecrets(['deployment', '--service', 'checkout-api', '--', './deploy', '--skip-auth', 'checkout-api']),
    ).toEqual([]);
  });

  it('takes a password from the scp form and from a URL with spaces in its password', () => {
    expect(argvSecrets(['--git-repository-url', 'bot:TOKEN-123@github.com:o/r.git'])).toContain('TOKEN-123');
    expect(argvSecrets(['--git-repository-url=https://u:pa ss word@h.example/r'])).toContain('pa ss word');
  });
});
