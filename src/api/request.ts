/**
 * The request engine: the one place dora talks HTTP, for every endpoint and method. It makes one API call within a
 * policy (per-attempt timeout, overall deadline, attempts), retrying what can be retried, and returns the answer or
 * throws a RequestFailure that says what happened: its kind, the status, the attempts, the last reason, and whether
 * the request may have reached Datadog. Each kind of failure is named here, once; wording for users is
 * src/api/messages.ts's job, not this file's.
 *
 * Bounds it keeps whatever the other side does: every attempt settles (an answer, a failure or its timeout); every
 * connection attempt, through a proxy too, is one of at most `maxAttempts`; a body is read only up to its limit
 * (src/api/body.ts) and only for a bounded time; once the status line is in, the status decides.
 *
 * Time, randomness and the transport are injected, and every timer (backoff, attempt timeout, the grace for a body)
 * comes from the clock, so a virtual clock drives all of it in tests.
 */
import type { Clock } from '../context.js';
import { InterruptedError } from '../errors.js';
import { BODY_LIMIT, type BodyPrefix, readBody, readJson } from './body.js';
import { errorText } from './response.js';
import {
  backoffMs,
  isRetryableStatus,
  type NetworkReading,
  readNetworkError,
  retryAfterMs,
  type TlsProblem,
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
  /**
   * For calls that only read (a GET, the list POST): the body of a 2xx is the result. It is read within the
   * attempt's time and must be complete JSON; a body that stalls or breaks off is retried like a lost answer, and
   * one that is too large, not JSON or absurdly deep is an `unusable-body` failure. Without it, a 2xx is an answer
   * at its status line (a recorded event stays recorded) and its body gets only a short grace. Default: true for a
   * GET, false otherwise (so the list POST must say it).
   */
  needsJson?: boolean;
  /** The most of a 2xx body to read: BODY_LIMIT (1 MiB) unless the call expects more. Refusals: BODY_LIMIT. */
  maxBodyBytes?: number;
  /**
   * A 429 is the answer, not a reason to retry: for a caller that paces many requests itself (an import waits as a
   * whole, instead of each request retrying into the same limit).
   */
  answerRateLimits?: boolean;
}

export interface RequestPolicy {
  requestTimeoutMs: number;
  deadlineMs: number;
  maxAttempts: number;
  /** When the run's whole budget ends (monotonic ms): a call ends by then too, whatever its own deadline. */
  runEndsAt?: number | undefined;
}

export interface RequestDeps {
  baseUrl: string;
  userAgent: string;
  transport: Transport;
  clock: Clock;
  random: () => number;
  /** Aborted when the user interrupts; its reason (an InterruptedError) says which signal. */
  signal?: AbortSignal;
  /**
   * Aborted when no new attempt may start, while the one out may finish (an import's first interruption): no retry,
   * and no waiting for one. Its reason says which signal.
   */
  retrySignal?: AbortSignal;
  /** Called as each attempt starts (1-based), e.g. to keep a spinner's text current. */
  onAttempt?: (attempt: number) => void;
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface Answer {
  status: number;
  attempts: number;
  headers: { get(name: string): string | null };
  /**
   * The body parsed as JSON, or undefined when it is empty, not JSON, too deep, cut at the limit or (after a 2xx of a
   * call without `needsJson`) did not arrive in time. With `needsJson`, a 2xx always has it.
   */
  json: unknown;
}

export type FailureKind =
  | 'unauthorized' // 401, 403
  | 'not-found' // 404
  | 'rejected' // any other 4xx that no retry can change (a 407 from the server itself included)
  | 'redirect' // 3xx: never followed
  | 'proxy-auth' // the proxy answered the CONNECT with 407
  | 'proxy-refused' // the proxy answered the CONNECT with another status no retry changes (403…)
  | 'certificate' // the server's (or an https:// proxy's) certificate failed verification
  | 'tls-handshake' // the server ended the TLS handshake: a client certificate wanted, no shared version, an alert
  | 'tls-setup' // TLS could not be set up on this machine
  | 'not-tls' // the TLS handshake got a plain-HTTP answer
  | 'bad-request-setup' // Node refused to make the request
  | 'unusable-answer' // no final HTTP answer: a switch of protocols, interim (1xx) answers only, bytes that are not HTTP
  | 'unusable-body' // a read's 2xx whose body is too large, not JSON, or nested too deep
  | 'gave-up'; // retryable failures until attempts, deadline or Retry-After ran out

/** Why retrying stopped, for a 'gave-up' failure. */
export type GiveUp = 'attempts' | 'deadline-reached' | 'deadline-too-short' | 'retry-after-too-long';

export class RequestFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly details: {
      attempts: number;
      /** The last thing that went wrong, one line: e.g. "HTTP 503: busy" or "connect ECONNREFUSED …". */
      reason: string;
      /** Whether any attempt may have reached Datadog although no answer said so. */
      maybeRecorded: boolean;
      /** The status of the answer (or, with `atProxy`, of the proxy's answer to the CONNECT). */
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
      /** The failure happened between dora and the proxy: nothing reached the server. */
      atProxy?: boolean;
      /** For `tls-handshake`: what the server's alert says. */
      tls?: TlsProblem;
      /** For `unusable-answer`: what came back instead of an answer. */
      answer?: 'upgrade' | 'interim-only' | 'informational' | 'not-http';
      /** For `unusable-body`: what is wrong with the body, and the limit it was read to. */
      body?: 'too-large' | 'empty' | 'not-json' | 'too-deep';
      bodyLimit?: number;
    },
  ) {
    super(`${kind}: ${details.reason}`);
    this.name = 'RequestFailure';
  }
}

