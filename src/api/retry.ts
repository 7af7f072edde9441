/** Pure pieces of the retry policy and of reading network errors, kept apart from I/O so they can be checked exactly. */

/** Statuses worth another attempt: the intake may accept the same event a moment later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Exponential backoff with jitter: attempt 1 waits ~base, then doubling, capped; jitter spreads retries of many jobs. */
export function backoffMs(attempt: number, random: () => number, baseMs = 500, capMs = 8_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The three HTTP-date forms of RFC 9110 (IMF-fixdate, RFC 850, asctime). Checked before Date.parse because V8 reads
 * almost anything as a date: "-1" or "hello 2" would otherwise become a day in 2001 and mean "retry now".
 */
const HTTP_DATE = new RegExp(
  [
    /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.source,
    /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/.source,
    /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/.source,
  ].join('|'),
);

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, wallNowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - wallNowMs);
}

/**
 * What a failed fetch tells us about the event, judged from the error codes in its `cause` chain:
 * - `never-sent`: the connection was never made (refused, unknown host, proxy refused the tunnel), so nothing was
 *   recorded and another attempt is safe;
 * - `certificate`: TLS verification failed, and every retry would meet the same certificate;
 * - `tls-setup`: TLS could not even be set up locally (e.g. FIPS mode without a FIPS provider leaves no ciphers), so
 *   nothing was sent and no retry can help;
 * - `not-tls`: the server answered the TLS handshake with something else (a plain-HTTP port), before anything was sent;
 * - `bad-request-setup`: Node refused to even make the request (ERR_INVALID_ARG_VALUE, e.g. Node 26 refuses an
 *   https:// proxy given by IP address), so nothing was sent and a retry meets the same refusal;
 * - `proxy-auth`: the proxy wants credentials it did not get (407), which no retry will supply;
 * - `maybe-sent`: the connection broke after the request may have gone out, so Datadog may have recorded it.
 */
export type NetworkFailure =
  | 'never-sent'
  | 'certificate'
  | 'tls-setup'
  | 'not-tls'
  | 'bad-request-setup'
  | 'proxy-auth'
  | 'maybe-sent';

const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** OpenSSL failing before a byte is sent: no ciphers, no usable protocol version, a broken local configuration. */
const TLS_SETUP_CODE =
  /^ERR_SSL_(LIBRARY_HAS_NO_CIPHERS|NO_CIPHERS_AVAILABLE|NO_PROTOCOLS_AVAILABLE|UNSUPPORTED_PROTOCOL)$/;

const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ALTNAME|ERR_TLS_CERT/;

export function classifyNetworkError(error: unknown): NetworkFailure {
  let kind: NetworkFailure = 'maybe-sent';
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string' && CERTIFICATE_CODE.test(code)) return 'certificate';
    if (typeof code === 'string' && TLS_SETUP_CODE.test(code)) return 'tls-setup';
    if (isNotTls(code, text)) return 'not-tls';
    if (code === 'ERR_INVALID_ARG_VALUE') return 'bad-request-setup';
    // undici reports a refused CONNECT as "Proxy response (407) !== 200 when HTTP Tunneling".
    const proxyStatus = /Proxy response \((\d{3})\)/.exec(text)?.[1];
    if (proxyStatus === '407') return 'proxy-auth';
    if (proxyStatus !== undefined) kind = 'never-sent';
    if (typeof code === 'string' && NEVER_SENT_CODES.has(code)) kind = 'never-sent';
    // fetch refuses ports on its blocklist (e.g. 9, 25) before connecting.
    if (text === 'bad port') kind = 'never-sent';
    current = (current as { cause?: unknown }).cause;
  }
  return kind;
}

/**
 * OpenSSL's "wrong version number": the first bytes back were not a TLS record, which is what an https:// URL aimed
 * at a plain-HTTP port gets. Node reports it as EPROTO with the reason only in the message.
 */
export function isNotTls(code: unknown, message: string): boolean {
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number/i.test(message));
}

/** Network errors from fetch wrap the useful part (ECONNREFUSED, certificate problems) in `cause`. */
export function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const { message, code } = current as { message?: unknown; code?: unknown };
    const text = typeof message === 'string' ? message : '';
    const withCode = typeof code === 'string' && !text.includes(code) ? [code, text].filter(Boolean).join(' ') : text;
    if (withCode && !parts.some((part) => part.includes(withCode))) parts.push(withCode);
    current = (current as { cause?: unknown }).cause;
  }
  // "fetch failed" says nothing once the cause is known.
  if (parts.length > 1 && parts[0] === 'fetch failed') parts.shift();
  return parts.join(': ') || String(error);
}
