/**
 * The request engine and its messages, through Node's http(s) transport, against msw, with a virtual clock: status
 * sequences, Retry-After, deadlines and attempt timeouts are checked without sleeping through a single real timer.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failureError } from '../../src/api/messages.js';
import { RequestFailure, type RequestPolicy, request } from '../../src/api/request.js';
import { createNodeTransport } from '../../src/api/transports/node.js';
import type { Clock } from '../../src/context.js';
import { DeliveryError, InterruptedError, RejectedError, UnauthorizedError } from '../../src/errors.js';
import { virtualClock, WALL_START } from '../helpers/virtual-clock.js';

const BASE = 'https://api.datadoghq.test';
const URL_ = `${BASE}/api/v2/dora/deployment`;
const KEY = 'abcdef0123456789abcdef0123456789';
const BODY =
  '{"data":{"attributes":{"service":"checkout","id":"deploy-0001-abcdefgh","started_at":1795687200123456789}}}';

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
const status =
  (code: number, body: ErrorBody = { errors: ['Something went wrong'] }, headers: Record<string, string> = {}) =>
  () =>
    HttpResponse.json(body, { status: code, headers });

/** Records an event as `dora deployment` does: the engine's answer, or the message its failure becomes. */
function send(
  policy: Partial<RequestPolicy> = {},
  options: { clock?: Clock; signal?: AbortSignal; onAttempt?: (attempt: number) => void } = {},
) {
  const clock = options.clock ?? virtualClock();
  const retries: Array<{ attempt: number; delayMs: number; reason: string }> = [];
  const { transport, close } = createNodeTransport();
  const promise = request(
    { method: 'POST', path: '/api/v2/dora/deployment', body: BODY, apiKey: KEY },
    { requestTimeoutMs: 2_000, deadlineMs: 30_000, maxAttempts: 5, ...policy },
    {
      baseUrl: BASE,
      userAgent: 'dora-cli/0.0.0-test',
      transport,
      clock,
      random: () => 0.5,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
      onRetry: (retry) => retries.push(retry),
    },
  )
    .then((answer) => ({
      status: answer.status,
      attempts: answer.attempts,
      id: (answer.json as { data?: { id?: string } } | undefined)?.data?.id,
    }))
    .catch((error: unknown) => {
      throw error instanceof RequestFailure
        ? failureError(error, { action: 'record', noun: 'deployment', host: 'api.datadoghq.test' })
        : error;
    })
    .finally(close);
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
    await expect(promise).resolves.toEqual({ status: 202, attempts: 3, id: 'evt-1' });
    expect(seen).toHaveLength(3);
    expect(seen.map((request) => request.body)).toEqual([BODY, BODY, BODY]);
    expect(seen.every((request) => request.apiKey === KEY)).toBe(true);
    // Backoff with the jitter draw fixed at 0.5: 375 ms, then 750 ms.
    expect(clock.slept).toEqual([375, 750]);
    expect(retries.map((retry) => retry.reason)).toEqual([
      'HTTP 500: Something went wrong',
      'HTTP 502: Something went wrong',
    ]);
  });

  it('announces each attempt as it starts', async () => {
    intake([status(500), status(502), accepted]);
    const attempts: number[] = [];
    await expect(send({}, { onAttempt: (n) => attempts.push(n) }).promise).resolves.toMatchObject({ attempts: 3 });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('waits as long as Retry-After says on a 429', async () => {
    intake([status(429, { errors: ['Too many requests'] }, { 'Retry-After': '3' }), accepted]);
    const clock = virtualClock();
    await expect(send({}, { clock }).promise).resolves.toMatchObject({ attempts: 2 });
    expect(clock.slept).toEqual([3000]);
  });

  it('treats Retry-After as a minimum: "0" still waits the usual backoff instead of hammering', async () => {
    const seen = intake([status(429, { errors: ['Slow down'] }, { 'Retry-After': '0' }), accepted]);
    const clock = virtualClock();
    await expect(send({}, { clock }).promise).resolves.toMatchObject({ attempts: 2 });
    expect(clock.slept).toEqual([375]);
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
    expect(clock.slept).toEqual([]);
  });

  it('reads Retry-After as an HTTP date against the wall clock', async () => {
    const at = new Date(WALL_START + 12_000).toUTCString();
    intake([status(503, { errors: ['Maintenance'] }, { 'Retry-After': at }), accepted]);
    const clock = virtualClock();
    await expect(send({}, { clock }).promise).resolves.toMatchObject({ attempts: 2 });
    expect(clock.slept).toEqual([12_000]);
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
    expect(clock.slept).toEqual([]);
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
    expect(error.message).toMatch(
      /^Event not delivered after 4 attempts; last error: HTTP 503: Service Unavailable\.$/,
    );
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
    expect(error.message).toBe(
      'Event not delivered after 1 attempt; last error: HTTP 503: Busy (the 1.3s deadline was reached).',
    );
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
    const seen = intake([
      status(400, { errors: [{ title: 'Bad Request', detail: 'finished_at must be after started_at' }] }),
    ]);
    const error = await failure(send().promise);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.message).toBe(
      'Datadog rejected the event (HTTP 400: Bad Request: finished_at must be after started_at).',
    );
    expect(seen).toHaveLength(1);
  });

  it('says which attempt was refused when earlier ones failed', async () => {
    intake([status(502, { errors: ['Bad Gateway'] }), status(422, { errors: ['Unprocessable'] })]);
    const error = await failure(send().promise);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.message).toContain('HTTP 422: Unprocessable) on attempt 2, after 1 failed (HTTP 502: Bad Gateway)');
  });

  it('counts a 2xx as delivered even when its body breaks off', async () => {
    const broken = new ReadableStream({
      start: (controller) => controller.enqueue(new TextEncoder().encode('{"da')),
      pull: (controller) => controller.error(new Error('connection reset')),
    });
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
    const seen = intake([
      () => new HttpResponse(null, { status: 307, headers: { Location: 'https://elsewhere.test/collect' } }),
    ]);
    let elsewhere = 0;
    server.use(
      http.post('https://elsewhere.test/collect', () => {
        elsewhere += 1;
        return accepted();
      }),
    );
    const error = await failure(send().promise);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain('HTTP 307 (a redirect to https://elsewhere.test/collect)');
    expect(seen).toHaveLength(1);
    expect(elsewhere).toBe(0);
  });

  it('gives up on an attempt that gets no answer within the request timeout, on the virtual clock', async () => {
    const seen = intake([() => new Promise<Response>(() => undefined) as unknown as Response]);
    const clock = virtualClock();
    const error = await failure(send({ requestTimeoutMs: 2_000, maxAttempts: 2 }, { clock }).promise);
    expect(error.message).toMatch(/Event not \w+ after 2 attempts; last error: no answer within 2s/);
    // Whether it may have been recorded depends on whether the connection was ready, which msw's sockets do not
    // model: test/delivery/hostile.e2e.test.ts checks both cases on real sockets.
    expect(seen).toHaveLength(2);
    // Two timeouts and the backoff between them, all virtual.
    expect(clock.slept).toEqual([2_000, 375, 2_000]);
  });

  it('waits at most 2 s for the body of a 202 that never ends, and counts the event as recorded', async () => {
    const stalled = new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"da')) });
    const seen = intake([() => new HttpResponse(stalled, { status: 202 })]);
    const clock = virtualClock();
    await expect(send({ requestTimeoutMs: 20_000 }, { clock }).promise).resolves.toMatchObject({
      status: 202,
      attempts: 1,
    });
    expect(clock.slept).toEqual([2_000]);
    expect(seen).toHaveLength(1);
  });

  it('on an interruption during a backoff after refusals, says no attempt got through', async () => {
    intake([status(503), accepted]);
    const interrupt = new AbortController();
    const clock = virtualClock();
    // The interruption lands while the engine waits between attempts (the 375 ms backoff).
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      if (ms === 375) interrupt.abort(new InterruptedError('SIGTERM'));
      return sleep(ms, signal);
    };
    const error = await failure(send({}, { clock, signal: interrupt.signal }).promise);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(143);
    expect(error.message).toBe('Interrupted by SIGTERM: no attempt got through, so no event was recorded.');
  });

  it('on an interruption while an answer is awaited, says the event may have been recorded', async () => {
    const interrupt = new AbortController();
    // The request has reached the server when the user presses Ctrl-C.
    intake([
      () => {
        interrupt.abort(new InterruptedError('SIGINT'));
        return new Promise<Response>(() => undefined) as unknown as Response;
      },
    ]);
    const { promise } = send({}, { signal: interrupt.signal });
    const error = await failure(promise);
    expect(error.message).toBe('Interrupted by SIGINT: the event may or may not have been recorded.');
    expect((error as InterruptedError).exitCode).toBe(130);
  });
});

