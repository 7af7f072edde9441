import { describe, expect, it } from 'vitest';
import { resolveApiTarget } from '../../src/api/site.js';
import { UsageError } from '../../src/errors.js';

describe('resolveApiTarget', () => {
  it.each([
    [undefined, 'https://api.datadoghq.com'],
    ['datadoghq.eu', 'https://api.datadoghq.eu'],
    ['US5.datadoghq.com', 'https://api.us5.datadoghq.com'],
    ['ddog-gov.com', 'https://api.ddog-gov.com'],
    ['api.datadoghq.eu', 'https://api.datadoghq.eu'],
    ['app.datadoghq.com', 'https://api.datadoghq.com'],
    // unambiguous spellings are normalised rather than refused
    ['https://datadoghq.eu', 'https://api.datadoghq.eu'],
    ['datadoghq.eu/', 'https://api.datadoghq.eu'],
    ['https://api.datadoghq.eu', 'https://api.datadoghq.eu'],
    ['HTTPS://app.datadoghq.eu/', 'https://api.datadoghq.eu'],
    [' us3.datadoghq.com ', 'https://api.us3.datadoghq.com'],
  ])('site %s → %s', (site, baseUrl) => {
    expect(resolveApiTarget(site, undefined)).toMatchObject({ baseUrl });
    expect(resolveApiTarget(site, undefined).unknownSite).toBeUndefined();
  });

  it('names the resolved site', () => {
    expect(resolveApiTarget('https://api.datadoghq.eu/', undefined).site).toBe('datadoghq.eu');
    expect(resolveApiTarget(undefined, undefined).site).toBe('datadoghq.com');
    expect(resolveApiTarget('datadoghq.eu', 'https://gateway.example').site).toBeUndefined();
  });

  it('marks US1-FED (ddog-gov.com), where DORA Metrics does not exist, and only it', () => {
    expect(resolveApiTarget('ddog-gov.com', undefined).doraUnavailable).toBe(true);
    expect(resolveApiTarget('api.ddog-gov.com', undefined).doraUnavailable).toBe(true);
    expect(resolveApiTarget('us2.ddog-gov.com', undefined).doraUnavailable).toBeUndefined();
    expect(resolveApiTarget('datadoghq.com', undefined).doraUnavailable).toBeUndefined();
  });

  it('warns (does not refuse) on a Datadog site it does not know yet', () => {
    expect(resolveApiTarget('us9.datadoghq.com', undefined)).toEqual({
      baseUrl: 'https://api.us9.datadoghq.com',
      site: 'us9.datadoghq.com',
      unknownSite: 'us9.datadoghq.com',
    });
    expect(resolveApiTarget('datad0g.com', undefined)).toMatchObject({ unknownSite: 'datad0g.com' });
  });

  it.each(['datadoghq.cm', 'datadoghq.com.evil.example', 'notdatadoghq.com', 'example.com'])(
    'refuses %j, which is no Datadog domain: the key would go to whoever owns it',
    (site) => {
      expect(() => resolveApiTarget(site, undefined)).toThrow(/not a Datadog site.*--api-url/);
    },
  );

  it.each([
    'http://datadoghq.com',
    'ftp://datadoghq.com',
    'datadoghq.com/api',
    'https://datadoghq.com/api/',
    'datadoghq.com//',
    'https://',
    'datadog hq.com',
    'localhost',
    '',
    'datadoghq.com:443',
  ])(
    'refuses the malformed site %j',
    (site) => {
      expect(() => resolveApiTarget(site, undefined)).toThrow(UsageError);
    },
  );

  it('does not hold a non-Datadog site against a run whose API URL overrides it (the key does not go there)', () => {
    expect(resolveApiTarget('dd-gateway.internal', 'https://gateway.example')).toEqual({ baseUrl: 'https://gateway.example' });
  });

  it('lets an API URL override the site, keeping a path prefix', () => {
    expect(resolveApiTarget('datadoghq.eu', 'https://gateway.example/datadog/')).toEqual({
      baseUrl: 'https://gateway.example/datadog',
    });
  });

  it.each(['http://127.0.0.1:8126', 'http://localhost:9000/prefix', 'http://[::1]:8080'])(
    'accepts plain http only on this machine: %s',
    (url) => {
      expect(resolveApiTarget(undefined, url).baseUrl).toBe(url.replace(/\/$/, ''));
    },
  );

  it.each([
    'ftp://x.example',
    'not a url',
    'https://u:p@gw.example',
    'https://gw.example/?a=1',
    'https://gw.example/?',
    'https://gw.example/#',
    'http://gateway.internal:8080',
    'https://api.datadoghq.com/api/v2/dora/deployment',
    'https://gw.example/prefix/api/v2/dora/',
    'https://gw.example/api',
  ])(
    'refuses the API URL %j',
    (url) => {
      expect(() => resolveApiTarget(undefined, url)).toThrow(UsageError);
    },
  );

  it('explains a doubled path by naming the base URL to give instead', () => {
    expect(() => resolveApiTarget(undefined, 'https://gw.example/prefix/api/v2/dora/deployment')).toThrow(
      /base URL only \(such as https:\/\/gw\.example\/prefix\)/,
    );
  });

  it('keeps a path prefix that merely contains "api" in a name', () => {
    expect(resolveApiTarget(undefined, 'https://gw.example/apis-gw/').baseUrl).toBe('https://gw.example/apis-gw');
  });

  it('never echoes credentials from a refused API URL', () => {
    expect(() => resolveApiTarget(undefined, 'https://u:SECRET@gw.example')).toThrow(/^(?!.*SECRET)/s);
  });
});
