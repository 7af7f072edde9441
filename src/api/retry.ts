/** Pure pieces of the retry policy and of reading network errors, kept apart from I/O so they can be checked exactly. */
import { plainText } from './plain-text.js';
import { TransportError } from './transports/types.js';

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
  if (/^\d{1,9}(\.\d{1,9})?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - wallNowMs);
}

/**
 * What a failed connection tells us about the request, judged from the error and its `cause` chain:
 * - `never-sent`: the request never left (refused, unknown host, no tunnel through the proxy): another attempt is
 *   safe;
 * - `maybe-sent`: the connection broke after the request may have gone out, so the server may have acted on it;
 * - `certificate`: the server's certificate could not be verified, and every retry would meet the same one;
 * - `tls-handshake`: the server ended the TLS handshake (an alert: it wants a client certificate, or no TLS version
 *   or cipher is shared), before anything was sent; a retry meets the same server;
 * - `tls-setup`: TLS could not even be set up locally (e.g. FIPS mode without a FIPS provider leaves no ciphers);
 * - `not-tls`: the server answered the TLS handshake with something else (a plain-HTTP port), before anything was sent;
 * - `bad-request-setup`: Node refused to even make the request (ERR_INVALID_ARG_VALUE), so nothing was sent;
 * - `proxy-auth`: the proxy answered the CONNECT with 407: it wants credentials it did not get;
 * - `proxy-refused`: the proxy answered the CONNECT with another status: no tunnel, nothing sent;
 * - `unusable-answer`: what came back is no final HTTP answer (a switch of protocols, interim answers only, bytes
 *   that are not HTTP); a retry would meet the same server.
 */
export type NetworkFailure =
  | 'never-sent'
  | 'maybe-sent'
  | 'certificate'
  | 'tls-handshake'
  | 'tls-setup'
  | 'not-tls'
  | 'bad-request-setup'
  | 'proxy-auth'
  | 'proxy-refused'
  | 'unusable-answer';

/** What the TLS handshake failure was, as far as the alert tells. */
export type TlsProblem = 'client-certificate' | 'version' | 'handshake-failure' | 'alert';

export interface NetworkReading {
  kind: NetworkFailure;
  /** One line, without control characters or OpenSSL's internals: what a message may quote. */
  reason: string;
  /** The status the proxy or the server gave, for `proxy-*` and `unusable-answer`. */
  status?: number;
  /** It happened between dora and the proxy, not with the server. */
  atProxy?: boolean;
  tls?: TlsProblem;
  /** For `unusable-answer`: what came back. */
  answer?: 'upgrade' | 'interim-only' | 'not-http';
}

const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/** OpenSSL failing before a byte is sent: no ciphers, no usable protocol version, a broken local configuration. */
const TLS_SETUP_CODE = /^ERR_SSL_(LIBRARY_HAS_NO_CIPHERS|NO_CIPHERS_AVAILABLE|NO_PROTOCOLS_AVAILABLE)$/;

/** Node's codes for a server certificate that failed verification (OpenSSL's X509 names, and Node's own). */
const CERTIFICATE_CODE =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$|ERR_TLS_CERT_ALTNAME_INVALID$|INVALID_CA$|PATH_LENGTH_EXCEEDED$|INVALID_PURPOSE$)/;

const MAX_REASON = 300;