describe('an interrupted read', () => {
  it('says only that it was interrupted: a list (a POST whose answer is the result) records nothing', async () => {
    const interrupt = new AbortController();
    intake([
      () => {
        interrupt.abort(new InterruptedError('SIGINT'));
        return new Promise<Response>(() => undefined) as unknown as Response;
      },
    ]);
    const { transport } = createNodeTransport();
    const error = await failure(
      request(
        { method: 'POST', path: '/api/v2/dora/deployment', body: '{}', apiKey: KEY, needsJson: true },
        { requestTimeoutMs: 2_000, deadlineMs: 30_000, maxAttempts: 5 },
        {
          baseUrl: BASE,
          userAgent: 'dora-cli/0.0.0-test',
          transport,
          clock: virtualClock(),
          random: () => 0.5,
          signal: interrupt.signal,
        },
      ),
    );
    expect(error.message).toBe('Interrupted by SIGINT.');
  });
});

describe('the engine for every method', () => {
  it('sends GET, PATCH and DELETE with both keys, a body only when there is one, and retries them alike', async () => {
    const seen: Array<{ method: string; path: string; appKey: string | null; type: string | null; body: string }> = [];
    let calls = 0;
    server.use(
      http.all(`${BASE}/api/v2/dora/*`, async ({ request: incoming }) => {
        seen.push({
          method: incoming.method,
          path: new URL(incoming.url).pathname,
          appKey: incoming.headers.get('dd-application-key'),
          type: incoming.headers.get('content-type'),
          body: await incoming.text(),
        });
        return ++calls % 2 === 1
          ? HttpResponse.text('busy', { status: 503 })
          : HttpResponse.json({ data: null }, { status: 202 });
      }),
    );
    const { transport, close } = createNodeTransport();
    const deps = { baseUrl: BASE, userAgent: 'dora-cli/test', transport, clock: virtualClock(), random: () => 0.5 };
    const policy = { requestTimeoutMs: 2_000, deadlineMs: 30_000, maxAttempts: 3 };
    try {
      for (const call of [
        { method: 'GET' as const, path: '/api/v2/dora/deployments/abc' },
        { method: 'PATCH' as const, path: '/api/v2/dora/deployments/abc', body: '{"data":{}}' },
        { method: 'DELETE' as const, path: '/api/v2/dora/deployment/abc' },
      ]) {
        const answer = await request({ ...call, apiKey: KEY, appKey: 'app-key-0123456789abcdef' }, policy, deps);
        expect(answer.attempts).toBe(2);
      }
    } finally {
      await close();
    }
    expect(seen.map((one) => `${one.method} ${one.path}`)).toEqual([
      'GET /api/v2/dora/deployments/abc',
      'GET /api/v2/dora/deployments/abc',
      'PATCH /api/v2/dora/deployments/abc',
      'PATCH /api/v2/dora/deployments/abc',
      'DELETE /api/v2/dora/deployment/abc',
      'DELETE /api/v2/dora/deployment/abc',
    ]);
    expect(seen.every((one) => one.appKey === 'app-key-0123456789abcdef')).toBe(true);
    expect(seen.filter((one) => one.type !== null).map((one) => one.method)).toEqual(['PATCH', 'PATCH']);
    expect(seen.find((one) => one.method === 'PATCH')?.body).toBe('{"data":{}}');
  });

  it('reports a 404 on a read as "no such" the noun, exit 4, and the server\'s Date with a refusal', async () => {
    server.use(
      http.get(`${BASE}/api/v2/dora/deployments/nope`, () =>
        HttpResponse.json(
          { errors: ['Not found'] },
          { status: 404, headers: { Date: 'Thu, 26 Nov 2026 10:00:05 GMT' } },
        ),
      ),
    );
    const { transport, close } = createNodeTransport();
    const failed = await request(
      { method: 'GET', path: '/api/v2/dora/deployments/nope', apiKey: KEY, appKey: 'app-key-0123456789abcdef' },
      { requestTimeoutMs: 2_000, deadlineMs: 30_000, maxAttempts: 3 },
      { baseUrl: BASE, userAgent: 'dora-cli/test', transport, clock: virtualClock(), random: () => 0.5 },
    )
      .then(
        () => undefined,
        (error: unknown) => error,
      )
      .finally(close);
    expect(failed).toBeInstanceOf(RequestFailure);
    const failure = failed as RequestFailure;
    expect(failure.details.attempts).toBe(1);
    expect(Date.parse(failure.details.response?.headers.get('date') ?? '')).toBe(WALL_START + 5_000);
    const message = failureError(failure, { action: 'read', noun: 'deployment', host: 'api.datadoghq.test' });
    expect(message.exitCode).toBe(4);
    expect(message.message).toMatch(/^No such deployment \(HTTP 404: Not found\)/);
  });

  it("takes a read's 2xx body as its result: not JSON is an unusable answer (exit 5), for a GET and a list POST", async () => {
    server.use(
      http.get(`${BASE}/api/v2/dora/deployments/html`, () => HttpResponse.text('<html>login</html>', { status: 200 })),
      http.post(`${BASE}/api/v2/dora/deployments`, () => HttpResponse.text('<html>login</html>', { status: 200 })),
    );
    const { transport, close } = createNodeTransport();
    const deps = { baseUrl: BASE, userAgent: 'dora-cli/test', transport, clock: virtualClock(), random: () => 0.5 };
    const policy = { requestTimeoutMs: 2_000, deadlineMs: 30_000, maxAttempts: 3 };
    try {
      const calls = [
        { method: 'GET' as const, path: '/api/v2/dora/deployments/html' },
        { method: 'POST' as const, path: '/api/v2/dora/deployments', body: '{}', needsJson: true },
      ];
      for (const call of calls) {
        const failed = await request(call, policy, deps).catch((error: unknown) => error);
        expect(failed).toMatchObject({
          kind: 'unusable-body',
          details: { body: 'not-json', attempts: 1, status: 200 },
        });
        const error = failureError(failed as RequestFailure, { action: 'read', noun: 'deployment', host: 'h' });
        expect(error.exitCode).toBe(5);
        expect(error.message).toContain('answered HTTP 200, but its body is not JSON');
      }
      // A POST that records is answered at its status line, whatever its body.
      const recorded = await request({ method: 'POST', path: '/api/v2/dora/deployments', body: '{}' }, policy, deps);
      expect(recorded).toMatchObject({ status: 200, json: undefined });
    } finally {
      await close();
    }
  });

  it('names the permission a read or an update needs when the keys are refused', () => {
    const refused = new RequestFailure('unauthorized', {
      attempts: 1,
      reason: 'HTTP 403: Forbidden',
      status: 403,
      apiText: 'Forbidden',
      maybeRecorded: false,
      deadlineMs: 30_000,
    });
    expect(failureError(refused, { action: 'read', noun: 'deployment', host: 'api.datadoghq.eu' }).message).toContain(
      'dora_metrics_read',
    );
    expect(failureError(refused, { action: 'update', noun: 'deployment', host: 'api.datadoghq.eu' }).message).toContain(
      'dora_metrics_write',
    );
    expect(failureError(refused, { action: 'delete', noun: 'incident', host: 'api.datadoghq.eu' }).exitCode).toBe(3);
  });
});
