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
 * next run); so does a record that cannot be read again (its file changed) or a journal that cannot be written.
 * Interruption (`signal`) stops starting and waits for the requests out, whose answers still count.
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

/** What ordering, chaining and reporting need of a record, without building it. */
export interface Schedulable {
  line: number;
  tag?: string;
  id: string;
  services: readonly string[];
}

/**
 * The records to send, in plan order. A record is built (read and checked again) only when it starts, so an import
 * holds what it sends, not every event of the file at once.
 */
export interface RecordQueue<R> {
  readonly length: number;
  about(index: number): Schedulable;
  record(index: number): R;
}

/** A queue of records already built: an array of planned records. */
export function listQueue<R extends { line: number; tag?: string; id: string; event: { services: readonly string[] } }>(
  records: readonly R[],
): RecordQueue<R> {
  return {
    length: records.length,
    about: (index) => {
      const { line, tag, id, event } = records[index] as R;
      return { line, ...(tag !== undefined ? { tag } : {}), id, services: event.services };
    },
    record: (index) => records[index] as R,
  };
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

export type StopReason = 'unauthorized' | 'failures' | 'rate-limit' | 'journal' | 'input' | 'interrupted';

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
  onSettled?(record: Schedulable, outcome: Outcome): void;
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

/** A record on its way (or waiting to go again after a 429). */
interface Started<R = unknown> {
  record: R;
  about: Schedulable;
  /** Its place in the queue: rate-limited records go again in this order. */
  index: number;
}

/** A failure, read the same way whether `send` rejected or resolved with a non-2xx status. */
interface Failure {
  status?: number;
  message: string;
  headers?: HeaderLookup;
  retryAfterMs?: number;
}

export async function schedule<R>(
  records: RecordQueue<R>,
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
  const held = new Map<string, Schedulable>();
  /** Rate-limited records, to start again before anything newer, kept in plan order. */
  const again: Started[] = [];
  /** Requests out. */
  let out = 0;
  const limited = new Map<number, number>();
  let next = 0;
  let failuresInRow = 0;
  let pausedUntil = 0;
  let stop: ScheduleResult['stop'];
  let wake: (() => void) | undefined;

  const stopWith = (reason: StopReason, message: string, exitCode?: number) => {
    stop ??= { reason, message, ...(exitCode !== undefined ? { exitCode } : {}) };
  };

  const settle = (started: Started, answer: Failure) => {
    const { record, about, index } = started;
    out--;
    for (const service of about.services) busy.delete(service);
    budget.observe(answer.headers);
    const { status } = answer;
    const where = { line: about.line, ...(about.tag !== undefined ? { tag: about.tag } : {}), id: about.id };
    if (status !== undefined && status >= 200 && status < 300) {
      failuresInRow = 0;
      limited.delete(index);
      result.recorded++;
      try {
        options.onRecorded?.(record as R);
      } catch (error) {
        stopWith('journal', `the journal could not be written (${(error as Error).message})`);
      }
      options.onSettled?.(about, 'recorded');
    } else if (status === 429) {
      const count = (limited.get(index) ?? 0) + 1;
      limited.set(index, count);
      const waitMs =
        answer.retryAfterMs ??
        retryAfterMs(answer.headers?.get('retry-after'), clock.wallMs()) ??
        budget.knownResetMs() ??
        UNSAID_RETRY_MS;
      if (waitMs > limits.maxWaitMs || count >= limits.maxRateLimited) {
        const why =
          waitMs > limits.maxWaitMs
            ? `Datadog asked to wait ${Math.ceil(waitMs / 1000)} s before the next request`
            : `Datadog's rate limit refused the same request ${count} times`;
        notDelivered(about, index, `HTTP 429: ${why}`);
        stopWith('rate-limit', why);
      } else {
        pausedUntil = Math.max(pausedUntil, clock.monotonicMs() + waitMs);
        let at = again.length;
        while (at > 0 && (again[at - 1]?.index ?? 0) > index) at--;
        again.splice(at, 0, started);
      }
      options.onSettled?.(about, 'rate-limited');
    } else if (status === 401 || status === 403) {
      result.refused.push({ ...where, status, error: answer.message });
      stopWith('unauthorized', `Datadog answered HTTP ${status} at ${placeOf(about)}: ${answer.message}`, 3);
      options.onSettled?.(about, 'refused');
    } else if (status !== undefined && status >= 400 && status < 500 && status !== 407 && status !== 408) {
      failuresInRow = 0;
      limited.delete(index);
      result.refused.push({ ...where, status, error: answer.message });
      options.onSettled?.(about, 'refused');
    } else {
      notDelivered(about, index, answer.message);
      failuresInRow++;
      if (failuresInRow >= limits.stopAfterFailures) {
        stopWith('failures', `${failuresInRow} records in a row could not be delivered (the last: ${answer.message})`);
      }
    }
    wake?.();
  };

  const notDelivered = (about: Schedulable, index: number, error: string) => {
    limited.delete(index);
    for (const service of about.services) if (!held.has(service)) held.set(service, about);
    result.notDelivered.push({
      line: about.line,
      ...(about.tag !== undefined ? { tag: about.tag } : {}),
      id: about.id,
      error,
    });
    options.onSettled?.(about, 'not-delivered');
  };

  const start = (started: Started) => {
    out++;
    for (const service of started.about.services) busy.add(service);
    let sending: Promise<SendAnswer>;
    try {
      sending = send(started.record as R, inFlightSignal);
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending.then(
      (answer) => settle(started, answerOf(answer)),
      (error: unknown) => settle(started, failureOf(error)),
    );
  };

  /**
   * Until an answer arrives, `ms` pass, or the import is interrupted. Called once per answer: it allocates a timer
   * only when it has a time to wait, and listens to the interruption once for the whole run (an AbortController or a
   * listener per answer is promoted garbage that costs a large import tens of megabytes of peak memory).
   */
  const pause = (ms?: number) =>
    new Promise<void>((resolve) => {
      if (ms === undefined) {
        wake = () => {
          wake = undefined;
          resolve();
        };
        return;
      }
      const timer = new AbortController();
      const done = () => {
        if (wake === done) wake = undefined;
        timer.abort();
        resolve();
      };
      wake = done;
      clock.sleep(ms, timer.signal).then(done, () => undefined);
    });
  const interrupted = () => wake?.();
  signal.addEventListener('abort', interrupted, { once: true });

  let waiting = false;
  while (true) {
    if (signal.aborted) stopWith('interrupted', 'interrupted', exitCodeOf(signal.reason));
    if (stop) {
      if (out === 0) break;
      await pause();
      continue;
    }
    const queued = again[0];
    if (queued === undefined && next >= records.length) {
      if (out === 0) break;
      await pause();
      continue;
    }
    const index = queued ? queued.index : next;
    const about = queued ? queued.about : records.about(next);
    const heldBy = about.services.map((service) => held.get(service)).find((found) => found !== undefined);
    if (heldBy !== undefined) {
      if (queued) again.shift();
      else next++;
      notDelivered(
        about,
        index,
        `held back: ${placeOf(heldBy)}, of the same service, was not delivered, and a service's records go in order`,
      );
      continue;
    }
    if (out >= concurrency || about.services.some((service) => busy.has(service))) {
      await pause();
      continue;
    }
    const paused = pausedUntil - clock.monotonicMs();
    const spent = paused <= 0 && !budget.allows(out);
    if (spent && out > 0) {
      // The answers on their way bring the next budget; the reset may come first.
      await pause(budget.knownResetMs());
      continue;
    }
    if (paused > 0 || spent) {
      const ms = paused > 0 ? paused : budget.resetInMs();
      // A budget that comes back only after the longest wait an import takes (a reset hours away): stop, as for a
      // 429 asking as much; the next run goes on.
      if (spent && ms > limits.maxWaitMs) {
        stopWith('rate-limit', `the rate limit's budget is spent for ${Math.ceil(ms / 1000)} s`);
        continue;
      }
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
    else next++;
    let started = queued;
    if (!started) {
      try {
        started = { record: records.record(index), about, index };
      } catch (error) {
        // The record could not be read again (its file changed): send nothing more that was not checked.
        notDelivered(about, index, (error as Error).message);
        stopWith('input', (error as Error).message);
        continue;
      }
    }
    start(started);
  }
  if (waiting) options.onWait?.(undefined);
  signal.removeEventListener('abort', interrupted);

  if (stop) {
    const why = notSentBecause(stop);
    for (const { about, index } of again) notDelivered(about, index, why);
    for (; next < records.length; next++) notDelivered(records.about(next), next, why);
    result.stop = stop;
  }
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
