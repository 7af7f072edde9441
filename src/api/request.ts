/**
 * The request engine: the one place dora talks HTTP, for every endpoint and method. It makes one API call within a
 * policy (per-attempt timeout, overall deadline, attempts), retrying what can be retried, and returns the answer or
 * throws a RequestFailure that says what happened: its kind, the status, the attempts, the last reason, and whether
 * the request may have reached Datadog. Wording for users is src/api/messages.ts's job, not this file's.
 *
 * Time, randomness and the transport are injected, and every timer (backoff, attempt timeout, the grace for a 2xx
 * body) comes from the clock, so a virtual clock drives all of it in tests.
 */
import type { Clock } from '../context.js';
import { InterruptedError } from '../errors.js';
import { errorText } from './response.js';
import {
  backoffMs,
  classifyNetworkError,
  describeNetworkError,
  isRetryableStatus,
  type NetworkFailure,
  retryAfterMs,
} from './retry.js';
import type { HttpMethod, Transport, TransportResponse } from './transports/types.js';

export interface ApiCall {
  method: HttpMethod;
  /** Path below the base URL, e.g. `/api/v2/dora/deployment`. */
  path: string;
  /** JSON text, for POST and PATCH. */
  body?: string;
  /** Sent as DD-API-KEY; left out only by `dora doctor`, whose keyless validate call still shows the network. */
  apiKey?: string;
  /** Sent as DD-APPLICATION-KEY: reading and updating events needs one. */
  appKey?: string;
}

export interface RequestPolicy {
  requestTimeoutMs: number;
  deadlineMs: number;
  maxAttempts: number;
}

export interface RequestDeps {
  baseUrl: string;
  userAgent: string;
  transport: Transport;
  clock: Clock;
  random: () => number;
  /** Aborted when the user interrupts; its reason (an InterruptedError) says which signal. */
  signal?: AbortSignal;
  /** Called as each attempt starts (1-based), e.g. to keep a spinner's text current. */
  onAttempt?: (attempt: number) => void;
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface Answer {
  status: number;
  attempts: number;
  headers: { get(name: string): string | null };
  /** The body parsed as JSON, or undefined when it is empty, not JSON, or (after a 2xx) did not arrive in time. */
  json: unknown;
}

export type FailureKind =
  | 'unauthorized' // 401, 403
  | 'not-found' // 404
  | 'rejected' // any other 4xx that no retry can change
  | 'redirect' // 3xx: never followed
  | 'proxy-auth' // 407 from the proxy
  | 'certificate' // TLS verification failed
  | 'tls-setup' // TLS could not be set up on this machine
  | 'not-tls' // the TLS handshake got a plain-HTTP answer
  | 'bad-request-setup' // Node refused to make the request
  | 'gave-up'; // retryable failures until attempts, deadline or Retry-After ran out

/** Why retrying stopped, for a 'gave-up' failure. */
export type GiveUp = 'attempts' | 'deadline-reached' | 'deadline-too-short' | 'retry-after-too-long';

export class RequestFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly details: {
      attempts: number;
      /** The last thing that went wrong, e.g. "HTTP 503: busy" or "ECONNREFUSED …". */
      reason: string;
      /** Whether any attempt may have reached Datadog although no answer said so. */
      maybeRecorded: boolean;
      status?: number;
      /** The API's own words, from the body of a refusal. */
      apiText?: string;
      /** Where a redirect pointed. */
      location?: string;
      giveUp?: GiveUp;
      /** For refusals after failed attempts: how many failed before, and the last reason then. */
      earlier?: { attempts: number; reason: string };
      retryAfterMs?: number;
      deadlineMs: number;
      /** The answer of a refusal, for callers that read its headers (the server's `Date`). */
      response?: { headers: { get(name: string): string | null } };
    },
  ) {
    super(`${kind}: ${details.reason}`);
    this.name = 'RequestFailure';
  }
}

/** The least time worth starting an attempt with; also the least a user may set for a timeout or the deadline. */
export const MIN_ATTEMPT_MS = 250;

/** How long the body of a 2xx may take after its status line: the request is answered once the status is in. */
const ACCEPTED_BODY_GRACE_MS = 2000;

