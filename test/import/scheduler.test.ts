import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestFailure } from '../../src/api/request.js';
import { InterruptedError } from '../../src/errors.js';
import { type PlannedRecord, planImport } from '../../src/import/plan.js';
import {
  failureOf,
  listQueue,
  type Outcome,
  type ScheduleOptions,
  type Send,
  schedule,
} from '../../src/import/scheduler.js';
import { type ImportResult, importExitCode } from '../../src/import/summary.js';
import { doraApi } from '../helpers/dora-api.js';
import { type RateLimitOptions, rateLimitedApi } from '../helpers/rate-limited-api.js';
import { virtualClock } from '../helpers/virtual-clock.js';
import { standInSend, type TestEvent } from './stand-in.js';

const S = 1_000_000_000n;
const BASE = 1_795_687_200n * S;

interface Start {
  record: PlannedRecord<TestEvent>;
  at: number;
  /** Requests out, this one included. */
  out: number;
}
interface Answer {
  record: PlannedRecord<TestEvent>;
  at: number;
  status: number;
}

/** `count` deployments, one a second, spread over `services` services in turn; the plan, a stand-in and a log. */
function setup(
  count: number,
  services: number | ((index: number) => string),
  limits: RateLimitOptions = {},
  latencyOf: (record: PlannedRecord<TestEvent>) => number = () => 10,
) {
  const clock = virtualClock();
  const server = rateLimitedApi(doraApi(), { ...limits, nowMs: () => clock.monotonicMs() });
  const serviceOf = typeof services === 'number' ? (index: number) => `svc-${index % services}` : services;
  const records = planImport<TestEvent>(
    Array.from({ length: count }, (_, index) => ({
      line: index + 2,
      event: {
        kind: 'deployment' as const,
        services: [serviceOf(index)],
        startedAt: BASE + BigInt(index) * S,
        finishedAt: BASE + BigInt(index) * S,
        version: `v${index}`,
      },
    })),
  ).records;
  const starts: Start[] = [];
  const answers: Answer[] = [];
  const journal = new Set<string>();
  let out = 0;
  const send: Send<PlannedRecord<TestEvent>> = async (record, signal) => {
    out++;
    starts.push({ record, at: clock.monotonicMs(), out });
    try {
      const answer = await standInSend(server, clock, latencyOf(record))(record, signal);
      answers.push({ record, at: clock.monotonicMs(), status: answer.status });
      return answer;
    } finally {
      out--;
    }
  };
  const run = (
    todo: readonly PlannedRecord<TestEvent>[],
    options: Partial<ScheduleOptions<PlannedRecord<TestEvent>>> = {},
  ) =>
    schedule(listQueue(todo), send, {
      concurrency: 8,
      clock,
      signal: new AbortController().signal,
      onRecorded: (record) => journal.add(record.id),
      ...options,
    });
  /** The records the journal does not hold yet, as a resumed run sends them. */
  const rest = () => records.filter((record) => !journal.has(record.id));
  return { clock, server, records, starts, answers, journal, run, rest };
}

const resultOf = (scheduled: Awaited<ReturnType<typeof schedule>>, total: number): ImportResult => ({
  total,
  recorded: scheduled.recorded,
  alreadyRecorded: 0,
  moves: [],
  refused: scheduled.refused,
  notDelivered: scheduled.notDelivered,
  durationMs: 0,
  ...(scheduled.stop ? { stop: scheduled.stop } : {}),
});

/** Every record of the plan acknowledged exactly once by the stand-in. */
function expectExactlyOnce(server: ReturnType<typeof rateLimitedApi>, records: readonly PlannedRecord[]) {
  expect(server.acknowledged.size).toBe(records.length);
  for (const record of records) expect(server.acknowledged.get(record.id), record.id).toBe(1);
}

