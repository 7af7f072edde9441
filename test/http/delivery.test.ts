/**
 * deliver() against msw, with a virtual clock: status sequences, Retry-After and deadlines are checked without
 * sleeping through a single real backoff.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliver, type Clock, type DeliveryPolicy, type Transport } from '../../src/api/client.js';
import { DeliveryError, InterruptedError, RejectedError, UnauthorizedError, UsageError } from '../../src/errors.js';

const URL_ = 'https://api.datadoghq.test/api/v2/dora/deployment';
const KEY = 'abcdef0123456789abcdef0123456789';
const BODY = '{"data":{"attributes":{"service":"checkout","id":"deploy-0001-abcdefgh","started_at":1795687200123456789}}}';
const WALL_START = Date.parse('2026-11-26T10:00:00Z');

/** Virtual time: sleeping advances both clocks instantly and records how long each sleep was. */
function virtualClock(): Clock & { sleeps: number[] } {
  let elapsed = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    monotonicMs: () => elapsed,
    wallMs: () => WALL_START + elapsed,
    sleep: async (ms, signal) => {
      signal.throwIfAborted();
      sleeps.push(ms);
      elapsed += ms;
    },
  };
}

interface Seen {
  body: string;
  apiKey: string | null;
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Answers the n-th request with `replies[n]` (the last one repeats) and records what arrived. */
function intake(replies: Array<() => Response>): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.post(URL_, async ({ request }) => {
      seen.push({ body: await request.text(), apiKey: request.headers.get('dd-api-key') });
      const reply = replies[Math.min(seen.length, replies.length) - 1];
      return reply ? reply() : HttpResponse.text('no reply configured', { status: 599 });
    }),
  );
  return seen;
}

const accepted = () => HttpResponse.json({ data: { id: 'evt-1', type: 'dora_deployment' } }, { status: 202 });
type ErrorBody = { errors: Array<string | { title: string; detail: string }> };
const status = (code: number, body: ErrorBody = { errors: ['Something went wrong'] }, headers: Record<string, string> = {}) =>
  () => HttpResponse.json(body, { status: code, headers });

function send(policy: Partial<DeliveryPolicy> = {}, options: { clock?: Clock; signal?: AbortSignal } = {}) {
  const clock = options.clock ?? virtualClock();
  const retries: Array<{ attempt: number; delayMs: number; reason: string }> = [];
  const promise = deliver(
    { url: URL_, apiKey: KEY, body: BODY, userAgent: 'dora-cli/0.0.0-test', siteHint: 'api.datadoghq.test' },
    { requestTimeoutMs: 2_000, deadlineMs: 30_000, maxAttempts: 5, ...policy },
    {
      transport: globalThis.fetch as unknown as Transport,
      clock,
      random: () => 0.5,
      ...(options.signal ? { signal: options.signal } : {}),
      onRetry: (retry) => retries.push(retry),
    },
  );
  return { promise, retries };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected delivery to fail');
  return outcome;
}

