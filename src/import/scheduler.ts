/**
 * Sending the planned records. The order rules, which keep Datadog's rollback detection right (it compares a
 * deployment with the earlier ones):
 * - records start in plan order (oldest first): one starts only after every older one has started;
 * - the records of one service go one after another, each only after the previous one was answered; different
 *   services go in parallel, at most `concurrency` requests out (with 1, the order is strictly global);
 * - a record of a service whose earlier record could not be delivered is held back for the next run, which sends
 *   both in order.
 * Rate limits: requests out are counted against the last announced budget (see rate-limit.ts); a 429 makes the whole
 * import wait as Retry-After says, then the record is started again.
 * Failures: a 4xx refusal is listed and the rest go on; 401/403 stops at once (every later record would meet it too);
 * so do `stopAfterFailures` records in a row that could not be delivered (the service is down: the rest wait for the
 * next run). Interruption (`signal`) stops starting and waits for the requests out, whose answers still count.
 *
 * Retries and timeouts of one request are `send`'s business (the request engine's); this file sees final answers.
 */
import { RequestFailure } from '../api/request.js';
import { retryAfterMs } from '../api/retry.js';
import type { Clock } from '../context.js';
import { DoraError } from '../errors.js';
import { placeOf } from './problems.js';
import { type HeaderLookup, RateBudget } from './rate-limit.js';

/** What `send` resolves with. A non-2xx status is read as the same failure thrown would be. */
export interface SendAnswer {
  status: number;
  headers?: HeaderLookup;
  /** The API's words, for a refusal. */
  message?: string;
}

/**
 * Sends one record, retries and timeouts included; resolves with the final answer, or rejects with a RequestFailure
 * (or any error with a numeric `status` and a `message`; anything else is a network failure).
 */
export type Send<R> = (record: R, signal: AbortSignal) => Promise<SendAnswer>;

/** What the scheduler reads of a record. */
export interface Schedulable {
  line: number;
  tag?: string;
  id: string;
  event: { services: readonly string[] };
}

export interface Refused {
  line: number;
  tag?: string;
  id: string;
  status: number;
  error: string;
}

export interface Undelivered {
  line: number;
  tag?: string;
  id: string;
  error: string;
}

export type StopReason = 'unauthorized' | 'failures' | 'rate-limit' | 'journal' | 'interrupted';

export interface ScheduleResult {
  recorded: number;
  refused: Refused[];
  notDelivered: Undelivered[];
  /** Why it stopped before the end, if it did; the records never started are in notDelivered, saying why. */
  stop?: { reason: StopReason; message: string; exitCode?: number };
}

export type Outcome = 'recorded' | 'refused' | 'not-delivered' | 'rate-limited';

export interface ScheduleOptions<R> {
  /** At most this many requests out (--concurrency). */
  concurrency: number;
  clock: Clock;
  /** Aborted: start nothing more, wait for the requests out, report (Ctrl-C). */
  signal: AbortSignal;
  /** Handed to `send`: aborts the requests out (a second Ctrl-C). Never aborted when absent. */
  inFlightSignal?: AbortSignal;
  /** Called as each acknowledgement arrives, before anything else happens: the journal's write. */
  onRecorded?(record: R): void;
  /** Called once per record with its final outcome (and for every 429), for progress. */
  onSettled?(record: R, outcome: Outcome): void;
  /** Called when the import starts waiting (a 429, a spent budget), and with undefined when it goes on. */
  onWait?(wait: { ms: number; reason: string } | undefined): void;
  /** Records in a row that could not be delivered before the import stops (default 10). */
  stopAfterFailures?: number;
  /** The longest wait a 429 may ask for before the import stops instead (default 15 minutes). */
  maxWaitMs?: number;
  /** 429s one record may meet before it is given up (default 10). */
  maxRateLimited?: number;
}

/** A 429 that says neither Retry-After nor when the window resets. */
const UNSAID_RETRY_MS = 10_000;

/** A failure, read the same way whether `send` rejected or resolved with a non-2xx status. */
interface Failure {
  status?: number;
  message: string;
  headers?: HeaderLookup;
  retryAfterMs?: number;
}

