/**
 * The DORA figures of issue 21 from the events read, pure: no clock, no network, no git (the local lead times come
 * in already worked out). the README states each definition as computed here.
 */
import { count } from '../output/count.js';
import { formatInstant } from '../time.js';
import { failureRateLevel, frequencyLevel, leadTimeLevel, recoveryLevel } from './levels.js';
import { seconds, summarize } from './stats.js';
import type {
  ChangeFailureRate,
  ChangeLeadTime,
  Deployment,
  DeploymentFrequency,
  Failure,
  Filters,
  Group,
  GroupBy,
  LocalLeadTime,
  Metrics,
  MetricsReport,
  RecoveryTime,
  ReworkRate,
  TimeToRestore,
  Unavailable,
  Window,
} from './types.js';
import { weeklyTrend } from './weeks.js';

export interface MetricsInput {
  window: Window;
  filters: Filters;
  by?: GroupBy;
  /** D: the deployments whose `finished_at` lies in the window (readAll's answer). */
  deployments: readonly Deployment[];
  /** The failures read: finished in the window, or started in it and still open (readAll's answer). */
  failures: readonly Failure[];
  /** The local git lead times, when the command worked them out (see `needsLocalLeadTime`). */
  localLeadTime?: LocalLeadTime;
}

const NS_PER_DAY = 86_400n * 1_000_000_000n;
const REWORK_TYPES = new Set(['rollback', 'rollforward']);

/** Whether the lead times must come from local git: no deployment of D carries Datadog's `commits`. */
export function needsLocalLeadTime(deployments: readonly Deployment[]): boolean {
  return !deployments.some((deployment) => deployment.commitLeadTimes !== undefined);
}

export function computeMetrics(read: MetricsInput): MetricsReport {
  // The search asked Datadog for the filters' events only; what came back is held to them too, so that the total
  // and the --by groups count the same events whatever a server (or a gateway) does with the query.
  const wanted = selects(read.filters);
  const input: MetricsInput = {
    ...read,
    deployments: read.deployments.filter((d) => wanted([d.service], d.env, d.team)),
    failures: read.failures.filter((f) => wanted(f.services, f.env, f.team)),
  };
  const { window, filters, by } = input;
  const leadTimes = leadTimeSource(input);
  const report: MetricsReport = {
    ok: true,
    window: { from: formatInstant(window.since), to: formatInstant(window.until) },
    filters: { service: [...filters.service], env: filters.env ?? null, team: filters.team ?? null },
    deployments: input.deployments.length,
    failures: input.failures.length,
    metrics: metricsOf(window, input.deployments, input.failures, leadTimes),
    weeks: weeklyTrend(window, input.deployments),
  };
  if (by) report.groups = groupsOf(input, by, leadTimes);
  return report;
}

/** Whether an event's service(s), env and team are those the filters ask for (as the search, case-insensitively). */
function selects(filters: Filters): (services: readonly string[], env?: string, team?: string) => boolean {
  const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  return (services, env, team) =>
    (filters.service.length === 0 || services.some((s) => filters.service.some((w) => same(s, w)))) &&
    (filters.env === undefined || same(env, filters.env)) &&
    (filters.team === undefined || same(team, filters.team));
}

/** Where each deployment's commit lead times come from, decided once for the whole selection. */
type LeadTimeSource =
  | { source: 'datadog' }
  | { source: 'git'; local: Extract<LocalLeadTime, { available: true }> }
  | { source: 'none'; reason: string };

function leadTimeSource(input: MetricsInput): LeadTimeSource {
  if (!needsLocalLeadTime(input.deployments)) return { source: 'datadog' };
  const local = input.localLeadTime;
  if (local?.available) return { source: 'git', local };
  return {
    source: 'none',
    reason: local?.reason ?? 'no commit data from Datadog, and the local git history was not read',
  };
}

function metricsOf(
  window: Window,
  deployments: readonly Deployment[],
  failures: readonly Failure[],
  leadTimes: LeadTimeSource,
): Metrics {
  return {
    deployment_frequency: deploymentFrequency(window, deployments.length),
    change_lead_time: changeLeadTime(deployments, leadTimes),
    change_failure_rate: changeFailureRate(deployments),
    failed_deployment_recovery_time: recoveryTime(deployments),
    time_to_restore: timeToRestore(window, failures),
    rework_rate: reworkRate(deployments),
  };
}

function deploymentFrequency(window: Window, count: number): DeploymentFrequency | Unavailable {
  const length = window.until - window.since;
  if (length <= 0n) return { unavailable: 'the window has no length (--since equals --until)' };
  const days = Number(length) / Number(NS_PER_DAY);
  return { count, per_day: count / days, per_week: (count / days) * 7, level: frequencyLevel(count, length) };
}

function changeLeadTime(deployments: readonly Deployment[], leadTimes: LeadTimeSource): ChangeLeadTime | Unavailable {
  if (deployments.length === 0) return { unavailable: 'no deployment finished in the window' };
  if (leadTimes.source === 'none') return { unavailable: leadTimes.reason };
  const values: number[] = [];
  let skipped = 0;
  for (const deployment of deployments) {
    if (leadTimes.source === 'datadog') {
      if (deployment.commitLeadTimes === undefined) skipped++;
      else for (const value of deployment.commitLeadTimes) values.push(value);
    } else if (leadTimes.local.skipped.has(deployment.id)) skipped++;
    else for (const value of leadTimes.local.byDeployment.get(deployment.id) ?? []) values.push(value);
  }
  const summary = summarize(values);
  if (!summary) {
    return {
      unavailable:
        leadTimes.source === 'datadog'
          ? `Datadog's commit data gives no change lead time for the ${count(deployments.length, 'deployment')}`
          : `no commit could be measured from the local git history: ${count(skipped, 'deployment')} skipped (the ` +
            'first of their service and env in the window, or their commit or the previous one missing here), ' +
            'and the others shipped no new commit',
    };
  }
  return {
    median_s: summary.median,
    p90_s: summary.p90,
    commits: summary.n,
    source: leadTimes.source,
    skipped_deployments: skipped,
    level: leadTimeLevel(summary.median),
  };
}

