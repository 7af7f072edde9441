/**
 * The one module that talks HTTP. It sends one event body, retrying what can be retried, and either returns the
 * intake's acceptance or throws a DoraError that says truthfully what happened. Time, randomness and the transport
 * are injected: tests drive status sequences and backoffs without real sleeps, and production passes undici.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DeliveryError, DoraError, RejectedError, UnauthorizedError, UsageError } from '../errors.js';
import { redactUrlsInText } from '../git/url.js';
import { errorText, responseId } from './response.js';
import { backoffMs, classifyNetworkError, isRetryableStatus, retryAfterMs } from './retry.js';

/** The subset of `fetch` we use, so Node's fetch (msw in tests) and undici's fetch both fit. */
export type Transport = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
    /** Never follow: a redirect would carry the DD-API-KEY header to whatever host it names. */
    redirect: 'manual';
  },
) => Promise<{ status: number; statusText?: string; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface Clock {
  /** Monotonic milliseconds, for deadlines. */
  monotonicMs(): number;
  /** Wall-clock milliseconds, for HTTP-date `Retry-After`. */
  wallMs(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface DeliveryRequest {
  url: string;
  apiKey: string;
  body: string;
  userAgent: string;
  /** Where the key belongs, for the 401/403 hint ("api.datadoghq.eu"). */
  siteHint: string;
  /** The proxy configured for this URL's scheme (user info already removed), for messages that may concern it. */
  proxy?: { url: string; hasCredentials: boolean };
}

export interface DeliveryPolicy {
  requestTimeoutMs: number;
  deadlineMs: number;
  maxAttempts: number;
}

export interface DeliveryDeps {
  transport: Transport;
  clock: Clock;
  random: () => number;
  /** Aborted when the user interrupts; its reason (a DoraError) is what we throw. */
  signal?: AbortSignal;
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string }) => void;
  /** Called as each attempt starts (1-based), e.g. to keep a spinner's text current. */
  onAttempt?: (attempt: number) => void;
}

export interface Delivered {
  status: number;
  attempts: number;
  /** The id Datadog echoed back, when it did. */
  responseId?: string;
}

/** The least time worth starting an attempt with; also the least a user may set for a timeout or the deadline. */
export const MIN_ATTEMPT_MS = 250;

/** How long the body of a 2xx may take after its status line, before we stop waiting for the echoed id. */
const ACCEPTED_BODY_GRACE_MS = 2000;

type Outcome =
  | { kind: 'accepted'; status: number; body: string }
  /** `maybeRecorded`: the request may have reached Datadog even though we saw no answer. */
  | { kind: 'retry'; reason: string; maybeRecorded: boolean; retryAfterMs?: number }
  /** `afterAttempts` lets the caller add how many attempts came before a refusal. */
  | { kind: 'final'; error: (afterAttempts: string) => DoraError };

export async function deliver(request: DeliveryRequest, policy: DeliveryPolicy, deps: DeliveryDeps): Promise<Delivered> {
  checkApiKey(request.apiKey);
  const { clock } = deps;
  const userSignal = deps.signal ?? new AbortController().signal;
  const deadline = clock.monotonicMs() + policy.deadlineMs;
  const failed: { attempts: number; reason: string; maybeRecorded: boolean } = {
    attempts: 0,
    reason: 'no attempt was made',
    maybeRecorded: false,
  };
  const giveUp = (why?: string) => notDelivered(failed.attempts, why ? `${failed.reason} (${why})` : failed.reason, failed.maybeRecorded);

  while (failed.attempts < policy.maxAttempts) {
    throwIfInterrupted(userSignal);
    const remaining = deadline - clock.monotonicMs();
    // An attempt with a sliver of time left could only send a duplicate that times out before its answer.
    // The first attempt always goes: a deadline of exactly MIN_ATTEMPT_MS has lost a hair to the clock by now.
    if (failed.attempts > 0 && remaining < MIN_ATTEMPT_MS) break;
    const attempt = failed.attempts + 1;
    deps.onAttempt?.(attempt);
    const outcome = await attemptOnce(request, Math.min(policy.requestTimeoutMs, remaining), deps, userSignal);
    if (outcome.kind === 'accepted') {
      const id = responseId(outcome.body);
      return { status: outcome.status, attempts: attempt, ...(id ? { responseId: id } : {}) };
    }
    if (outcome.kind === 'final') {
      throw outcome.error(attempt === 1 ? '' : ` on attempt ${attempt}, after ${failed.attempts} failed (${failed.reason})`);
    }
    failed.attempts = attempt;
    failed.reason = mask(outcome.reason, request.apiKey);
    failed.maybeRecorded ||= outcome.maybeRecorded;
    if (attempt >= policy.maxAttempts) throw giveUp();

    // Retry-After is a minimum, never a reason to hammer: `Retry-After: 0` still waits the usual backoff.
    const delayMs = Math.max(outcome.retryAfterMs ?? 0, backoffMs(attempt, deps.random));
    const left = deadline - clock.monotonicMs();
    // Announce a retry only if there will be one: after the wait, an attempt still needs its least useful time.
    if (delayMs + MIN_ATTEMPT_MS > left) {
      throw giveUp(
        outcome.retryAfterMs !== undefined && outcome.retryAfterMs + MIN_ATTEMPT_MS > left
          ? `the server asked to retry after ${seconds(delayMs)}, past the ${seconds(policy.deadlineMs)} deadline`
          : `the ${seconds(policy.deadlineMs)} deadline leaves no time for another attempt`,
      );
    }
    deps.onRetry?.({ attempt, delayMs, reason: failed.reason });
    try {
      await clock.sleep(delayMs, userSignal);
    } catch {
      throwIfInterrupted(userSignal);
      throw giveUp();
    }
  }
  // Only reached when the deadline ran out between attempts (maxAttempts is handled inside the loop).
  throw giveUp(`the ${seconds(policy.deadlineMs)} deadline was reached`);
}

async function attemptOnce(
  request: DeliveryRequest,
  timeoutMs: number,
  deps: DeliveryDeps,
  userSignal: AbortSignal,
): Promise<Outcome> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = AbortSignal.any([userSignal, timeout.signal]);
  try {
    const response = await deps.transport(request.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'DD-API-KEY': request.apiKey,
        'User-Agent': request.userAgent,
      },
      body: request.body,
      signal,
      redirect: 'manual',
    });
    // The body is read under the same timeout: a server that sends headers and then stalls must not hang us.
    // After a 2xx it only carries the echoed id, so losing it must not turn a recorded event into a retry, and it
    // is not worth more than a short wait: the event is recorded once the status line is in.
    const accepted = response.status >= 200 && response.status < 300;
    const body = accepted
      ? await Promise.race([response.text().catch(() => ''), delay(ACCEPTED_BODY_GRACE_MS, '', { ref: false })])
      : await response.text();
    return judge(response.status, body, response.headers, request, deps.clock.wallMs());
  } catch (error) {
    throwIfInterrupted(userSignal);
    if (timeout.signal.aborted) {
      // We cannot tell whether the request got through before we stopped waiting: Datadog may have recorded it.
      return { kind: 'retry', reason: `no answer within ${seconds(timeoutMs)}`, maybeRecorded: true };
    }
    return networkOutcome(error, request);
  } finally {
    clearTimeout(timer);
  }
}

