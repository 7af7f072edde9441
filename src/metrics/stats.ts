/**
 * The summaries issue 21 asks for, over durations in seconds: the median (for an even count, the mean of the two
 * middle values) and the 90th percentile by nearest rank (the ⌈0.9·n⌉-th smallest value).
 */

export interface Summary {
  median: number;
  p90: number;
  n: number;
}

/** undefined for no values. Does not change `values`. */
export function summarize(values: readonly number[]): Summary | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const middle = n >> 1;
  const median =
    n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, p90: sorted[nearestRank(n, 90) - 1] as number, n };
}

/**
 * ⌈p·n/100⌉ in integers: in floating point 0.9 × 30 is 27.000000000000004, whose ceiling would be one rank too far.
 */
export function nearestRank(n: number, percent: number): number {
  return Math.max(1, Math.floor((percent * n + 99) / 100));
}

/** A duration in nanoseconds as seconds (a float: beyond 104 days of nanoseconds a double rounds the last digits). */
export function seconds(ns: bigint): number {
  return Number(ns) / 1e9;
}
