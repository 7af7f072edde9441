/**
 * DORA performance levels, with the cut-offs of issue 21 (from the clusters of the 2023 and 2024 State of DevOps
 * reports; the README gives the table and its source). Each cut-off is compared exactly: the frequency as a
 * count against the window's length in integers, the rate as a fraction in integers, durations in seconds.
 */
import type { Level } from './types.js';

const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;
const MONTH_S = 30 * DAY_S;
const DAY_NS = BigInt(DAY_S) * 1_000_000_000n;

/** The edges the levels stand at: durations in seconds (lead time and recovery alike), rates in percent. */
export const DURATION_EDGES_S = [3600, DAY_S, WEEK_S, MONTH_S] as const;
export const RATE_EDGES_PERCENT = [5, 10, 15] as const;

/** Elite: at least once a day; high: once a week; medium: once a month (30 days); low: less. */
export function frequencyLevel(count: number, windowNs: bigint): Level {
  const deployed = BigInt(count) * DAY_NS;
  if (deployed >= windowNs) return 'elite';
  if (deployed * 7n >= windowNs) return 'high';
  if (deployed * 30n >= windowNs) return 'medium';
  return 'low';
}

/** By the median: elite under a day, high under a week, medium under a month. */
export function leadTimeLevel(medianS: number): Level {
  return durationLevel(medianS, DAY_S, WEEK_S, MONTH_S);
}

/** At most 5 %, 10 %, 15 %: `failed / evaluated` compared in integers. */
export function failureRateLevel(failed: number, evaluated: number): Level {
  if (failed * 100 <= 5 * evaluated) return 'elite';
  if (failed * 100 <= 10 * evaluated) return 'high';
  if (failed * 100 <= 15 * evaluated) return 'medium';
  return 'low';
}

/** By the median: elite under an hour, high under a day, medium under a week. */
export function recoveryLevel(medianS: number): Level {
  return durationLevel(medianS, 3600, DAY_S, WEEK_S);
}

function durationLevel(value: number, elite: number, high: number, medium: number): Level {
  if (value < elite) return 'elite';
  if (value < high) return 'high';
  if (value < medium) return 'medium';
  return 'low';
}