type Details = RequestFailure['details'];

/** The least time worth starting an attempt with; also the least a user may set for a timeout or the deadline. */
export const MIN_ATTEMPT_MS = 250;

/**
 * How long a body may take once the status line is in, when the status alone decides (a refusal, or a 2xx of a call
 * that does not need the body): its words are welcome, but waiting for them must not turn an answer into a timeout.
 */
const BODY_GRACE_MS = 2000;

/** What one attempt came to. `Extra` are the details a failure carries besides attempts, reason and deadline. */
type Extra = Omit<Details, 'attempts' | 'reason' | 'maybeRecorded' | 'deadlineMs' | 'giveUp' | 'earlier'>;
type Outcome =
  | { kind: 'answered'; response: TransportResponse; json: unknown }
  /** `maybeRecorded`: the request may have reached Datadog even though we saw no answer. */
  | { kind: 'retry'; reason: string; maybeRecorded: boolean; retryAfterMs?: number }
  | { kind: 'final'; failure: FailureKind; reason: string; maybeRecorded?: boolean; extra?: Extra };

export async function request(call: ApiCall, policy: RequestPolicy, deps: RequestDeps): Promise<Answer> {
  const { clock } = deps;
  const userSignal = deps.signal ?? new AbortController().signal;
  const deadline = Math.min(clock.monotonicMs() + policy.deadlineMs, policy.runEndsAt ?? Number.POSITIVE_INFINITY);
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
  const interrupted = (inFlight: boolean) => interruption(call, userSignal, failed.maybeRecorded || inFlight);

  const stopRetrying = deps.retrySignal;
  while (failed.attempts < policy.maxAttempts) {
    if (userSignal.aborted) throw interrupted(false);
    if (failed.attempts > 0 && stopRetrying?.aborted) throw interruption(call, stopRetrying, failed.maybeRecorded);
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
        json: outcome.json,
      };
    }
    if (outcome.kind === 'final') {
      throw new RequestFailure(outcome.failure, {
        attempts: attempt,
        reason: outcome.reason,
        maybeRecorded: failed.maybeRecorded || outcome.maybeRecorded === true,
        deadlineMs: policy.deadlineMs,
        ...outcome.extra,
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
      // The back-off ends at either signal: combined only here, when there is a wait (most calls never retry, and
      // each combined signal stays tied to the run's signals until it is collected).
      await clock.sleep(delayMs, stopRetrying ? AbortSignal.any([userSignal, stopRetrying]) : userSignal);
    } catch {
      if (!userSignal.aborted && stopRetrying?.aborted) throw interruption(call, stopRetrying, failed.maybeRecorded);
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
  const { clock } = deps;
  // One controller ends everything of this attempt: the user's interruption, its time running out, or its verdict
  // (its timers, and the request with its connection). Plain listeners, not AbortSignal.any: an import makes
  // thousands of attempts, and combined signals cost it measurably.
  const attempt = new AbortController();
  let timedOut = false;
  const onUser = () => attempt.abort(userSignal.reason);
  if (userSignal.aborted) onUser();
  else userSignal.addEventListener('abort', onUser, { once: true });
  clock.sleep(timeoutMs, attempt.signal).then(
    () => {
      timedOut = true;
      attempt.abort(ATTEMPT_OVER);
    },
    () => undefined,
  );
  try {
    let response: TransportResponse;
    try {
      response = await deps.transport(`${deps.baseUrl}${call.path}`, {
        method: call.method,
        headers: {
          Accept: 'application/json',
          ...(call.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(call.apiKey !== undefined ? { 'DD-API-KEY': call.apiKey } : {}),
          ...(call.appKey !== undefined ? { 'DD-APPLICATION-KEY': call.appKey } : {}),
          'User-Agent': deps.userAgent,
        },
        ...(call.body !== undefined ? { body: call.body } : {}),
        signal: attempt.signal,
        redirect: 'manual',
      });
    } catch (error) {
      if (userSignal.aborted) return 'interrupted';
      // We cannot tell whether the request got through before we stopped waiting: Datadog may have it.
      if (timedOut) {
        // A server may send interim answers (102 Processing) before a slow final one: not a failure of its own.
        const interim = readNetworkError(error).answer === 'interim-only' ? ' (only an interim answer came)' : '';
        // A request whose bytes never all left (a tunnel or a TLS handshake that stalled) cannot have been acted on.
        const unsent = (error as { requestSent?: boolean } | undefined)?.requestSent === false;
        const before = unsent ? ' (the request never left: the connection was not ready)' : '';
        return {
          kind: 'retry',
          reason: `no answer within ${seconds(timeoutMs)}${interim}${before}`,
          maybeRecorded: !unsent,
        };
      }
      return networkOutcome(readNetworkError(error));
    }

    const { status } = response;
    // A transport settles on a final answer; one that hands over an interim status has nothing more to give.
    if (status < 200) {
      return {
        kind: 'final',
        failure: 'unusable-answer',
        reason: `HTTP ${status}, an interim answer, and nothing after it`,
        maybeRecorded: true,
        extra: { status, answer: status === 101 ? 'upgrade' : 'informational' },
      };
    }
    const accepted = status < 300;
    const bodyIsResult = accepted && (call.needsJson ?? call.method === 'GET');
    let bodySignal = attempt.signal;
    if (!bodyIsResult) {
      // The status has decided; the body only adds words, and gets a short grace for them.
      const grace = new AbortController();
      const endGrace = () => grace.abort(ATTEMPT_OVER);
      attempt.signal.addEventListener('abort', endGrace, { once: true });
      clock.sleep(BODY_GRACE_MS, grace.signal).then(endGrace, () => undefined);
      bodySignal = grace.signal;
    }
    const limit = accepted ? (call.maxBodyBytes ?? BODY_LIMIT) : BODY_LIMIT;
    const body =
      response.body !== undefined
        ? await readBody(response.body, bodySignal, limit)
        : await textOf(response, bodySignal, limit);
    if (!bodyIsResult) return judge(response, body.text, clock.wallMs(), call.answerRateLimits === true);
    return readResult(response, body, limit, userSignal);
  } finally {
    userSignal.removeEventListener('abort', onUser);
    // A reason of our own: without one, every attempt would build a DOMException nobody reads.
    attempt.abort(ATTEMPT_OVER);
  }
}

/** Why an attempt's timers and request are ended once it has its verdict. */
const ATTEMPT_OVER = new Error('the attempt is over');

/** The body of a read's 2xx: it is the result, so it must be whole JSON. */
function readResult(
  response: TransportResponse,
  body: BodyPrefix,
  limit: number,
  userSignal: AbortSignal,
): Outcome | 'interrupted' {
  const { status } = response;
  if (body.end === 'stalled' || body.end === 'broken') {
    if (userSignal.aborted) return 'interrupted';
    // A read changes nothing: another attempt is safe.
    const how = body.end === 'stalled' ? 'stopped arriving' : 'broke off';
    return {
      kind: 'retry',
      reason: `HTTP ${status}, but its body ${how} after ${body.bytes} bytes`,
      maybeRecorded: false,
    };
  }
  if (body.end === 'cut') {
    return {
      kind: 'final',
      failure: 'unusable-body',
      reason: `HTTP ${status} with a body larger than ${limit} bytes`,
      extra: { status, body: 'too-large', bodyLimit: limit },
    };
  }
  const reading = readJson(body.text);
  if (!reading.ok) {
    return {
      kind: 'final',
      failure: 'unusable-body',
      reason: `HTTP ${status} with a body that is ${BODY_PROBLEM[reading.problem]}`,
      extra: { status, body: reading.problem, bodyLimit: limit },
    };
  }
  return { kind: 'answered', response, json: reading.value };
}

const BODY_PROBLEM = { empty: 'empty', 'not-json': 'not JSON', 'too-deep': 'JSON nested too deep' } as const;

/** For a transport without a body stream (a test's): its text(), given up on when the signal fires. */
async function textOf(response: TransportResponse, signal: AbortSignal, limit: number): Promise<BodyPrefix> {
  const text = response.text();
  text.catch(() => undefined);
  const stopped = new Promise<undefined>((resolve) => {
    if (signal.aborted) resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  try {
    const read = await Promise.race([text, stopped]);
    if (read === undefined) return { text: '', bytes: 0, end: 'stalled' };
    const bytes = Buffer.byteLength(read);
    return bytes > limit
      ? { text: Buffer.from(read).subarray(0, limit).toString('utf8'), bytes: limit, end: 'cut' }
      : { text: read, bytes, end: 'complete' };
  } catch {
    return { text: '', bytes: 0, end: 'broken' };
  }
}

/** What one HTTP answer means: the status decides; the body only lends its words. */
function judge(response: TransportResponse, text: string, wallNowMs: number, answerRateLimits: boolean): Outcome {
  const { status } = response;
  // HTTP has statuses 100 to 599 only; Node's parser takes any three digits. A 600 is no refusal, it is no HTTP
  // answer: it reached something, which may have acted on it.
  if (status > 599) {
    const reason = `status ${status}, which HTTP does not have`;
    return { kind: 'final', failure: 'unusable-answer', reason, maybeRecorded: true, extra: { answer: 'not-http' } };
  }
  if ((status >= 200 && status < 300) || (status === 429 && answerRateLimits)) {
    const reading = readJson(text);
    return { kind: 'answered', response, json: reading.ok ? reading.value : undefined };
  }
  const apiText = errorText(text);
  const reason = `HTTP ${status}${apiText ? `: ${apiText}` : ''}`;
  const extra: Extra = { status, response, ...(apiText ? { apiText } : {}) };
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location') ?? undefined;
    return { kind: 'final', failure: 'redirect', reason, extra: { ...extra, ...(location ? { location } : {}) } };
  }
  if (status === 401 || status === 403) return { kind: 'final', failure: 'unauthorized', reason, extra };
  if (status === 404) return { kind: 'final', failure: 'not-found', reason, extra };
  if (isRetryableStatus(status)) {
    const wait = retryAfterMs(response.headers.get('retry-after'), wallNowMs);
    // A refusal of the server itself recorded nothing. A gateway's 502 or 504 is no such refusal: it may have passed
    // the request on before the server behind it failed or timed out, so the event may have been recorded.
    const maybeRecorded = status === 502 || status === 504;
    return { kind: 'retry', reason, maybeRecorded, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  // Any other status, 407 included: from the server itself it is a refusal like any other (a proxy's 407 arrives
  // as the answer to the CONNECT, never here).
  return { kind: 'final', failure: 'rejected', reason, extra };
}

/** A failed connection, read once (src/api/retry.ts): retried, or final with its kind. */
function networkOutcome(reading: NetworkReading): Outcome {
  const { kind, reason } = reading;
  const extra: Extra = {
    ...(reading.status !== undefined ? { status: reading.status } : {}),
    ...(reading.atProxy ? { atProxy: true } : {}),
    ...(reading.tls ? { tls: reading.tls } : {}),
    ...(reading.answer ? { answer: reading.answer } : {}),
  };
  switch (kind) {
    case 'never-sent':
      return { kind: 'retry', reason, maybeRecorded: false };
    case 'maybe-sent':
      return { kind: 'retry', reason, maybeRecorded: true };
    case 'proxy-refused':
      // A proxy that could not reach the server (502, 504) or is busy may manage the next time; a 403 will not.
      return isRetryableStatus(reading.status ?? 0)
        ? { kind: 'retry', reason, maybeRecorded: false }
        : { kind: 'final', failure: 'proxy-refused', reason, extra };
    case 'unusable-answer':
      // The request reached the server (unless the proxy answered so): a retry could record the event twice.
      return { kind: 'final', failure: kind, reason, maybeRecorded: !reading.atProxy, extra };
    default:
      return { kind: 'final', failure: kind, reason, extra };
  }
}

/** The user stopped us: say whether what was asked may have happened (a POST, PATCH or DELETE already on its way). */
function interruption(call: ApiCall, signal: AbortSignal, maybeDone: boolean): InterruptedError {
  const { method } = call;
  const reason = signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT', 'maybe');
  // A read (a GET, or a list's POST, whose answer is the result) changes nothing, whatever became of it.
  if (method === 'GET' || call.needsJson === true) return new InterruptedError(reason.signal, 'read-only');
  return new InterruptedError(reason.signal, maybeDone ? 'maybe' : 'not-done', method === 'POST' ? 'event' : 'change');
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))}s`;
}
