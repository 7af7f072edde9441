/** Median, nearest-rank p90, levels, weeks and the duration wording, by hand and against independent computations. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureRateLevel, frequencyLevel, leadTimeLevel, recoveryLevel } from '../../src/metrics/levels.js';
import { nearestRank, summarize } from '../../src/metrics/stats.js';
import { weeklyTrend, weekStart } from '../../src/metrics/weeks.js';
import { formatSeconds } from '../../src/time.js';
import { at, DAY, HOUR } from './stand-in.js';

describe('summarize', () => {
  it('takes the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, p90: 5, n: 3 });
    expect(summarize([4, 1, 3, 10])).toEqual({ median: 3.5, p90: 10, n: 4 });
    expect(summarize([])).toBeUndefined();
  });

  it('takes p90 as the ⌈0.9·n⌉-th smallest, in integers (0.9 × 30 is not 27.000000000000004 here)', () => {
    const thirty = Array.from({ length: 30 }, (_, i) => i + 1);
    expect(summarize(thirty)?.p90).toBe(27);
    expect(summarize(Array.from({ length: 10 }, (_, i) => i + 1))?.p90).toBe(9);
    expect(summarize(Array.from({ length: 11 }, (_, i) => i + 1))?.p90).toBe(10);
    expect(summarize([7])?.p90).toBe(7);
  });

  it('agrees with a plain count for any values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (values) => {
          const summary = summarize(values);
          const sorted = [...values].sort((a, b) => a - b);
          const n = values.length;
          // p90: the smallest value with at least 90 % of the values at or below it.
          const p90 = sorted.find((v) => sorted.filter((w) => w <= v).length * 10 >= 9 * n);
          const below = (v: number) => sorted.filter((w) => w < v).length;
          const above = (v: number) => sorted.filter((w) => w > v).length;
          expect(summary?.p90).toBe(p90);
          if (n % 2 === 1)
            expect(
              below(summary?.median as number) <= (n - 1) / 2 && above(summary?.median as number) <= (n - 1) / 2,
            ).toBe(true);
          else expect(summary?.median).toBeCloseTo(((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2, 6);
          expect(nearestRank(n, 90)).toBe(Math.ceil((9 * n) / 10 - 1e-9));
        },
      ),
    );
  });
});

describe('levels', () => {
  it('rates deployment frequency against a day, a week and 30 days, edges included', () => {
    const thirtyDays = 30n * DAY;
    expect(frequencyLevel(30, thirtyDays)).toBe('elite');
    expect(frequencyLevel(29, thirtyDays)).toBe('high');
    expect(frequencyLevel(5, 35n * DAY)).toBe('high'); // exactly once a week
    expect(frequencyLevel(4, 35n * DAY)).toBe('medium');
    expect(frequencyLevel(1, thirtyDays)).toBe('medium');
    expect(frequencyLevel(1, thirtyDays + 1n)).toBe('low');
    expect(frequencyLevel(0, thirtyDays)).toBe('low');
  });

  it('rates the change failure rate at 5, 10 and 15 % inclusive', () => {
    expect(failureRateLevel(1, 20)).toBe('elite');
    expect(failureRateLevel(2, 20)).toBe('high');
    expect(failureRateLevel(3, 20)).toBe('medium');
    expect(failureRateLevel(4, 20)).toBe('low');
    expect(failureRateLevel(0, 1)).toBe('elite');
  });

  it('rates lead time (a day, a week, 30 days) and recovery (an hour, a day, a week), upper edges excluded', () => {
    expect([86_399, 86_400, 604_800, 2_592_000].map(leadTimeLevel)).toEqual(['elite', 'high', 'medium', 'low']);
    expect([3599, 3600, 86_400, 604_800].map(recoveryLevel)).toEqual(['elite', 'high', 'medium', 'low']);
  });
});

describe('weeks', () => {
  it('starts weeks on Mondays 00:00 UTC and lists every week touching the window', () => {
    expect(weekStart(at('2026-11-26T13:33:20Z'))).toBe(at('2026-11-23T00:00:00Z')); // a Thursday
    expect(weekStart(at('2026-11-23T00:00:00Z'))).toBe(at('2026-11-23T00:00:00Z'));
    expect(weekStart(at('1969-12-31T00:00:00Z'))).toBe(at('1969-12-29T00:00:00Z'));
    // 2026-11-01 is a Sunday: its week began on Monday 26 October.
    const weeks = weeklyTrend({ since: at('2026-11-01T12:00:00Z'), until: at('2026-11-16T00:00:00Z') }, []);
    expect(weeks.map((week) => week.start)).toEqual([
      '2026-10-26T00:00:00Z',
      '2026-11-02T00:00:00Z',
      '2026-11-09T00:00:00Z',
      '2026-11-16T00:00:00Z',
    ]);
  });

  it('counts deployments and change failures by the week they finished in', () => {
    const d = (finished: bigint, changeFailure?: boolean) => ({
      id: String(finished),
      service: 'shop',
      startedAt: finished - HOUR,
      finishedAt: finished,
      ...(changeFailure === undefined ? {} : { changeFailure }),
    });
    const weeks = weeklyTrend({ since: at('2026-11-02T00:00:00Z'), until: at('2026-11-15T23:59:59Z') }, [
      d(at('2026-11-02T00:00:00Z'), true),
      d(at('2026-11-08T23:59:59Z'), false),
      d(at('2026-11-09T00:00:00Z')),
    ]);
    expect(weeks).toEqual([
      { start: '2026-11-02T00:00:00Z', deployments: 2, failed: 1 },
      { start: '2026-11-09T00:00:00Z', deployments: 1, failed: 0 },
    ]);
  });
});

describe('formatSeconds', () => {
  it('writes durations as people do', () => {
    expect(formatSeconds(0.25)).toBe('250 ms');
    expect(formatSeconds(4.25)).toBe('4.3 s');
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(200)).toBe('3 min 20 s');
    expect(formatSeconds(180)).toBe('3 min');
    expect(formatSeconds(42 * 60 + 10)).toBe('42 min');
    expect(formatSeconds(3 * 3600 + 20 * 60)).toBe('3 h 20 min');
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(2.5 * 86_400)).toBe('2.5 days');
    expect(formatSeconds(86_400)).toBe('1 day');
    expect(formatSeconds(12.4 * 86_400)).toBe('12 days');
    expect(formatSeconds(-90)).toBe('-1 min 30 s');
  });
});
