import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveApiTarget } from '../../src/api/site.js';
import { UsageError } from '../../src/errors.js';
import { apiKey, appKey, leakIn, password, token, userName } from '../helpers/secret-arbitraries.js';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('resolveApiTarget', () => {
  it.each([
    [undefined, 'https://api.datadoghq.com'],
    ['datadoghq.eu', 'https://api.datadoghq.eu'],
    ['US5.datadoghq.com', 'https://api.us5.datadoghq.com'],
    ['api.datadoghq.eu', 'https://api.datadoghq.eu'],
    ['app.datadoghq.com', 'https://api.datadoghq.com'],
    // Unambiguous spellings people paste are read as the site, not refused.
    ['https://datadoghq.eu', 'https://api.datadoghq.eu'],
    ['datadoghq.eu/', 'https://api.datadoghq.eu'],
    ['https://api.datadoghq.eu', 'https://api.datadoghq.eu'],
    ['http://app.us3.datadoghq.com/', 'https://api.us3.datadoghq.com'],
  ])('site %s → %s', (site, baseUrl) => {
    expect(resolveApiTarget(site, undefined)).toEqual({ baseUrl, site: baseUrl.replace('https://api.', '') });
  });

  it('marks ddog-gov.com, where Datadog offers no DORA Metrics', () => {
    expect(resolveApiTarget('ddog-gov.com', undefined)).toEqual({
      baseUrl: 'https://api.ddog-gov.com',
      site: 'ddog-gov.com',
      noDora: true,
    });
    expect(resolveApiTarget('us2.ddog-gov.com', undefined).noDora).toBeUndefined();
  });

  it.each([
    [
      'https://gw.example/api/v2/dora/deployment',
      "without /api/v2/dora/deployment: dora adds the API's paths itself. Give https://gw.example instead.",
    ],
    ['https://gw.example/datadog/api/', 'Give https://gw.example/datadog instead.'],
  ])('refuses an --api-url that already holds the API path (%s), which would be doubled', (apiUrl, message) => {
    expect(() => resolveApiTarget(undefined, apiUrl)).toThrow(message);
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
    'ftp://datadoghq.com',
    'datadoghq.com/api',
    'datadog hq.com',
    'localhost',
    '',
    'datadoghq.com:443',
    'https://datadoghq.eu/x',
  ])('refuses the malformed site %j', (site) => {
    expect(() => resolveApiTarget(site, undefined)).toThrow(UsageError);
  });

  it('does not hold a non-Datadog site against a run whose API URL overrides it (the key does not go there)', () => {
    expect(resolveApiTarget('dd-gateway.internal', 'https://gateway.example')).toMatchObject({
      baseUrl: 'https://gateway.example',
    });
  });

  it('lets an API URL override the site, keeping a path prefix', () => {
    expect(resolveApiTarget('datadoghq.eu', 'https://gateway.example/datadog/')).toEqual({
      baseUrl: 'https://gateway.example/datadog',
      site: 'datadoghq.eu',
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
  ])('refuses the API URL %j', (url) => {
    expect(() => resolveApiTarget(undefined, url)).toThrow(UsageError);
  });

  it('never echoes credentials from a refused API URL', () => {
    expect(() => resolveApiTarget(undefined, 'https://u:SECRET@gw.example')).toThrow(/^(?!.*SECRET)/s);
  });

  it('refuses an API URL whose password holds #, ? or / before any parser reads it, never echoing it', () => {
    fc.assert(
      fc.property(userName, password, (user, pw) => {
        const message = messageOf(() => resolveApiTarget(undefined, `https://${user}:${pw}@gw.example/base`));
        expect(message).toMatch(/must not carry user info/);
        expect(leakIn(message, pw)).toBeUndefined();
      }),
    );
  });

  it('names DD_SITE and withholds a value put there by mistake that may be a credential (a swapped CI secret)', () => {
    fc.assert(
      fc.property(fc.oneof(apiKey, appKey, token, password), (value) => {
        const message = messageOf(() => resolveApiTarget(value, undefined));
        expect(message).toMatch(
          /^DD_SITE \/ --site: the value \(not shown: it may be a credential\) is not a Datadog site/,
        );
        expect(leakIn(message, value)).toBeUndefined();
        const apiUrl = messageOf(() => resolveApiTarget(undefined, value));
        expect(apiUrl).toMatch(/^--api-url \/ DORA_API_URL/);
        expect(leakIn(apiUrl, value)).toBeUndefined();
      }),
    );
  });

  it('echoes a misspelt site, which cannot be a credential', () => {
    expect(messageOf(() => resolveApiTarget('datadoghq.cm', undefined))).toMatch(
      /^DD_SITE \/ --site: "datadoghq.cm" is not/,
    );
  });
});