describe('deliver', () => {
  it('retries 500 and 502, succeeds on the third attempt, and sends the same body and key each time', async () => {
    const seen = intake([status(500), status(502), accepted]);
    const clock = virtualClock();
    const { promise, retries } = send({}, { clock });
    await expect(promise).resolves.toEqual({ status: 202, attempts: 3, responseId: 'evt-1' });
    expect(seen).toHaveLength(3);
    expect(seen.map((request) => request.body)).toEqual([BODY, BODY, BODY]);
    expect(seen.every((request) => request.apiKey === KEY)).toBe(true);
    // Backoff with the jitter draw fixed at 0.5: 375 ms, then 750 ms.
    expect(clock.sleeps).toEqual([375, 750]);
    expect(retries.map((retry) => retry.reason)).toEqual(['HTTP 500: Something went wrong', 'HTTP 502: Something went wrong']);
  });

  it('announces each attempt as it starts', async () => {
    intake([status(500), status(502), accepted]);
    const attempts: number[] = [];
    const promise = deliver(
      { url: URL_, apiKey: KEY, body: BODY, userAgent: 'dora-cli/0.0.0-test', siteHint: 'api.datadoghq.test' },
      { requestTimeoutMs: 2_000, deadlineMs: 30_000, maxAttempts: 5 },
      { transport: globalThis.fetch as unknown as Transport, clock: virtualClock(), random: () => 0.5, onAttempt: (n) => attempts.push(n) },
    );
    await expect(promise).resolves.toMatchObject({ attempts: 3 });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('waits as long as Retry-After says on a 429', async () => {
    intake([status(429, { errors: ['Too many requests'] }, { 'Retry-After': '3' }), accepted]);
    const clock = virtualClock();
    await expect(send({}, { clock }).promise).resolves.toMatchObject({ attempts: 2 });
    expect(clock.sleeps).toEqual([3000]);
  });

  it('treats Retry-After as a minimum: "0" still waits the usual backoff instead of hammering', async () => {
    const seen = intake([status(429, { errors: ['Slow down'] }, { 'Retry-After': '0' }), accepted]);
    const clock = virtualClock();
    await expect(send({}, { clock }).promise).resolves.toMatchObject({ attempts: 2 });
    expect(clock.sleeps).toEqual([375]);
    expect(seen).toHaveLength(2);
  });

  it('does not start an attempt with only a sliver of the deadline left', async () => {
    const seen = intake([status(503, { errors: ['busy'] })]);
    const clock = virtualClock();
    // 600 ms deadline: one attempt, a 375 ms backoff, and 225 ms left, too little for a useful second attempt; so
    // no backoff is announced or slept at all.
    const { promise, retries } = send({ deadlineMs: 600 }, { clock });
    const error = await failure(promise);
    expect(error.message).toMatch(/after 1 attempt;.*the 0.6s deadline leaves no time for another attempt/);
    expect(seen).toHaveLength(1);
    expect(retries).toEqual([]);
    expect(clock.sleeps).toEqual([]);
  });

  it('reads Retry-After as an HTTP date against the wall clock', async () => {
    const at = new Date(WALL_START + 12_000).toUTCString();
    intake([status(503, { errors: ['Maintenance'] }, { 'Retry-After': at }), accepted]);
    const clock = virtualClock();
    await expect(send({}, { clock }).promise).resolves.toMatchObject({ attempts: 2 });
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('gives up at once when Retry-After reaches past the deadline, and says so', async () => {
    const seen = intake([status(429, { errors: ['Too many requests'] }, { 'Retry-After': '120' }), accepted]);
    const clock = virtualClock();
    const error = await failure(send({ deadlineMs: 30_000 }, { clock }).promise);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain('after 1 attempt;');
    expect(error.message).toContain('HTTP 429: Too many requests');
    expect(error.message).toContain('retry after 120s, past the 30s deadline');
    expect(seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('blames Retry-After when it fits the deadline but leaves too little for an attempt after it', async () => {
    intake([status(503, { errors: ['Busy'] }, { 'Retry-After': '1' }), accepted]);
    const error = await failure(send({ deadlineMs: 1_200 }, { clock: virtualClock() }).promise);
    expect(error.message).toContain('the server asked to retry after 1s, past the 1.2s deadline');
  });

  it('makes its one attempt with a deadline of exactly the 0.25 s minimum', async () => {
    const seen = intake([accepted]);
    // A real clock moves between reading the deadline and the time left: here, a millisecond per reading.
    const clock = virtualClock();
    let now = 0;
    clock.monotonicMs = () => now++;
    await expect(send({ deadlineMs: 250 }, { clock }).promise).resolves.toMatchObject({ attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('stops after maxAttempts of 503 with the attempt count and the last status', async () => {
    const seen = intake([status(503, { errors: ['Service Unavailable'] })]);
    const error = await failure(send({ maxAttempts: 4 }).promise);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toMatch(/^Event not delivered after 4 attempts; last error: HTTP 503: Service Unavailable\.$/);
    expect(seen).toHaveLength(4);
  });

  it('stops at the deadline and counts only the attempts it made', async () => {
    const seen = intake([status(503)]);
    // Backoffs of 375, 750 and 1500 ms: the third no longer fits in 2 s.
    const error = await failure(send({ deadlineMs: 2_000, maxAttempts: 10 }).promise);
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).toContain('deadline leaves no time for another attempt');
    expect(seen).toHaveLength(3);
  });

  it('counts only the attempts it made when a late wake-up overshoots the deadline', async () => {
    const seen = intake([status(503, { errors: ['Busy'] }, { 'Retry-After': '1' }), accepted]);
    const clock = virtualClock();
    // A loaded CI machine wakes timers late: this 1 s sleep overshoots by 60 ms, leaving less than an attempt needs.
    const sleep = clock.sleep;
    clock.sleep = (ms, signal) => sleep(ms + 60, signal);
    const error = await failure(send({ deadlineMs: 1_300, maxAttempts: 5 }, { clock }).promise);
    expect(error.message).toBe('Event not delivered after 1 attempt; last error: HTTP 503: Busy (the 1.3s deadline was reached).');
    expect(seen).toHaveLength(1);
  });

  it('does not retry a 403 and reports it as unauthorised', async () => {
    const seen = intake([status(403, { errors: ['Forbidden'] })]);
    const error = await failure(send().promise);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.message).toContain('HTTP 403: Forbidden');
    expect(error.message).toContain('api.datadoghq.test');
    expect(seen).toHaveLength(1);
  });

  it('does not retry a 400 and passes on the API detail', async () => {
    const seen = intake([status(400, { errors: [{ title: 'Bad Request', detail: 'finished_at must be after started_at' }] })]);
    const error = await failure(send().promise);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.message).toBe('Datadog rejected the event (HTTP 400: Bad Request: finished_at must be after started_at).');
    expect(seen).toHaveLength(1);
  });

  it('says which attempt was refused when earlier ones failed', async () => {
    intake([status(502, { errors: ['Bad Gateway'] }), status(422, { errors: ['Unprocessable'] })]);
    const error = await failure(send().promise);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.message).toContain('HTTP 422: Unprocessable) on attempt 2, after 1 failed (HTTP 502: Bad Gateway)');
  });

  it('counts a 2xx as delivered even when its body breaks off', async () => {
    const broken = new ReadableStream({ start: (controller) => controller.error(new Error('connection reset')) });
    const seen = intake([() => new HttpResponse(broken, { status: 202 })]);
    await expect(send().promise).resolves.toEqual({ status: 202, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('retries a network error', async () => {
    const seen = intake([() => HttpResponse.error(), accepted]);
    await expect(send().promise).resolves.toMatchObject({ status: 202, attempts: 2 });
    expect(seen).toHaveLength(2);
  });

  it('admits the event may have been recorded when the connection broke', async () => {
    intake([() => HttpResponse.error()]);
    const error = await failure(send({ maxAttempts: 2 }).promise);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toMatch(/^Event not confirmed after 2 attempts;/);
    expect(error.message).toContain('may or may not have been recorded');
  });

  it('does not follow a redirect, so the key stays with the host it was meant for', async () => {
    const seen = intake([() => new HttpResponse(null, { status: 307, headers: { Location: 'https://elsewhere.test/collect' } })]);
    let elsewhere = 0;
    server.use(http.post('https://elsewhere.test/collect', () => ((elsewhere += 1), accepted())));
    const error = await failure(send().promise);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain('HTTP 307 (a redirect to https://elsewhere.test/collect)');
    expect(seen).toHaveLength(1);
    expect(elsewhere).toBe(0);
  });

  it('gives up on an attempt that gets no answer within the request timeout', async () => {
    // A real (short) timer: the per-attempt timeout is what stops a stalled server, so it is the thing under test.
    const seen = intake([() => new Promise<Response>(() => undefined) as unknown as Response]);
    const error = await failure(send({ requestTimeoutMs: 50, maxAttempts: 2 }).promise);
    expect(error.message).toContain('after 2 attempts; last error: no answer within 0.05s');
    expect(seen).toHaveLength(2);
  });

  it('throws the interruption itself when the user signal aborts during a backoff', async () => {
    intake([status(503), accepted]);
    const interrupt = new AbortController();
    const clock = virtualClock();
    // The interruption lands while the client waits between attempts.
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      interrupt.abort(new InterruptedError('SIGTERM'));
      return sleep(ms, signal);
    };
    const error = await failure(send({}, { clock, signal: interrupt.signal }).promise);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error).toBe(interrupt.signal.reason);
  });

  it('refuses an API key that cannot travel in a header, before sending anything', async () => {
    const seen = intake([accepted]);
    const error = await failure(
      deliver(
        { url: URL_, apiKey: `${KEY}\n`, body: BODY, userAgent: 'dora-cli/0.0.0-test', siteHint: 'api.datadoghq.test' },
        { requestTimeoutMs: 1000, deadlineMs: 1000, maxAttempts: 1 },
        { transport: globalThis.fetch as unknown as Transport, clock: virtualClock(), random: () => 0.5 },
      ),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).not.toContain(KEY);
    expect(seen).toHaveLength(0);
  });
});
