/** Weeks for the trend: every week that touches the window, each starting on a Monday at 00:00 UTC. */
import type { Deployment, Week, Window } from './types.js';

const WEEK_NS = 7n * 86_400n * 1_000_000_000n;
const WEEK_MS = 7 * 86_400_000;
/** 1970-01-05, the first Monday after the epoch (a Thursday). */
const FIRST_MONDAY_NS = 4n * 86_400n * 1_000_000_000n;

/** The Monday 00:00 UTC on or before `ns`. */
export function weekStart(ns: bigint): bigint {
  let offset = (ns - FIRST_MONDAY_NS) % WEEK_NS;
  if (offset < 0n) offset += WEEK_NS;
  return ns - offset;
}

/** One entry per week from the one holding `since` to the one holding `until`, counts by `finished_at`. */
export function weeklyTrend(window: Window, deployments: readonly Deployment[]): Week[] {
  const first = weekStart(window.since);
  const count = Number((weekStart(window.until) - first) / WEEK_NS) + 1;
  const deployed = new Array<number>(count).fill(0);
  const failed = new Array<number>(count).fill(0);
  // Milliseconds are exact as numbers and enough to place a deployment in its week: no bigint per deployment.
  const firstMs = Number(first / 1_000_000n);
  for (const deployment of deployments) {
    const index = Math.floor((Number(deployment.finishedAt / 1_000_000n) - firstMs) / WEEK_MS);
    if (index < 0 || index >= count) continue;
    deployed[index] = (deployed[index] as number) + 1;
    if (deployment.changeFailure === true) failed[index] = (failed[index] as number) + 1;
  }
  return deployed.map((deployments, i) => ({
    start: new Date(Number((first + BigInt(i) * WEEK_NS) / 1_000_000n)).toISOString().replace('.000Z', 'Z'),
    deployments,
    failed: failed[i] as number,
  }));
}