type Outcome =
  | { kind: 'answered'; response: TransportResponse; text: string }
  /** `maybeRecorded`: the request may have reached Datadog even though we saw no answer. */
  | { kind: 'retry'; reason: string; maybeRecorded: boolean; retryAfterMs?: number; response?: TransportResponse }
  | {
      kind: 'final';
      failure: FailureKind;
      reason: string;
      status?: number;
      apiText?: string;
      location?: string;
      response?: TransportResponse;
    };

export async function request(call: ApiCall, policy: RequestPolicy, deps: RequestDeps): Promise<Answer> {
  const { clock } = deps;
  const userSignal = deps.signal ?? new AbortController().signal;
  const deadline = clock.monotonicMs() + policy.deadlineMs;
  const failed = { attempts: 0, reason: 'no attempt was made', maybeRecorded: false };
  const giveUp = (why: GiveUp, retryAfter?: number) =>
    new RequestFailure('gave-up', {
      attempts: failed.attempts,
      reason: failed.reason,
      maybeRecorded: failed.maybeRecorded,
      giveUp: why,
      deadlineMs: policy.deadlineMs,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    });
  const interrupted = (inFlight: boolean) => interruption(userSignal, call.method, failed.maybeRecorded || inFlight);

  while (failed.attempts < policy.maxAttempts) {
    if (userSignal.aborted) throw interrupted(false);
    const remaining = deadline - clock.monotonicMs();
    // An attempt with a sliver of time left could only send a duplicate that times out before its answer.
    // The first attempt always goes: a deadline of exactly MIN_ATTEMPT_MS has lost a hair to the clock by now.
    if (failed.attempts > 0 && remaining < MIN_ATTEMPT_MS) break;
    const attempt = failed.attempts + 1;
    deps.onAttempt?.(attempt);
    const outcome = await attemptOnce(call, Math.min(policy.requestTimeoutMs, remaining), deps, userSignal);
    if (outcome === 'interrupted') throw interrupted(true);
    if (outcome.kind === 'answered') {
      return {
        status: outcome.response.status,
        attempts: attempt,
        headers: outcome.response.headers,
        json: parseJson(outcome.text),
      };
    }
    if (outcome.kind === 'final') {
      throw new RequestFailure(outcome.failure, {
        attempts: attempt,
        reason: outcome.reason,
        maybeRecorded: failed.maybeRecorded,
        deadlineMs: policy.deadlineMs,
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        ...(outcome.apiText ? { apiText: outcome.apiText } : {}),
        ...(outcome.location ? { location: outcome.location } : {}),
        ...(outcome.response ? { response: outcome.response } : {}),
        ...(attempt > 1 ? { earlier: { attempts: failed.attempts, reason: failed.reason } } : {}),
      });
    }
    failed.attempts = attempt;
    failed.reason = outcome.reason;
    failed.maybeRecorded ||= outcome.maybeRecorded;
    if (attempt >= policy.maxAttempts) throw giveUp('attempts');

    // Retry-After is a minimum, never a reason to hammer: `Retry-After: 0` still waits the usual backoff.
    const delayMs = Math.max(outcome.retryAfterMs ?? 0, backoffMs(attempt, deps.random));
    const left = deadline - clock.monotonicMs();
    // Announce a retry only if there will be one: after the wait, an attempt still needs its least useful time.
    if (delayMs + MIN_ATTEMPT_MS > left) {
      throw outcome.retryAfterMs !== undefined && outcome.retryAfterMs + MIN_ATTEMPT_MS > left
        ? giveUp('retry-after-too-long', delayMs)
        : giveUp('deadline-too-short');
    }
    deps.onRetry?.({ attempt, delayMs, reason: failed.reason });
    try {
      await clock.sleep(delayMs, userSignal);
    } catch {
      throw interrupted(false);
    }
  }
  // Only reached when the deadline ran out between attempts (maxAttempts is handled inside the loop).
  throw giveUp('deadline-reached');
}

