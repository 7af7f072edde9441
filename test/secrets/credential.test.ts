import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoValue, isCredentialName, mayBeCredential, safeCommanderMessage } from '../../src/output/credential.js';
import { apiKey, appKey, leakIn, password, token } from '../helpers/secret-arbitraries.js';

describe('isCredentialName', () => {
  it.each([
    '--api-key',
    '--apikey',
    '--apiKey',
    '--dd-app-key',
    '--password',
    '--db-passwd',
    '--passphrase',
    '--token',
    '--access-token',
    '--accesstoken',
    '--client-secret',
    '--auth',
    '--auth-token',
    '--credentials',
    '--bearer',
    '--pass',
    'DD_API_KEY',
    'CI_JOB_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'DB_PASSWORD',
    'Authorization',
    'X-Api-Key',
    'npm_config__authToken',
    'GITHUB_PAT',
    'GH_PAT',
    'DB_PWD',
    'SESSION_COOKIE',
    '--cookie',
    'DB_CREDS',
    'VAULT_PASSCODE',
    'SERVICE_JWT',
    'SENTRY_DSN',
    'SLACK_WEBHOOK_URL',
  ])('%s names a credential', (name) => expect(isCredentialName(name)).toBe(true));

  it.each([
    '--service',
    '--version',
    '--custom-tags',
    '--skip-git',
    '--author',
    'GIT_AUTHOR_NAME',
    'XAUTHORITY',
    'PWD',
    'OLDPWD',
    'PATH',
    'PATTERN',
    'DD_SERVICE',
    '--keyboard',
    '--passive',
    'Content-Type',
  ])('%s does not', (name) => expect(isCredentialName(name)).toBe(false));
});

describe('mayBeCredential and echoValue', () => {
  it('never echo a key, a token or a generated password', () => {
    fc.assert(
      fc.property(fc.oneof(apiKey, appKey, token, password), (value) => {
        expect(mayBeCredential(value)).toBe(true);
        expect(leakIn(echoValue(value), value)).toBeUndefined();
        expect(echoValue(value)).toBe('the value (not shown: it may be a credential)');
      }),
    );
  });

  it.each([
    'hunter22',
    'Tr0ub4dor&3',
    'p@ssw0rd',
    'MySecretPass',
    'abc!def',
    'pässwort',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
    'a'.repeat(101),
    'abcdefghijklmnopq',
    'colour\u001b[31m',
    'QZX7 JVW4:KYQ9',
    '7Kq 9Zx',
  ])('withhold %j', (value) => {
    expect(mayBeCredential(value)).toBe(true);
  });

  it.each([
    'datadoghq.cm',
    'datadoghq.eu/api',
    'us3.datadoghq.com',
    'yesterday',
    'now',
    '-15m',
    '1795687200',
    '1795687200123456789',
    '2026-12-04T10:00:00Z',
    '2026-12-04T10:00:00.123456789+01:00',
    'Tue, 01 Dec 2026 10:00:00 GMT',
    '5 minutes',
    '1.4.2-rc1',
    'v2',
    'abc',
    'not a url',
    'https://github.com/org/repo',
    'two\nlines',
    '',
  ])('echo %j, which cannot be a credential', (value) => {
    expect(mayBeCredential(value)).toBe(false);
    expect(echoValue(value)).toBe(JSON.stringify(value));
  });
});

describe('safeCommanderMessage', () => {
  it('names an unknown option without its value, whatever the value holds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('--pat', '--api-key', '--x', '--service-name'),
        fc.oneof(token, password),
        (name, value) => {
          const message = safeCommanderMessage(`error: unknown option '${name}=${value}'`);
          expect(message).toBe(`error: unknown option '${name}'`);
          expect(leakIn(message, value)).toBeUndefined();
        },
      ),
    );
  });

  it('keeps commander’s suggestion, which names only dora’s own options', () => {
    expect(safeCommanderMessage("error: unknown option '--sevice=abc'\n(Did you mean --service?)")).toBe(
      "error: unknown option '--sevice'\n(Did you mean --service?)",
    );
    expect(safeCommanderMessage("error: unknown option '--bogus'")).toBe("error: unknown option '--bogus'");
  });

  it('withholds an unknown command or an invalid argument that may be a credential', () => {
    const key = 'abcdef0123456789abcdef0123456789';
    expect(safeCommanderMessage(`error: unknown command '${key}'`)).toBe(
      'error: unknown command (not shown: it may be a credential)',
    );
    expect(safeCommanderMessage("error: unknown command 'deploymnet'\n(Did you mean deployment?)")).toBe(
      "error: unknown command 'deploymnet'\n(Did you mean deployment?)",
    );
    expect(
      safeCommanderMessage(
        `error: option '--env <env>' argument '${key}' is invalid. --env was given twice; give it once.`,
      ),
    ).toBe(
      "error: option '--env <env>' argument (not shown: it may be a credential) is invalid. --env was given twice; give it once.",
    );
    expect(
      safeCommanderMessage(
        "error: option '--env <env>' argument 'prod' is invalid. --env was given twice; give it once.",
      ),
    ).toBe("error: option '--env <env>' argument 'prod' is invalid. --env was given twice; give it once.");
    expect(safeCommanderMessage(`error: command-argument value '${key}' is invalid for argument 'id'.`)).toBe(
      "error: command-argument value (not shown: it may be a credential) is invalid for argument 'id'.",
    );
  });

  it('leaves messages without values alone', () => {
    for (const message of [
      "error: too many arguments for 'list'. Expected 0 arguments but got 1.",
      "error: option '--service <service>' argument missing",
      "error: missing required argument 'id'",
    ])
      expect(safeCommanderMessage(message)).toBe(message);
  });
});