export function readNetworkError(error: unknown): NetworkReading {
  const reason = describeNetworkError(error);
  let kind: NetworkFailure = 'maybe-sent';
  let atProxy = false;
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    if (current instanceof TransportError) {
      const { status } = current.details;
      switch (current.code) {
        case 'upgrade':
        case 'interim-only':
          return { kind: 'unusable-answer', reason, answer: current.code, ...(status ? { status } : {}) };
        case 'proxy-refused':
          return { kind: status === 407 ? 'proxy-auth' : 'proxy-refused', reason, atProxy: true, status: status ?? 0 };
        case 'proxy-failed':
          // Whatever failed below this, nothing reached the server.
          atProxy = true;
          kind = 'never-sent';
          break;
        case 'no-answer':
          break;
      }
    }
    const { code, message } = current as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    const found = typeof code === 'string' ? byCode(code, text) : isNotTls(code, text) ? 'not-tls' : undefined;
    if (found === 'never-sent') kind = 'never-sent';
    else if (found === 'unusable-answer')
      return { kind: 'unusable-answer', reason, answer: 'not-http', ...(atProxy ? { atProxy } : {}) };
    else if (found !== undefined) {
      const tls = found === 'tls-handshake' ? tlsProblem(`${String(code)} ${text}`) : undefined;
      return { kind: found, reason, ...(atProxy ? { atProxy } : {}), ...(tls ? { tls } : {}) };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return { kind, reason, ...(atProxy ? { atProxy } : {}) };
}

export function classifyNetworkError(error: unknown): NetworkFailure {
  return readNetworkError(error).kind;
}

function byCode(code: string, message: string): NetworkFailure | undefined {
  if (NEVER_SENT_CODES.has(code)) return 'never-sent';
  if (CERTIFICATE_CODE.test(code)) return 'certificate';
  if (TLS_SETUP_CODE.test(code)) return 'tls-setup';
  if (isNotTls(code, message)) return 'not-tls';
  if (code === 'ERR_INVALID_ARG_VALUE') return 'bad-request-setup';
  // Node's HTTP parser: the bytes that came back are not an HTTP answer.
  if (code.startsWith('HPE_')) return 'unusable-answer';
  if (/^ERR_SSL_.*ALERT|^ERR_SSL_(UNSUPPORTED_PROTOCOL|VERSION_TOO_LOW|VERSION_TOO_HIGH)$/.test(code))
    return 'tls-handshake';
  // Older builds report an alert as EPROTO, with the alert only in the message.
  if (code === 'EPROTO' && /alert/i.test(message)) return 'tls-handshake';
  return undefined;
}

/** From the code (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED) or, for an EPROTO, OpenSSL's words in the message. */
function tlsProblem(codeAndMessage: string): TlsProblem {
  const text = codeAndMessage.replace(/_/g, ' ');
  if (/certificate required/i.test(text)) return 'client-certificate';
  if (/protocol version|unsupported protocol|version too (low|high)|inappropriate fallback/i.test(text))
    return 'version';
  if (/handshake failure/i.test(text)) return 'handshake-failure';
  return 'alert';
}

/**
 * OpenSSL's "wrong version number": the first bytes back were not a TLS record, which is what an https:// URL aimed
 * at a plain-HTTP port gets. Node reports it as EPROTO with the reason only in the message.
 */
export function isNotTls(code: unknown, message: string): boolean {
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number/i.test(message));
}

/**
 * One line saying what went wrong, from the error and its causes: Node's code and message, with OpenSSL's
 * multi-line internals ("C0D7…:error:0A000410:SSL routines:…:rec_layer_s3.c:1605:") reduced to the reason they carry.
 */
export function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const { message } = current as { message?: unknown };
    // Our own TransportError's code names the kind of failure for the engine, not for people.
    const code = current instanceof TransportError ? undefined : (current as { code?: unknown }).code;
    const text = typeof message === 'string' ? openSslReason(message) : '';
    const withCode = typeof code === 'string' && !text.includes(code) ? [code, text].filter(Boolean).join(' ') : text;
    if (withCode && !parts.some((part) => part.includes(withCode))) parts.push(withCode);
    current = (current as { cause?: unknown }).cause;
  }
  // "fetch failed" says nothing once the cause is known.
  if (parts.length > 1 && parts[0] === 'fetch failed') parts.shift();
  return plainText(parts.join(': ') || String(error), MAX_REASON);
}

/** `…:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:…:SSL alert number 40` → the reason. */
function openSslReason(message: string): string {
  const found = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:\n]+)/.exec(message);
  if (!found) return message;
  const before = message
    .slice(0, found.index)
    .replace(/\s*[0-9A-Fa-f]{8,}:$/, '')
    .trim();
  const alert = /SSL alert number (\d+)/.exec(message)?.[1];
  return [before, `${found[1]}${alert ? ` (alert ${alert})` : ''}`].filter(Boolean).join(' ');
}