function changeFailureRate(deployments: readonly Deployment[]): ChangeFailureRate | Unavailable {
  let failed = 0;
  let passed = 0;
  for (const deployment of deployments) {
    if (deployment.changeFailure === true) failed++;
    else if (deployment.changeFailure === false) passed++;
  }
  const evaluated = failed + passed;
  if (evaluated === 0) {
    return {
      unavailable:
        deployments.length === 0
          ? 'no deployment finished in the window'
          : 'no deployment has been evaluated as a change failure or not yet (change_failure is absent or null on ' +
            `${deployments.length === 1 ? 'the one deployment' : `all ${deployments.length}`})`,
    };
  }
  return {
    rate: failed / evaluated,
    failed,
    evaluated,
    not_evaluated: deployments.length - evaluated,
    level: failureRateLevel(failed, evaluated),
  };
}

function recoveryTime(deployments: readonly Deployment[]): RecoveryTime | Unavailable {
  const byId = new Map(deployments.map((deployment) => [deployment.id, deployment]));
  const durations: number[] = [];
  let failed = 0;
  for (const deployment of deployments) {
    if (deployment.changeFailure !== true) continue;
    failed++;
    if (deployment.recoveryTimeSec !== undefined && deployment.recoveryTimeSec >= 0) {
      durations.push(deployment.recoveryTimeSec);
      continue;
    }
    // A remediation that finished before the failed deployment did recovered nothing (a mark made by mistake): the
    // deployment stays not recovered, instead of a negative time that would rate as elite.
    const remedy = deployment.remediationId === undefined ? undefined : byId.get(deployment.remediationId);
    if (remedy && remedy.finishedAt >= deployment.finishedAt) {
      durations.push(seconds(remedy.finishedAt - deployment.finishedAt));
    }
  }
  const summary = summarize(durations);
  if (!summary) {
    return {
      unavailable:
        failed === 0
          ? 'no deployment of the window is marked as a change failure'
          : `no failed deployment has recovered yet (${count(failed, 'failed deployment')}, none with a ` +
            'recovery_time_sec or a remediating deployment read in the window)',
    };
  }
  return {
    median_s: summary.median,
    p90_s: summary.p90,
    n: summary.n,
    not_recovered: failed - summary.n,
    level: recoveryLevel(summary.median),
  };
}

function timeToRestore(window: Window, failures: readonly Failure[]): TimeToRestore | Unavailable {
  const durations: number[] = [];
  let open = 0;
  for (const failure of failures) {
    const finished = failure.finishedAt;
    if (finished === undefined) {
      if (failure.startedAt >= window.since && failure.startedAt <= window.until) open++;
    } else if (finished >= window.since && finished <= window.until && finished >= failure.startedAt) {
      durations.push(seconds(finished - failure.startedAt));
    }
  }
  const summary = summarize(durations);
  if (!summary) {
    return {
      unavailable:
        open === 0
          ? 'no failure was resolved in the window'
          : `no failure was resolved in the window (${count(open, 'failure')} still open)`,
    };
  }
  return { median_s: summary.median, p90_s: summary.p90, n: summary.n, open };
}

function reworkRate(deployments: readonly Deployment[]): ReworkRate | Unavailable {
  let typed = 0;
  let rework = 0;
  for (const deployment of deployments) {
    if (deployment.deploymentType === undefined) continue;
    typed++;
    if (REWORK_TYPES.has(deployment.deploymentType)) rework++;
  }
  if (typed === 0) {
    return {
      unavailable:
        deployments.length === 0
          ? 'no deployment finished in the window'
          : 'no deployment of the window carries a deployment_type (standard, rollback or rollforward)',
    };
  }
  return { rate: rework / deployments.length, rework, count: deployments.length };
}

// --- groups ----------------------------------------------------------------------------------------------------

function groupsOf(input: MetricsInput, by: GroupBy, leadTimes: LeadTimeSource): Group[] {
  // With --service given, `--by service` groups only those services: a failure of [shop, cart] read for shop must
  // not open a cart group that no deployment of the selection belongs to.
  // Compared as the filter itself is (selects), without regard to case: --service Shop selects shop's events.
  const wanted =
    by === 'service' && input.filters.service.length > 0
      ? new Set(input.filters.service.map((service) => service.toLowerCase()))
      : undefined;
  const keep = (key: string | null) => !wanted || (key !== null && wanted.has(key.toLowerCase()));
  const groups = new Map<string | null, { deployments: Deployment[]; failures: Failure[] }>();
  const entry = (key: string | null) => {
    const group = groups.get(key) ?? { deployments: [], failures: [] };
    groups.set(key, group);
    return group;
  };
  for (const deployment of input.deployments) {
    const key = by === 'service' ? deployment.service : (deployment[by] ?? null);
    if (keep(key)) entry(key).deployments.push(deployment);
  }
  for (const failure of input.failures) {
    const keys = by === 'service' ? (failure.services.length > 0 ? failure.services : [null]) : [failure[by] ?? null];
    for (const key of new Set(keys)) if (keep(key)) entry(key).failures.push(failure);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
    .map(([key, group]) => ({
      key,
      deployments: group.deployments.length,
      metrics: metricsOf(input.window, group.deployments, group.failures, leadTimes),
    }));
}
