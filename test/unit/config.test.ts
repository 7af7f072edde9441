import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';

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
    expect(readConfig({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }).proxy.httpsProxy).toBe('http://lower:1');
    expect(readConfig({ NO_PROXY: 'localhost' }).proxy.noProxy).toBe('localhost');
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
