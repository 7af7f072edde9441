import { describe, expect, it } from 'vitest';
import { backoffMs, classifyNetworkError, isRetryableStatus, retryAfterMs } from '../../src/api/retry.js';

describe('isRetryableStatus', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('retries HTTP %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 202, 301, 400, 401, 403, 404, 409, 413, 422, 600])('does not retry HTTP %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('backoffMs', () => {
  it('doubles per attempt between half and all of its ceiling, and stops growing at the cap', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, low))).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, high))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('spreads by the random draw, so many CI jobs do not retry in step', () => {
    expect(backoffMs(3, () => 0.5)).toBe(1500);
    expect(new Set([0.1, 0.4, 0.9].map((r) => backoffMs(2, () => r))).size).toBe(3);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-26T10:00:00Z');

  it('reads delay-seconds', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('1.5', now)).toBe(1500);
  });

  it('reads the three HTTP-date forms relative to the wall clock', () => {
    expect(retryAfterMs('Thu, 26 Nov 2026 10:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMs('Thursday, 26-Nov-26 10:00:02 GMT', now)).toBe(2000);
    expect(retryAfterMs('Thu Nov 26 10:00:04 2026', now)).toBe(4000);
  });

  it('treats a date in the past as "now"', () => {
    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined, '', 'soon', '-1', 'hello 2', '1e3', '2026-11-26'])(
    'ignores %j (the caller falls back to its own backoff)',
    (header) => {
      expect(retryAfterMs(header, now)).toBeUndefined();
    },
  );
});

describe('classifyNetworkError', () => {
  const fetchFailed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });

  it('knows a refused or unresolvable connection never carried the event', () => {
    expect(
      classifyNetworkError(fetchFailed({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' })),
    ).toBe('never-sent');
    expect(classifyNetworkError(fetchFailed({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND api.example' }))).toBe(
      'never-sent',
    );
    expect(
      classifyNetworkError(
        fetchFailed({ code: 'UND_ERR_ABORTED', message: 'Proxy response (502) !== 200 when HTTP Tunneling' }),
      ),
    ).toBe('never-sent');
    expect(classifyNetworkError(fetchFailed(new Error('bad port')))).toBe('never-sent');
  });

  it('knows a TLS set-up failure (FIPS without ciphers) sent nothing and cannot be retried away', () => {
    expect(classifyNetworkError({ code: 'ERR_SSL_LIBRARY_HAS_NO_CIPHERS', message: 'library has no ciphers' })).toBe(
      'tls-setup',
    );
    expect(
      classifyNetworkError(fetchFailed({ code: 'ERR_SSL_NO_CIPHERS_AVAILABLE', message: 'no ciphers available' })),
    ).toBe('tls-setup');
  });

  it('knows an https:// URL aimed at a plain-HTTP port sent nothing and cannot be retried away', () => {
    const wrongVersion =
      'write EPROTO 80BCEC82B57F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number';
    expect(classifyNetworkError({ code: 'EPROTO', message: wrongVersion })).toBe('not-tls');
    expect(
      classifyNetworkError(fetchFailed({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' })),
    ).toBe('not-tls');
    expect(classifyNetworkError({ code: 'EPROTO', message: 'write EPROTO: sslv3 alert handshake failure' })).toBe(
      'maybe-sent',
    );
  });

  it('knows a request Node refused to make (an https:// proxy by IP on Node 26) sent nothing and cannot be retried away', () => {
    const refused = {
      code: 'ERR_INVALID_ARG_VALUE',
      message: "The property 'options.servername' Setting the TLS ServerName to an IP address is not permitted.",
    };
    expect(classifyNetworkError(fetchFailed(refused))).toBe('bad-request-setup');
  });

  it('treats a reset or closed socket as possibly delivered', () => {
    expect(classifyNetworkError(fetchFailed({ code: 'ECONNRESET', message: 'read ECONNRESET' }))).toBe('maybe-sent');
    expect(classifyNetworkError(fetchFailed({ code: 'UND_ERR_SOCKET', message: 'other side closed' }))).toBe(
      'maybe-sent',
    );
    expect(classifyNetworkError(new Error('something else'))).toBe('maybe-sent');
    expect(classifyNetworkError('not even an error')).toBe('maybe-sent');
  });

  it('singles out failures no retry can fix', () => {
    expect(
      classifyNetworkError(
        fetchFailed({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }),
      ),
    ).toBe('certificate');
    expect(
      classifyNetworkError(
        fetchFailed({
          code: 'ERR_TLS_CERT_ALTNAME_INVALID',
          message: "Hostname/IP does not match certificate's altnames",
        }),
      ),
    ).toBe('certificate');
    expect(
      classifyNetworkError(
        fetchFailed({ code: 'UND_ERR_ABORTED', message: 'Proxy response (407) !== 200 when HTTP Tunneling' }),
      ),
    ).toBe('proxy-auth');
  });
});
