/** NO_PROXY as the transport (and doctor) read it: one reading for the send path and the report. */
import { describe, expect, it } from 'vitest';
import { noProxyExempts, proxyFor } from '../../src/api/transports/no-proxy.js';
import { readConfig } from '../../src/config.js';

describe('noProxyExempts', () => {
  it.each([
    // host names, their subdomains, case, leading dots and stars, trailing dots
    ['datadoghq.com', 'https://api.datadoghq.com', 'datadoghq.com'],
    ['.datadoghq.com', 'https://api.datadoghq.com', '.datadoghq.com'],
    ['*.datadoghq.com', 'https://api.datadoghq.com', '*.datadoghq.com'],
    ['API.DatadogHQ.com', 'https://api.datadoghq.com', 'API.DatadogHQ.com'],
    ['api.datadoghq.com.', 'https://api.datadoghq.com', 'api.datadoghq.com.'],
    ['other.example, api.datadoghq.eu', 'https://api.datadoghq.eu', 'api.datadoghq.eu'],
    ['other.example api.datadoghq.eu', 'https://api.datadoghq.eu', 'api.datadoghq.eu'],
    ['*', 'https://api.datadoghq.com', '*'],
    // ports
    ['api.datadoghq.com:443', 'https://api.datadoghq.com', 'api.datadoghq.com:443'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080', '127.0.0.1:8080'],
    // IPv6, bare and bracketed, with ports, in any spelling
    ['::1', 'http://[::1]:8080', '::1'],
    ['[::1]', 'http://[::1]:8080', '[::1]'],
    ['[::1]:8080', 'http://[::1]:8080', '[::1]:8080'],
    ['0:0:0:0:0:0:0:1', 'http://[::1]/', '0:0:0:0:0:0:0:1'],
    ['FD00::ABCD', 'https://[fd00::abcd]', 'FD00::ABCD'],
    // ranges
    ['10.0.0.0/8', 'http://10.1.2.3', '10.0.0.0/8'],
    ['fd00::/8', 'https://[fd12::1]', 'fd00::/8'],
  ])('NO_PROXY=%s exempts %s', (noProxy, url, entry) => {
    expect(noProxyExempts(noProxy, url)).toBe(entry);
  });

  it.each([
    ['datadoghq.com', 'https://notdatadoghq.com'],
    ['api.datadoghq.com:8443', 'https://api.datadoghq.com'],
    ['::1', 'http://127.0.0.1'],
    ['[::1]:1', 'http://[::1]:8080'],
    ['127.0.0.1', 'http://[::1]'],
    ['10.0.0.0/8', 'http://11.0.0.1'],
    ['10.0.0.0/99', 'http://10.0.0.1'],
    ['localhost', 'http://127.0.0.1'],
    ['', 'https://api.datadoghq.com'],
    [' , ,', 'https://api.datadoghq.com'],
  ])('NO_PROXY=%j does not exempt %s', (noProxy, url) => {
    expect(noProxyExempts(noProxy, url)).toBeUndefined();
  });
});

describe('proxyFor', () => {
  const settings = (env: Record<string, string>) => readConfig(env).proxy;

  it('sends HTTPS through HTTPS_PROXY, else HTTP_PROXY, and plain HTTP through HTTP_PROXY only', () => {
    const both = settings({ HTTPS_PROXY: 'http://secure.proxy:3128', HTTP_PROXY: 'http://plain.proxy:3128' });
    expect(proxyFor('https://api.datadoghq.com', both)?.display).toBe('http://secure.proxy:3128');
    expect(proxyFor('http://127.0.0.1:8080', both)?.display).toBe('http://plain.proxy:3128');
    const onlyHttp = settings({ HTTP_PROXY: 'http://plain.proxy:3128' });
    expect(proxyFor('https://api.datadoghq.com', onlyHttp)?.display).toBe('http://plain.proxy:3128');
    const onlyHttps = settings({ HTTPS_PROXY: 'http://secure.proxy:3128' });
    expect(proxyFor('http://127.0.0.1:8080', onlyHttps)).toBeUndefined();
  });

  it('goes direct for what NO_PROXY names', () => {
    const exempt = settings({ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'datadoghq.eu' });
    expect(proxyFor('https://api.datadoghq.eu', exempt)).toBeUndefined();
    expect(proxyFor('https://api.datadoghq.com', exempt)?.display).toBe('http://p:1');
  });
});