async function attemptOnce(
  call: ApiCall,
  timeoutMs: number,
  deps: RequestDeps,
  userSignal: AbortSignal,
): Promise<Outcome | 'interrupted'> {
  const timeout = new AbortController();
  // Cancels this attempt's timers once it is over, whichever way it ends.
  const over = new AbortController();
  deps.clock.sleep(timeoutMs, over.signal).then(
    () => timeout.abort(),
    () => undefined,
  );
  const signal = AbortSignal.any([userSignal, timeout.signal]);
  try {
    const response = await deps.transport(`${deps.baseUrl}${call.path}`, {
      method: call.method,
      headers: {
        Accept: 'application/json',
        ...(call.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(call.apiKey !== undefined ? { 'DD-API-KEY': call.apiKey } : {}),
        ...(call.appKey !== undefined ? { 'DD-APPLICATION-KEY': call.appKey } : {}),
        'User-Agent': deps.userAgent,
      },
      ...(call.body !== undefined ? { body: call.body } : {}),
      signal,
      redirect: 'manual',
    });
    // The body is read under the same timeout: a server that sends headers and then stalls must not hang us.
    // After a 2xx the request is answered once the status line is in: a body that breaks off or stalls only loses
    // its content (for a POST, the echoed id), never turns a recorded event into a retry.
    const accepted = response.status >= 200 && response.status < 300;
    const text = accepted
      ? await Promise.race([
          response.text().catch(() => ''),
          deps.clock.sleep(ACCEPTED_BODY_GRACE_MS, over.signal).then(
            () => '',
            () => '',
          ),
        ])
      : await response.text();
    return judge(response, text, deps.clock.wallMs());
  } catch (error) {
    if (userSignal.aborted) return 'interrupted';
    if (timeout.signal.aborted) {
      // We cannot tell whether the request got through before we stopped waiting: Datadog may have it.
      return { kind: 'retry', reason: `no answer within ${seconds(timeoutMs)}`, maybeRecorded: true };
    }
    return networkOutcome(error);
  } finally {
    over.abort();
  }
}

/** What one HTTP answer means. */
function judge(response: TransportResponse, text: string, wallNowMs: number): Outcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'answered', response, text };
  const apiText = errorText(text);
  const reason = `HTTP ${status}${apiText ? `: ${apiText}` : ''}`;
  const common = { reason, status, response, ...(apiText ? { apiText } : {}) };
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location') ?? undefined;
    return { kind: 'final', failure: 'redirect', ...common, ...(location ? { location } : {}) };
  }
  if (status === 401 || status === 403) return { kind: 'final', failure: 'unauthorized', ...common };
  if (status === 407) return { kind: 'final', failure: 'proxy-auth', ...common };
  if (status === 404) return { kind: 'final', failure: 'not-found', ...common };
  if (isRetryableStatus(status)) {
    const wait = retryAfterMs(response.headers.get('retry-after'), wallNowMs);
    // The server answered with a refusal, so this attempt did not record anything.
    return {
      kind: 'retry',
      reason,
      maybeRecorded: false,
      response,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  }
  return { kind: 'final', failure: 'rejected', ...common };
}

const FINAL_NETWORK_FAILURES: Partial<Record<NetworkFailure, FailureKind>> = {
  certificate: 'certificate',
  'tls-setup': 'tls-setup',
  'not-tls': 'not-tls',
  'bad-request-setup': 'bad-request-setup',
  'proxy-auth': 'proxy-auth',
};

function networkOutcome(error: unknown): Outcome {
  const reason = describeNetworkError(error);
  const kind = classifyNetworkError(error);
  const final = FINAL_NETWORK_FAILURES[kind];
  if (final) return { kind: 'final', failure: final, reason };
  return { kind: 'retry', reason, maybeRecorded: kind === 'maybe-sent' };
}

/** The user stopped us: say whether what was asked may have happened (a POST, PATCH or DELETE already on its way). */
function interruption(signal: AbortSignal, method: HttpMethod, maybeDone: boolean): InterruptedError {
  const reason = signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT', 'maybe');
  if (method === 'GET') return new InterruptedError(reason.signal, 'read-only');
  return new InterruptedError(reason.signal, maybeDone ? 'maybe' : 'not-done', method === 'POST' ? 'event' : 'change');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))}s`;
}
