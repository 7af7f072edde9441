/**
 * The one module that talks HTTP. It sends one event body, retrying what can be retried, and either returns the
 * intake's acceptance or throws a DoraError that says truthfully what happened. Time, randomness and the transport
 * are injected: tests drive status sequences and backoffs without real sleeps, and production passes undici.
 */
import { DeliveryError, DoraError, RejectedError, UnauthorizedError } from '../errors.js';
import { redactUrlsInText } from '../git/url.js';
import { errorText, responseId } from './response.js';
import { backoffMs, isRetryableStatus, retryAfterMs } from './retry.js';

/** The subset of `fetch` we use, so Node's fetch (msw in tests) and undici's fetch both fit. */
export type Transport = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
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
}

export interface Delivered {
  status: number;
  attempts: number;
  /** The id Datadog echoed back, when it did. */
  responseId?: string;
}

type Outcome =
  | { kind: 'accepted'; status: number; body: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'final'; error: DoraError };

export async function deliver(request: DeliveryRequest, policy: DeliveryPolicy, deps: DeliveryDeps): Promise<Delivered> {
  const { clock } = deps;
  const userSignal = deps.signal ?? new AbortController().signal;
  const deadline = clock.monotonicMs() + policy.deadlineMs;
  let lastReason = 'no attempt was made';

  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    throwIfInterrupted(userSignal);
    const remaining = deadline - clock.monotonicMs();
    if (remaining <= 0) break;
    const outcome = await attemptOnce(request, Math.min(policy.requestTimeoutMs, remaining), deps, userSignal);
    if (outcome.kind === 'accepted') {
      const id = responseId(outcome.body);
      return { status: outcome.status, attempts: attempt, ...(id ? { responseId: id } : {}) };
    }
    if (outcome.kind === 'final') throw outcome.error;
    lastReason = outcome.reason;
    if (attempt === policy.maxAttempts) {
      throw notDelivered(attempt, lastReason);
    }

    const delayMs = outcome.retryAfterMs ?? backoffMs(attempt, deps.random);
    const left = deadline - clock.monotonicMs();
    if (delayMs >= left) {
      const why = outcome.retryAfterMs !== undefined
        ? `the server asked to retry after ${seconds(delayMs)}, past the ${seconds(policy.deadlineMs)} deadline`
        : `the ${seconds(policy.deadlineMs)} deadline leaves no time for another attempt`;
      throw notDelivered(attempt, `${lastReason} (${why})`);
    }
    deps.onRetry?.({ attempt, delayMs, reason: lastReason });
    try {
      await clock.sleep(delayMs, userSignal);
    } catch {
      throwIfInterrupted(userSignal);
      throw notDelivered(attempt, lastReason);
    }
  }
  throw notDelivered(Math.max(1, policy.maxAttempts), `${lastReason} (deadline of ${seconds(policy.deadlineMs)} reached)`);
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
    });
    // The body is read under the same timeout: a server that sends headers and then stalls must not hang us.
    const body = await response.text();
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'accepted', status, body };
    const detail = errorText(body);
    const statusLine = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
    if (status === 401 || status === 403) {
      return {
        kind: 'final',
        error: new UnauthorizedError(
          `Datadog refused the API key (${statusLine}). Check that DD_API_KEY (or DATADOG_API_KEY) is a valid API key ` +
            `(not an application key) for the site dora sends to, ${request.siteHint}; set DD_SITE for another site.`,
        ),
      };
    }
    if (isRetryableStatus(status)) {
      const wait = retryAfterMs(response.headers.get('retry-after'), deps.clock.wallMs());
      return { kind: 'retry', reason: statusLine, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
    }
    return { kind: 'final', error: new RejectedError(`Datadog rejected the event (${statusLine}).`) };
  } catch (error) {
    throwIfInterrupted(userSignal);
    if (timeout.signal.aborted) return { kind: 'retry', reason: `no answer within ${seconds(timeoutMs)}` };
    return { kind: 'retry', reason: describeNetworkError(error) };
  } finally {
    clearTimeout(timer);
  }
}

function throwIfInterrupted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  if (signal.reason instanceof DoraError) throw signal.reason;
  throw new DeliveryError('Stopped before the event was confirmed: it may or may not have been recorded.');
}

function notDelivered(attempts: number, reason: string): DeliveryError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  return new DeliveryError(`Event not delivered after ${tries}; last error: ${reason}.`);
}

/** Network errors from fetch wrap the useful part (ECONNREFUSED, certificate problems) in `cause`. */
export function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const { message, code } = current as { message?: unknown; code?: unknown };
    const text = [typeof code === 'string' ? code : '', typeof message === 'string' ? message : '']
      .filter(Boolean)
      .join(' ');
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    current = (current as { cause?: unknown }).cause;
  }
  return redactUrlsInText(parts.join(': ') || String(error));
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))}s`;
}
