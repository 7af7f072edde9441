import { describe, expect, it } from 'vitest';
import { argvSecrets, createRedactor, displayUrl, urlSecrets, userInfoOf } from '../../src/output/redact.js';

describe('the redactor', () => {
  it('masks every spelling of a secret it was told about: raw, percent-encoded and decoded', () => {
    const redactor = createRedactor(['p@ss word/#1']);
    expect(redactor.redact('raw p@ss word/#1, encoded p%40ss%20word%2F%231')).toBe(
      'raw [redacted], encoded [redacted]',
    );
  });

  it('removes user info from any scheme:// URL inside text, even ones no configuration named', () => {
    const text = 'connect to https://user:hunter2@proxy.example:3128 failed; also http://tok@h/x and ssh://git:pw@g/r';
    expect(createRedactor().redact(text)).toBe(
      'connect to https://proxy.example:3128 failed; also http://h/x and ssh://g/r',
    );
  });

  it('removes user info with a space, # or / in the password once it knows the URL', () => {
    for (const url of [
      'http://bob:hunter 2@127.0.0.1:3128',
      'http://bob:hun#ter@127.0.0.1:3128',
      'http://bob:hun/ter@127.0.0.1:3128',
    ]) {
      const redactor = createRedactor(urlSecrets(url));
      expect(redactor.redact(`the proxy ${url} refused`)).toBe('the proxy http://127.0.0.1:3128 refused');
    }
  });

  it('leaves a plain user name alone (git@ in scp-style URLs is no secret)', () => {
    const redactor = createRedactor(urlSecrets('ssh://git@github.com/acme/shop.git'));
    expect(redactor.redact('git@github.com:acme/shop.git')).toBe('git@github.com:acme/shop.git');
  });

  it('escapes control characters, keeping newlines and tabs', () => {
    expect(createRedactor().redact('a\u001b[2Jb\r\tc\nd')).toBe('a\\u001b[2Jb\\u000d\tc\nd');
  });
});

describe('argvSecrets', () => {
  it('takes the values of credential-looking flags, known or not, in both spellings', () => {
    expect(
      argvSecrets(['deployment', '--api-key=K1-0123456789', '--dd-app-key', 'K2-0123456789', '--token=abc']),
    ).toEqual(['K1-0123456789', 'K2-0123456789', 'abc']);
  });

  it('takes a value shaped like an API key given to any other flag, but not an event id', () => {
    const key = 'abcdef0123456789abcdef0123456789';
    expect(argvSecrets(['--site', key])).toEqual([key]);
    expect(argvSecrets(['--id', key, `--id=${key}`])).toEqual([]);
  });

  it('takes the user info of URLs, and nothing after --', () => {
    expect(
      argvSecrets(['--git-repository-url', 'https://bot:ghp_T0KEN@github.com/a/b', '--', '--api-key', 'mine']),
    ).toEqual(['bot:ghp_T0KEN@', 'ghp_T0KEN']);
  });
});

describe('URL pieces', () => {
  it('finds user info up to the last @ before the host', () => {
    expect(userInfoOf('http://a:b@c@host:1/path@x')).toEqual({ userInfo: 'a:b@c', password: 'b@c' });
    expect(userInfoOf('https://host/a@b')).toBeUndefined();
  });

  it('shows a URL without user info, query or fragment', () => {
    expect(displayUrl('https://u:p w@host:8443/x?token=1#f')).toBe('https://host:8443/x');
  });
});