/** What one HTTP answer means for the event. */
function judge(
  status: number,
  body: string,
  headers: { get(name: string): string | null },
  request: DeliveryRequest,
  wallNowMs: number,
): Outcome {
  if (status >= 200 && status < 300) return { kind: 'accepted', status, body };
  const detail = mask(errorText(body), request.apiKey);
  const statusLine = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status >= 300 && status < 400) {
    const location = headers.get('location');
    return {
      kind: 'final',
      error: (after) =>
        new DeliveryError(
          `Event not delivered: the API answered HTTP ${status}${location ? ` (a redirect to ${redactUrlsInText(location)})` : ''}${after}. ` +
            'dora does not follow redirects, so the API key never goes to another host; check --api-url / DORA_API_URL and DD_SITE.',
        ),
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'final',
      error: (after) =>
        new UnauthorizedError(
          `Datadog refused the API key (${statusLine})${after}. Check that DD_API_KEY (or DATADOG_API_KEY) is a valid API key ` +
            `(not an application key) for the site dora sends to, ${request.siteHint}; set DD_SITE for another site.`,
        ),
    };
  }
  if (status === 407) {
    return { kind: 'final', error: (after) => proxyAuthError(request, after) };
  }
  if (isRetryableStatus(status)) {
    const wait = retryAfterMs(headers.get('retry-after'), wallNowMs);
    // The server answered with a refusal, so this attempt did not record the event.
    return { kind: 'retry', reason: statusLine, maybeRecorded: false, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  return { kind: 'final', error: (after) => new RejectedError(`Datadog rejected the event (${statusLine})${after}.`) };
}

function networkOutcome(error: unknown, request: DeliveryRequest): Outcome {
  const reason = mask(describeNetworkError(error), request.apiKey);
  switch (classifyNetworkError(error)) {
    case 'certificate':
      return {
        kind: 'final',
        error: (after) =>
          new DeliveryError(
            `Event not delivered: the TLS certificate of ${safeHost(request.url)} could not be verified (${reason})${after}. ` +
              'If a proxy or gateway re-signs HTTPS traffic, point NODE_EXTRA_CA_CERTS at its CA certificate file.',
          ),
      };
    case 'tls-setup':
      return {
        kind: 'final',
        error: (after) =>
          new DeliveryError(
            `Event not sent: TLS could not be set up on this machine (${reason})${after}. With --fips or DATADOG_FIPS, ` +
              'this Node.js build needs a FIPS-capable OpenSSL; run without FIPS otherwise.',
          ),
      };
    case 'not-tls':
      return {
        kind: 'final',
        error: (after) =>
          new DeliveryError(
            request.proxy
              ? `Event not sent: the TLS handshake got a plain-HTTP answer (wrong version number)${after}, from the proxy ` +
                  `${request.proxy.url} or from ${safeHost(request.url)} behind it. A proxy is usually given as http:// even ` +
                  'for HTTPS traffic: check the scheme and port in HTTPS_PROXY, then the port in --api-url / DORA_API_URL.'
              : `Event not sent: ${safeHost(request.url)} did not answer in TLS (wrong version number)${after}; it looks ` +
                  'like a plain-HTTP port. Check the port in --api-url / DORA_API_URL.',
          ),
      };
    case 'bad-request-setup':
      return {
        kind: 'final',
        error: (after) =>
          new DeliveryError(
            `Event not sent: Node.js refused to make the request (${reason})${after}. ` +
              (request.proxy
                ? `With the proxy ${request.proxy.url}: a proxy is usually given as http://, and an https:// one by host name.`
                : 'Check --api-url / DORA_API_URL.'),
          ),
      };
    case 'proxy-auth':
      return { kind: 'final', error: (after) => proxyAuthError(request, after) };
    case 'never-sent':
      return { kind: 'retry', reason, maybeRecorded: false };
    case 'maybe-sent':
      return { kind: 'retry', reason, maybeRecorded: true };
  }
}

function proxyAuthError(request: DeliveryRequest, after: string): DeliveryError {
  const proxy = request.proxy ? ` ${request.proxy.url}` : '';
  if (request.proxy?.hasCredentials) {
    return new DeliveryError(
      `Event not delivered: the proxy${proxy} refused the credentials given in its URL (HTTP 407${after}). Check the ` +
        'user name and password in HTTPS_PROXY / HTTP_PROXY; characters such as @ : / in them must be percent-encoded.',
    );
  }
  return new DeliveryError(
    `Event not delivered: the proxy${proxy} asks for credentials (HTTP 407${after}). Put them in HTTPS_PROXY / ` +
      'HTTP_PROXY as user:password@ before the proxy host.',
  );
}

/** A key with spaces, newlines or non-ASCII cannot be a header value: refuse it before anything is sent. */
function checkApiKey(apiKey: string): void {
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new UsageError(
      'DD_API_KEY (or DATADOG_API_KEY) contains spaces, control or non-ASCII characters; a Datadog API key is ' +
        '32 hexadecimal characters. Nothing was sent.',
    );
  }
}

function throwIfInterrupted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  if (signal.reason instanceof DoraError) throw signal.reason;
  throw new DeliveryError('Stopped before the event was confirmed: it may or may not have been recorded.');
}

function notDelivered(attempts: number, reason: string, maybeRecorded: boolean): DeliveryError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  if (!maybeRecorded) return new DeliveryError(`Event not delivered after ${tries}; last error: ${reason}.`);
  // A timeout or a dropped connection cannot tell "never arrived" from "arrived, answer lost": say so.
  return new DeliveryError(
    `Event not confirmed after ${tries}; last error: ${reason}. An attempt may have reached Datadog before its ` +
      'answer was lost, so the event may or may not have been recorded.',
  );
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
  return redactUrlsInText(parts.join(': ') || String(error));
}

function mask(text: string, secret: string): string {
  return secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the API';
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))}s`;
}