export async function schedule<R extends Schedulable>(
  records: readonly R[],
  send: Send<R>,
  options: ScheduleOptions<R>,
): Promise<ScheduleResult> {
  const { clock, signal } = options;
  const limits = {
    stopAfterFailures: options.stopAfterFailures ?? 10,
    maxWaitMs: options.maxWaitMs ?? 15 * 60_000,
    maxRateLimited: options.maxRateLimited ?? 10,
  };
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const inFlightSignal = options.inFlightSignal ?? new AbortController().signal;
  const budget = new RateBudget(() => clock.monotonicMs());
  const result: ScheduleResult = { recorded: 0, refused: [], notDelivered: [] };

  /** Services with a request out. */
  const busy = new Set<string>();
  /** Services whose record was not delivered: their later records wait for the next run. */
  const held = new Map<string, R>();
  /** Rate-limited records, to start again before anything newer, kept in plan order. */
  const again: Array<{ record: R; index: number }> = [];
  const out = new Map<R, number>();
  const limited = new Map<R, number>();
  let next = 0;
  let failuresInRow = 0;
  let pausedUntil = 0;
  let stop: ScheduleResult['stop'];
  let wake: (() => void) | undefined;

  const stopWith = (reason: StopReason, message: string, exitCode?: number) => {
    stop ??= { reason, message, ...(exitCode !== undefined ? { exitCode } : {}) };
  };

  const settle = (record: R, answer: Failure & { status?: number }) => {
    const index = out.get(record) ?? 0;
    out.delete(record);
    for (const service of record.event.services) busy.delete(service);
    budget.observe(answer.headers);
    const { status } = answer;
    const where = { line: record.line, ...(record.tag !== undefined ? { tag: record.tag } : {}), id: record.id };
    if (status !== undefined && status >= 200 && status < 300) {
      failuresInRow = 0;
      limited.delete(record);
      result.recorded++;
      try {
        options.onRecorded?.(record);
      } catch (error) {
        stopWith('journal', `the journal could not be written (${(error as Error).message})`);
      }
      options.onSettled?.(record, 'recorded');
    } else if (status === 429) {
      const count = (limited.get(record) ?? 0) + 1;
      limited.set(record, count);
      const waitMs =
        answer.retryAfterMs ??
        retryAfterMs(answer.headers?.get('retry-after'), clock.wallMs()) ??
        budget.knownResetMs() ??
        UNSAID_RETRY_MS;
      if (waitMs > limits.maxWaitMs || count > limits.maxRateLimited) {
        const why =
          waitMs > limits.maxWaitMs
            ? `Datadog asked to wait ${Math.ceil(waitMs / 1000)} s before the next request`
            : `Datadog's rate limit refused the same request ${count} times`;
        notDelivered(record, `HTTP 429: ${why}`);
        stopWith('rate-limit', why);
      } else {
        pausedUntil = Math.max(pausedUntil, clock.monotonicMs() + waitMs);
        let at = again.length;
        while (at > 0 && (again[at - 1]?.index ?? 0) > index) at--;
        again.splice(at, 0, { record, index });
      }
      options.onSettled?.(record, 'rate-limited');
    } else if (status === 401 || status === 403) {
      result.refused.push({ ...where, status, error: answer.message });
      stopWith('unauthorized', `Datadog answered HTTP ${status} at ${placeOf(record)}: ${answer.message}`, 3);
      options.onSettled?.(record, 'refused');
    } else if (status !== undefined && status >= 400 && status < 500 && status !== 407 && status !== 408) {
      failuresInRow = 0;
      limited.delete(record);
      result.refused.push({ ...where, status, error: answer.message });
      options.onSettled?.(record, 'refused');
    } else {
      notDelivered(record, answer.message);
      failuresInRow++;
      if (failuresInRow >= limits.stopAfterFailures) {
        stopWith('failures', `${failuresInRow} records in a row could not be delivered (the last: ${answer.message})`);
      }
    }
    wake?.();
  };

  const notDelivered = (record: R, error: string) => {
    limited.delete(record);
    for (const service of record.event.services) if (!held.has(service)) held.set(service, record);
    result.notDelivered.push({
      line: record.line,
      ...(record.tag !== undefined ? { tag: record.tag } : {}),
      id: record.id,
      error,
    });
    options.onSettled?.(record, 'not-delivered');
  };

  const start = (record: R, index: number) => {
    out.set(record, index);
    for (const service of record.event.services) busy.add(service);
    let sending: Promise<SendAnswer>;
    try {
      sending = send(record, inFlightSignal);
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending.then(
      (answer) => settle(record, answerOf(answer)),
      (error: unknown) => settle(record, failureOf(error)),
    );
  };

  /** Until an answer arrives, `ms` pass, or the import is interrupted. */
  const pause = (ms?: number) =>
    new Promise<void>((resolve) => {
      const timer = new AbortController();
      const done = () => {
        wake = undefined;
        signal.removeEventListener('abort', done);
        timer.abort();
        resolve();
      };
      wake = done;
      signal.addEventListener('abort', done, { once: true });
      if (ms !== undefined) clock.sleep(ms, timer.signal).then(done, () => undefined);
    });

  let waiting = false;
  while (true) {
    if (signal.aborted) stopWith('interrupted', 'interrupted', exitCodeOf(signal.reason));
    if (stop) {
      if (out.size === 0) break;
      await pause();
      continue;
    }
    const queued = again[0];
    const record = queued?.record ?? records[next];
    if (record === undefined) {
      if (out.size === 0) break;
      await pause();
      continue;
    }
    const heldBy = record.event.services.map((service) => held.get(service)).find((found) => found !== undefined);
    if (heldBy !== undefined) {
      if (queued) again.shift();
      else next++;
      notDelivered(
        record,
        `held back: ${placeOf(heldBy)}, of the same service, was not delivered, and a service's records go in order`,
      );
      continue;
    }
    if (out.size >= concurrency || record.event.services.some((service) => busy.has(service))) {
      await pause();
      continue;
    }
    const paused = pausedUntil - clock.monotonicMs();
    const spent = paused <= 0 && !budget.allows(out.size);
    if (spent && out.size > 0) {
      // The answers on their way bring the next budget; the reset may come first.
      await pause(budget.knownResetMs());
      continue;
    }
    if (paused > 0 || spent) {
      const ms = paused > 0 ? paused : budget.resetInMs();
      waiting = true;
      options.onWait?.({
        ms,
        reason: paused > 0 ? 'Datadog answered 429 (rate limited)' : "the rate limit's budget is spent",
      });
      await pause(ms);
      continue;
    }
    if (waiting) {
      waiting = false;
      options.onWait?.(undefined);
    }
    if (queued) again.shift();
    start(record, queued ? queued.index : next++);
  }
  if (waiting) options.onWait?.(undefined);

  if (stop) {
    const why = notSentBecause(stop);
    for (const { record } of again) notDelivered(record, why);
    for (; next < records.length; next++) notDelivered(records[next] as R, why);
  }
  if (stop) result.stop = stop;
  return result;
}

function notSentBecause(stop: NonNullable<ScheduleResult['stop']>): string {
  switch (stop.reason) {
    case 'interrupted':
      return 'not sent: the import was interrupted';
    case 'unauthorized':
      return `not sent: the import stopped when ${stop.message}`;
    default:
      return `not sent: the import stopped because ${stop.message}`;
  }
}

function answerOf(answer: SendAnswer): Failure & { status: number } {
  return {
    status: answer.status,
    message: answer.message ?? `HTTP ${answer.status}`,
    ...(answer.headers ? { headers: answer.headers } : {}),
  };
}

/** A rejection of `send`, read as status, the API's words, headers and the wait a 429 asked for. */
export function failureOf(error: unknown): Failure {
  if (error instanceof RequestFailure) {
    const { details } = error;
    const maybe = details.maybeRecorded ? ' (it may have been recorded)' : '';
    return {
      ...(details.status !== undefined ? { status: details.status } : {}),
      message: `${details.apiText ?? details.reason}${maybe}`,
      ...(details.response ? { headers: details.response.headers } : {}),
      ...(details.retryAfterMs !== undefined ? { retryAfterMs: details.retryAfterMs } : {}),
    };
  }
  const { status, message, headers } = (error ?? {}) as { status?: unknown; message?: unknown; headers?: unknown };
  return {
    ...(typeof status === 'number' ? { status } : {}),
    message: typeof message === 'string' ? message : String(error),
    ...(isLookup(headers) ? { headers } : {}),
  };
}

function isLookup(value: unknown): value is HeaderLookup {
  return typeof (value as HeaderLookup | undefined)?.get === 'function';
}

function exitCodeOf(reason: unknown): number {
  return reason instanceof DoraError ? reason.exitCode : 130;
}
