import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  classifyNetworkError,
  describeNetworkError,
  isRetryableStatus,
  readNetworkError,
  retryAfterMs,
} from '../../src/api/retry.js';
import { TransportError } from '../../src/api/transports/types.js';

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
  const failed = (cause: object) => Object.assign(new Error('request failed'), { cause });
  const openSsl = (reason: string, alert: number) =>
    `write EPROTO 80CC26D40A7F0000:error:0A000410:SSL routines:ssl3_read_bytes:${reason}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number ${alert}\n`;

  it('knows a refused or unresolvable connection never carried the event', () => {
    expect(classifyNetworkError(failed({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }))).toBe(
      'never-sent',
    );
    expect(classifyNetworkError(failed({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND api.example' }))).toBe(
      'never-sent',
    );
  });

  it('knows nothing passed a proxy that failed to open the tunnel, however the connection to it broke', () => {
    for (const cause of [
      { code: 'ECONNRESET', message: 'socket hang up' },
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:3128' },
      new Error('something unheard of'),
    ]) {
      const error = new TransportError('proxy-failed', 'the tunnel could not be opened', { cause });
      expect(readNetworkError(error)).toMatchObject({ kind: 'never-sent', atProxy: true });
    }
  });

  it('reads the status a proxy gave the CONNECT: 407 wants credentials, any other is a refused tunnel', () => {
    const refused = (status: number) =>
      readNetworkError(new TransportError('proxy-refused', `the proxy refused the tunnel (${status})`, { status }));
    expect(refused(407)).toMatchObject({ kind: 'proxy-auth', status: 407, atProxy: true });
    for (const status of [403, 502, 503, 100, 301])
      expect(refused(status)).toMatchObject({
        kind: 'proxy-refused',
        status,
        reason: `the proxy refused the tunnel (${status})`,
      });
  });

  it('knows what is no HTTP answer at all: a switch of protocols, interim answers only, bytes that are not HTTP', () => {
    expect(readNetworkError(new TransportError('upgrade', 'switched', { status: 101 }))).toMatchObject({
      kind: 'unusable-answer',
      answer: 'upgrade',
    });
    expect(readNetworkError(new TransportError('interim-only', 'interim', { status: 102 }))).toMatchObject({
      kind: 'unusable-answer',
      answer: 'interim-only',
      status: 102,
    });
    expect(readNetworkError({ code: 'HPE_INVALID_CONSTANT', message: 'Parse Error: Expected HTTP/' })).toMatchObject({
      kind: 'unusable-answer',
      answer: 'not-http',
    });
    const fromProxy = new TransportError('proxy-failed', 'no tunnel', { cause: { code: 'HPE_INVALID_CONSTANT' } });
    expect(readNetworkError(fromProxy)).toMatchObject({ kind: 'unusable-answer', atProxy: true });
  });

  it('knows a TLS set-up failure (FIPS without ciphers) sent nothing and cannot be retried away', () => {
    expect(classifyNetworkError({ code: 'ERR_SSL_LIBRARY_HAS_NO_CIPHERS', message: 'library has no ciphers' })).toBe(
      'tls-setup',
    );
    expect(
      classifyNetworkError(failed({ code: 'ERR_SSL_NO_CIPHERS_AVAILABLE', message: 'no ciphers available' })),
    ).toBe('tls-setup');
  });

  it('knows an https:// URL aimed at a plain-HTTP port sent nothing and cannot be retried away', () => {
    const wrongVersion =
      'write EPROTO 80BCEC82B57F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number';
    expect(classifyNetworkError({ code: 'EPROTO', message: wrongVersion })).toBe('not-tls');
    expect(
      classifyNetworkError(failed({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' })),
    ).toBe('not-tls');
  });

  it("tells a server's handshake alerts apart from its certificate: a client certificate wanted, no shared version", () => {
    const cases: Array<[object, string]> = [
      [
        {
          code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
          message: openSsl('tlsv13 alert certificate required', 116),
        },
        'client-certificate',
      ],
      [{ code: 'EPROTO', message: openSsl('tlsv1 alert protocol version', 70) }, 'version'],
      [{ code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', message: 'unsupported protocol' }, 'version'],
      [{ code: 'EPROTO', message: openSsl('sslv3 alert handshake failure', 40) }, 'handshake-failure'],
      [{ code: 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED', message: 'tlsv1 alert access denied' }, 'alert'],
    ];
    for (const [error, tls] of cases)
      expect(readNetworkError(failed(error))).toMatchObject({ kind: 'tls-handshake', tls });
  });

  it("words a TLS error on one line, without OpenSSL's internals", () => {
    const reason = describeNetworkError(
      failed({ code: 'EPROTO', message: openSsl('sslv3 alert handshake failure', 40) }),
    );
    expect(reason).toBe('request failed: write EPROTO sslv3 alert handshake failure (alert 40)');
  });

  it('knows a request Node refused to make (an https:// proxy by IP on Node 26) sent nothing and cannot be retried away', () => {
    const refused = {
      code: 'ERR_INVALID_ARG_VALUE',
      message: "The property 'options.servername' Setting the TLS ServerName to an IP address is not permitted.",
    };
    expect(classifyNetworkError(failed(refused))).toBe('bad-request-setup');
  });

  it('treats a reset or closed socket as possibly delivered', () => {
    expect(classifyNetworkError(failed({ code: 'ECONNRESET', message: 'read ECONNRESET' }))).toBe('maybe-sent');
    expect(classifyNetworkError(new TransportError('no-answer', 'closed without an answer'))).toBe('maybe-sent');
    expect(classifyNetworkError(new Error('something else'))).toBe('maybe-sent');
    expect(classifyNetworkError('not even an error')).toBe('maybe-sent');
  });

  it("singles out a server certificate that fails verification, and not a server's alert that names certificates", () => {
    expect(
      classifyNetworkError(
        failed({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }),
      ),
    ).toBe('certificate');
    expect(
      classifyNetworkError(
        failed({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }),
      ),
    ).toBe('certificate');
    expect(
      classifyNetworkError(failed({ code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', message: 'bad certificate' })),
    ).toBe('tls-handshake');
  });
});
