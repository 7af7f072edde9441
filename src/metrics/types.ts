/**
 * The shapes `dora metrics` works with: the events read back (exact nanosecond times), what the user selected, and
 * the report, which is the `--json` object of issue 21 member for member (durations in seconds, rates 0..1).
 */

/** A deployment as the list answers carry it; the optional members beyond the published schema only when present. */
export interface Deployment {
  id: string;
  service: string;
  env?: string;
  team?: string;
  version?: string;
  startedAt: bigint;
  finishedAt: bigint;
  commitSha?: string;
  /** true, false, or null while Datadog has not evaluated it yet; absent when the answer has no such member. */
  changeFailure?: boolean | null;
  /** standard, rollback, rollforward (any text the API sends). */
  deploymentType?: string;
  recoveryTimeSec?: number;
  /** The deployment that remediated this one, when the answer names it by id. */
  remediationId?: string;
  /**
   * Datadog's `commits[].change_lead_time` (seconds from each commit's creation to this deployment), when the answer
   * carries a `commits` list; entries without a lead time are left out, so the list may be empty.
   */
  commitLeadTimes?: number[];
}

/** A failure (incident); open while `finishedAt` is absent. */
export interface Failure {
  id: string;
  services: string[];
  env?: string;
  team?: string;
  startedAt: bigint;
  finishedAt?: bigint;
}

export type EventKind = 'deployment' | 'failure';

/** Both ends inclusive, in nanoseconds since the epoch. */
export interface Window {
  since: bigint;
  until: bigint;
}

export interface Filters {
  service: string[];
  env?: string;
  team?: string;
}

export type GroupBy = 'service' | 'env' | 'team';

export type Level = 'elite' | 'high' | 'medium' | 'low';

/** A metric that could not be computed, and why, in one sentence for people. */
export interface Unavailable {
  unavailable: string;
}

export interface DeploymentFrequency {
  count: number;
  per_day: number;
  per_week: number;
  level: Level;
}

export interface ChangeLeadTime {
  median_s: number;
  p90_s: number;
  /** How many commits the durations are over. */
  commits: number;
  source: 'datadog' | 'git';
  skipped_deployments: number;
  level: Level;
}

export interface ChangeFailureRate {
  rate: number;
  failed: number;
  evaluated: number;
  not_evaluated: number;
  level: Level;
}

export interface RecoveryTime {
  median_s: number;
  p90_s: number;
  n: number;
  not_recovered: number;
  level: Level;
}

export interface TimeToRestore {
  median_s: number;
  p90_s: number;
  n: number;
  open: number;
}

export interface ReworkRate {
  rate: number;
  rework: number;
  count: number;
}

export interface Metrics {
  deployment_frequency: DeploymentFrequency | Unavailable;
  change_lead_time: ChangeLeadTime | Unavailable;
  change_failure_rate: ChangeFailureRate | Unavailable;
  failed_deployment_recovery_time: RecoveryTime | Unavailable;
  time_to_restore: TimeToRestore | Unavailable;
  rework_rate: ReworkRate | Unavailable;
}

export interface Week {
  /** Monday 00:00 UTC, RFC 3339. */
  start: string;
  deployments: number;
  /** Deployments of that week marked as change failures. */
  failed: number;
}

export interface Group {
  /** The service, env or team; null for the events that have none. */
  key: string | null;
  deployments: number;
  metrics: Metrics;
}

/** The `--json` object of `dora metrics`. */
export interface MetricsReport {
  ok: true;
  window: { from: string; to: string };
  filters: { service: string[]; env: string | null; team: string | null };
  deployments: number;
  failures: number;
  metrics: Metrics;
  weeks: Week[];
  groups?: Group[];
}

export function isUnavailable(metric: object): metric is Unavailable {
  return 'unavailable' in metric;
}

/**
 * What the local git history says of each deployment, as `gitLeadTime` (git-lead-time.ts) works it out: the lead
 * times (seconds) of the commits each deployment shipped, and the deployments it skipped (no known predecessor).
 */
export type LocalLeadTime =
  | { available: true; byDeployment: ReadonlyMap<string, readonly number[]>; skipped: ReadonlySet<string> }
  | { available: false; reason: string };