describe('schedule: order', () => {
  it('starts in plan order, one request per service at a time, at most `concurrency` out, whatever the latencies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        async (count, services, concurrency, latencies) => {
          const { records, starts, answers, run, server } = setup(
            count,
            (index) => `svc-${(index * 7) % services}`,
            {},
            (record) => latencies[record.line % latencies.length] as number,
          );
          const result = await run(records, { concurrency });
          expect(result.recorded).toBe(count);
          expect(starts.map((start) => start.record.line)).toEqual(records.map((record) => record.line));
          expect(Math.max(...starts.map((start) => start.out))).toBeLessThanOrEqual(concurrency);
          // A record of a service starts only once the previous one of that service was answered.
          const answeredAt = new Map(answers.map((answer) => [answer.record, answer.at]));
          const last = new Map<string, PlannedRecord<TestEvent>>();
          for (const start of starts) {
            const service = start.record.event.services[0] as string;
            const previous = last.get(service);
            if (previous) expect(start.at).toBeGreaterThanOrEqual(answeredAt.get(previous) as number);
            last.set(service, start.record);
          }
          expectExactlyOnce(server, records);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('with --concurrency 1 goes strictly one after another, in global order', async () => {
    const { records, starts, answers, run } = setup(12, 4);
    await run(records, { concurrency: 1 });
    expect(starts.map((start) => start.record.line)).toEqual(records.map((record) => record.line));
    for (const [index, start] of starts.entries()) {
      if (index > 0) expect(start.at).toBeGreaterThanOrEqual((answers[index - 1] as Answer).at);
    }
  });

  it('runs different services in parallel, up to the concurrency', async () => {
    const { records, starts, run, clock } = setup(64, 16);
    await run(records, { concurrency: 8 });
    expect(Math.max(...starts.map((start) => start.out))).toBe(8);
    // 64 requests of 10 ms, 8 at a time: 80 ms, not 640.
    expect(clock.elapsed()).toBeLessThanOrEqual(100);
  });
});

describe('schedule: rate limits', () => {
  it('never has more requests out than the announced budget, and waits for the reset instead of meeting 429s', async () => {
    const { records, run, server, starts, clock } = setup(60, 6, { limit: 5, periodMs: 1000 });
    const waits: Array<{ ms: number; reason: string } | undefined> = [];
    const result = await run(records, { concurrency: 8, onWait: (wait) => waits.push(wait) });
    expect(server.writes.filter((write) => write.status === 429)).toEqual([]);
    expect(result.recorded).toBe(60);
    expectExactlyOnce(server, records);
    // Twelve windows of five: the run took eleven resets.
    expect(clock.elapsed()).toBeGreaterThanOrEqual(11_000);
    expect(Math.max(...starts.map((start) => start.out))).toBeLessThanOrEqual(5);
    expect(waits.filter((wait) => wait?.reason === "the rate limit's budget is spent").length).toBeGreaterThan(0);
  });

  it('on a 429 makes the whole import wait as Retry-After says, then sends that record again', async () => {
    const { records, run, server, starts, answers } = setup(40, 8);
    server.onWrite = (_write, index) => {
      if (index === 12) server.tooMany(1, 7);
    };
    const outcomes: Outcome[] = [];
    const result = await run(records, { concurrency: 4, onSettled: (_record, outcome) => outcomes.push(outcome) });
    const limited = answers.find((answer) => answer.status === 429) as Answer;
    expect(limited).toBeDefined();
    // Nothing started while the import waited (the requests already out were answered meanwhile).
    expect(starts.filter((start) => start.at > limited.at && start.at < limited.at + 7000)).toEqual([]);
    const again = starts.filter((start) => start.record === limited.record);
    expect(again).toHaveLength(2);
    expect((again[1] as Start).at).toBeGreaterThanOrEqual(limited.at + 7000);
    // …and before anything newer than it.
    expect(starts.indexOf(again[1] as Start)).toBeLessThan(
      starts.findIndex((start) => start.record.line > limited.record.line && start.at >= limited.at + 7000),
    );
    expect(result.recorded).toBe(40);
    expect(outcomes.filter((outcome) => outcome === 'rate-limited')).toHaveLength(1);
    expectExactlyOnce(server, records);
  });

  it('stops rather than wait longer than it accepts, and says so', async () => {
    const { records, run, server } = setup(10, 2);
    server.tooMany(1, 3600);
    const result = await run(records, { concurrency: 1, maxWaitMs: 60_000 });
    expect(result.stop).toMatchObject({ reason: 'rate-limit', message: expect.stringMatching(/wait 3600 s/) });
    expect(result.notDelivered).toHaveLength(10);
    expect(importExitCode(resultOf(result, 10))).toBe(5);
  });
});

describe('schedule: failures', () => {
  it('lists a 4xx refusal with line, id, status and the API’s words, and goes on with the rest', async () => {
    const { records, run, server } = setup(20, 3);
    server.refuse(
      (attributes) => attributes.version === 'v4' || attributes.version === 'v9',
      400,
      'service is invalid',
    );
    const result = await run(records);
    expect(result.recorded).toBe(18);
    expect(result.refused).toEqual([
      { line: 6, id: records[4]?.id, status: 400, error: 'Bad Request: service is invalid' },
      { line: 11, id: records[9]?.id, status: 400, error: 'Bad Request: service is invalid' },
    ]);
    expect(importExitCode(resultOf(result, 20))).toBe(4);
  });

  it('stops at once on 403: nothing starts after it, and the exit code is 3', async () => {
    const { records, run, server, starts, answers } = setup(30, 5);
    server.onWrite = (_write, index) => {
      if (index === 9) server.refuseAll(403);
    };
    const result = await run(records, { concurrency: 3 });
    const forbidden = answers.find((answer) => answer.status === 403) as Answer;
    expect(starts.filter((start) => start.at > forbidden.at)).toEqual([]);
    expect(result.stop?.reason).toBe('unauthorized');
    expect(result.refused[0]).toMatchObject({ status: 403, error: 'Forbidden' });
    expect(result.recorded + result.refused.length + result.notDelivered.length).toBe(30);
    expect(result.notDelivered.at(-1)?.error).toMatch(/not sent: the import stopped when Datadog answered HTTP 403/);
    expect(importExitCode(resultOf(result, 30))).toBe(3);
  });

  it('stops after ten records in a row fail in a 5xx storm; run again, every record is recorded exactly once', async () => {
    const { records, run, server, rest } = setup(50, 10);
    server.onWrite = (_write, index) => {
      if (index === 15) server.storm(1000, 503);
    };
    const first = await run(records, { concurrency: 4 });
    expect(first.stop?.reason).toBe('failures');
    expect(first.recorded).toBeLessThan(50);
    expect(first.recorded + first.notDelivered.length).toBe(50);
    expect(server.writes.filter((write) => write.status === 503).length).toBeLessThanOrEqual(10 + 4);
    expect(importExitCode(resultOf(first, 50))).toBe(5);

    server.storm(0);
    const second = await run(rest(), { concurrency: 4 });
    expect(second.stop).toBeUndefined();
    expect(first.recorded + second.recorded).toBe(50);
    expectExactlyOnce(server, records);
  });

  it('holds back the later records of a service whose record was not delivered, so its order survives the next run', async () => {
    const { records, run, server, rest } = setup(12, 3);
    // The fourth record (svc-0's second) meets a 502 that outlasts the engine's retries.
    server.onWrite = (write) => {
      if (write.attributes.version === 'v3') server.storm(1, 502);
    };
    const first = await run(records, { concurrency: 1 });
    expect(first.notDelivered.map((one) => [one.line, one.error])).toEqual([
      [5, 'Service unavailable'],
      [8, expect.stringMatching(/held back: line 5, of the same service, was not delivered/)],
      [11, expect.stringMatching(/held back: line 5/)],
    ]);
    expect(first.recorded).toBe(9);
    const order: string[] = [];
    server.onWrite = (write) => order.push(String(write.attributes.version));
    await run(rest(), { concurrency: 1 });
    expect(order).toEqual(['v3', 'v6', 'v9']);
    expectExactlyOnce(server, records);
  });

  it('reads a network failure as not delivered', async () => {
    const { records, clock } = setup(3, 3);
    const result = await schedule(listQueue(records), async () => Promise.reject(new Error('ECONNRESET')), {
      concurrency: 2,
      clock,
      signal: new AbortController().signal,
    });
    expect(result.notDelivered.map((one) => one.error)).toEqual(['ECONNRESET', 'ECONNRESET', 'ECONNRESET']);
  });

  it('reads the request engine’s failures: status, the API’s words, the wait a 429 asked for', () => {
    const failure = (kind: ConstructorParameters<typeof RequestFailure>[0], details: object) =>
      failureOf(
        new RequestFailure(kind, {
          attempts: 1,
          reason: 'HTTP 400: bad',
          maybeRecorded: false,
          deadlineMs: 1,
          ...details,
        }),
      );
    expect(failure('rejected', { status: 400, apiText: 'bad' })).toEqual({ status: 400, message: 'bad' });
    expect(failure('gave-up', { status: 429, retryAfterMs: 5000, reason: 'HTTP 429' })).toEqual({
      status: 429,
      message: 'HTTP 429',
      retryAfterMs: 5000,
    });
    expect(failure('gave-up', { maybeRecorded: true, reason: 'socket hang up' }).message).toBe(
      'socket hang up (it may have been recorded)',
    );
    expect(failureOf(Object.assign(new Error('nope'), { status: 418 }))).toEqual({ status: 418, message: 'nope' });
  });
});

describe('schedule: interruption', () => {
  it('stops starting, waits for the requests out, counts their answers; run again: each record exactly once', async () => {
    const { records, run, server, starts, answers, journal, rest } = setup(40, 10, {}, () => 50);
    const stop = new AbortController();
    let interruptedAt = 0;
    const first = await run(records, {
      concurrency: 6,
      signal: stop.signal,
      onRecorded: (record) => {
        journal.add(record.id);
        if (journal.size === 9 && !stop.signal.aborted) {
          interruptedAt = (starts.at(-1) as Start).at;
          stop.abort(new InterruptedError('SIGINT'));
        }
      },
    });
    expect(first.stop).toMatchObject({ reason: 'interrupted', exitCode: 130 });
    expect(importExitCode(resultOf(first, 40))).toBe(130);
    // The requests out at the interruption were answered and journalled; nothing started after it.
    const startedBefore = starts.length;
    expect(answers).toHaveLength(startedBefore);
    expect(journal.size).toBe(startedBefore);
    expect(starts.every((start) => start.at <= interruptedAt)).toBe(true);
    expect(first.notDelivered.every((one) => one.error === 'not sent: the import was interrupted')).toBe(true);
    expect(first.recorded + first.notDelivered.length).toBe(40);

    const second = await run(rest());
    expect(second.recorded).toBe(40 - first.recorded);
    expectExactlyOnce(server, records);
  });

  it('sends nothing when interrupted before it starts', async () => {
    const { records, run, starts } = setup(5, 5);
    const stop = new AbortController();
    stop.abort(new InterruptedError('SIGTERM'));
    const result = await run(records, { signal: stop.signal });
    expect(starts).toEqual([]);
    expect(result.stop).toMatchObject({ reason: 'interrupted', exitCode: 143 });
  });

  it('stops when the journal cannot be written: going on would send again what it failed to note', async () => {
    const { records, run, starts } = setup(20, 4);
    const result = await run(records, {
      concurrency: 1,
      onRecorded: () => {
        throw new Error('ENOSPC: no space left on device');
      },
    });
    expect(starts).toHaveLength(1);
    expect(result.stop).toMatchObject({ reason: 'journal', message: expect.stringMatching(/ENOSPC/) });
    expect(importExitCode(resultOf(result, 20))).toBe(5);
  });
});

describe('a budget that says to wait too long, or nothing usable', () => {
  const answering =
    (headers: Record<string, string>, sent: { count: number }): Send<PlannedRecord<TestEvent>> =>
    async () => {
      sent.count++;
      return { status: 202, headers: new Headers(headers) };
    };
  const plan = (count: number) =>
    planImport<TestEvent>(
      Array.from({ length: count }, (_, index) => ({
        line: index + 2,
        event: {
          kind: 'deployment' as const,
          services: ['svc'],
          startedAt: BASE + BigInt(index) * S,
          finishedAt: BASE + BigInt(index) * S,
        },
      })),
    ).records;

  it('stops, as for a 429 asking as much, when the spent budget comes back only in an hour', async () => {
    const sent = { count: 0 };
    const result = await schedule(
      listQueue(plan(5)),
      answering({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3600' }, sent),
      { concurrency: 4, clock: virtualClock(), signal: new AbortController().signal },
    );
    expect(sent.count).toBe(1);
    expect(result.stop).toMatchObject({ reason: 'rate-limit' });
    expect(result.notDelivered).toHaveLength(4);
  });

  it('goes on, probing one request at a time, when the announced limit is 0 (no budget could ever be used)', async () => {
    const sent = { count: 0 };
    const result = await schedule(
      listQueue(plan(5)),
      answering({ 'x-ratelimit-limit': '0', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }, sent),
      { concurrency: 4, clock: virtualClock(), signal: new AbortController().signal },
    );
    expect(result.recorded).toBe(5);
    expect(sent.count).toBe(5);
  });
});
