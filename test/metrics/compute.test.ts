/**
 * Every figure of `dora metrics`, read through the stand-in and computed: a small case worked out by hand, the
 * reasons of unavailable metrics, groups, and generated selections checked against a computation written apart.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/metrics/compute.js';
import { collectMetrics } from '../../src/metrics/index.js';
import type { Deployment, Failure, MetricsReport } from '../../src/metrics/types.js';
import { at, DAY, deployment, failure, HOUR, MINUTE, standIn } from './stand-in.js';

const SINCE = at('2026-11-02T00:00:00Z'); // a Monday
const UNTIL = at('2026-11-16T00:00:00Z'); // two weeks later, the next Monday's first instant included
const WINDOW = { since: SINCE, until: UNTIL };
const NO_FILTERS = { service: [] };

const d = (id: string, finished: string, extra: Record<string, unknown>, env = 'prod') =>
  deployment(id, at(finished), { env, extra });

/** The hand-worked case: seven deployments in the window, one before; five failures, three of them read. */
const HAND = [
  d('d1', '2026-11-02T10:00:00Z', {
    change_failure: false,
    deployment_type: 'standard',
    commits: [{ change_lead_time: 3600 }, { change_lead_time: 7200 }],
  }),
  d('d2', '2026-11-03T10:00:00Z', {
    change_failure: true,
    recovery_time_sec: 1800,
    deployment_type: 'standard',
    commits: [{ change_lead_time: 600 }],
  }),
  d('d3', '2026-11-04T10:00:00Z', {
    change_failure: true,
    remediation: { id: 'd4', type: 'rollforward' },
    deployment_type: 'standard',
    commits: [],
  }),
  d('d4', '2026-11-04T12:30:00Z', {
    change_failure: false,
    deployment_type: 'rollforward',
    commits: [{ change_lead_time: 86_400 }],
  }),
  d('d5', '2026-11-10T09:00:00Z', { change_failure: null, deployment_type: 'rollback' }),
  d('d6', '2026-11-11T09:00:00Z', {
    change_failure: true,
    deployment_type: 'standard',
    commits: [{ change_lead_time: 1800 }],
  }),
  d('d7', '2026-11-12T09:00:00Z', { commits: [{ change_lead_time: 5400 }] }, 'staging'),
  d('d-before', '2026-10-30T09:00:00Z', { change_failure: true, commits: [{ change_lead_time: 1 }] }),
  failure('f1', at('2026-11-05T10:00:00Z'), at('2026-11-05T11:00:00Z')),
  failure('f2', at('2026-10-20T00:00:00Z'), at('2026-11-02T00:00:00Z')),
  failure('f3', at('2026-11-12T00:00:00Z'), undefined),
  failure('f4', at('2026-10-25T00:00:00Z'), undefined),
  failure('f5', at('2026-11-15T23:00:00Z'), at('2026-11-16T01:00:00Z')),
];

describe('computeMetrics, worked out by hand', () => {
  it('computes every metric of issue 21, in its JSON names', async () => {
    const { fetchPage } = standIn(HAND, { shuffleTies: true });
    const report = await collectMetrics({ window: WINDOW, filters: NO_FILTERS, fetchPage });
    expect(report).toEqual({
      ok: true,
      window: { from: '2026-11-02T00:00:00Z', to: '2026-11-16T00:00:00Z' },
      filters: { service: [], env: null, team: null },
      deployments: 7,
      failures: 3,
      metrics: {
        // 7 in 14 days; at least once a week.
        deployment_frequency: { count: 7, per_day: 0.5, per_week: 3.5, level: 'high' },
        // 600 1800 3600 | 5400 7200 86400: median (3600 + 5400) / 2, p90 the ⌈5.4⌉ = 6th; d5 has no commit data.
        change_lead_time: {
          median_s: 4500,
          p90_s: 86_400,
          commits: 6,
          source: 'datadog',
          skipped_deployments: 1,
          level: 'elite',
        },
        // d2, d3, d6 failed; d1, d4 did not; d5 (null) and d7 (absent) not evaluated.
        change_failure_rate: { rate: 0.6, failed: 3, evaluated: 5, not_evaluated: 2, level: 'low' },
        // d2: recovery_time_sec 1800; d3: remediated by d4, 2 h 30 min later; d6: not recovered.
        failed_deployment_recovery_time: { median_s: 5400, p90_s: 9000, n: 2, not_recovered: 1, level: 'high' },
        // f1: 1 h; f2: 13 days (it finished on the window's first instant); f3 open; f4, f5 outside.
        time_to_restore: { median_s: (3600 + 13 * 86_400) / 2, p90_s: 13 * 86_400, n: 2, open: 1 },
        // d4 rollforward, d5 rollback, over all 7.
        rework_rate: { rate: 2 / 7, rework: 2, count: 7 },
      },
      weeks: [
        { start: '2026-11-02T00:00:00Z', deployments: 4, failed: 2 },
        { start: '2026-11-09T00:00:00Z', deployments: 3, failed: 1 },
        { start: '2026-11-16T00:00:00Z', deployments: 0, failed: 0 },
      ],
    } satisfies MetricsReport);
  });

  it('groups by env, keeping the total at the top level, with deployments lacking the field apart', async () => {
    const { fetchPage } = standIn(HAND);
    const report = await collectMetrics({ window: WINDOW, filters: NO_FILTERS, by: 'env', fetchPage });
    expect(report.deployments).toBe(7);
    expect(report.groups?.map((group) => [group.key, group.deployments])).toEqual([
      ['prod', 6],
      ['staging', 1],
      [null, 0], // the failures have no env
    ]);
    const staging = report.groups?.[1]?.metrics;
    expect(staging?.change_lead_time).toEqual({
      median_s: 5400,
      p90_s: 5400,
      commits: 1,
      source: 'datadog',
      skipped_deployments: 0,
      level: 'elite',
    });
    expect(staging?.change_failure_rate).toEqual({
      unavailable:
        'no deployment has been evaluated as a change failure or not yet (change_failure is absent or null on the one deployment)',
    });
    expect(report.groups?.[2]?.metrics.time_to_restore).toMatchObject({ n: 2, open: 1 });
  });
});

describe('groups by service', () => {
  const t = at('2026-11-05T00:00:00Z');
  const events = [
    deployment('shop-1', t, { service: 'shop' }),
    deployment('shop-2', t + HOUR, { service: 'shop' }),
    deployment('cart-1', t, { service: 'cart' }),
    failure('both', t, t + 30n * MINUTE, { services: ['shop', 'cart'] }),
    failure('search', t, t + 10n * MINUTE, { services: ['search'] }),
  ];

  it('counts a failure in each of its services', async () => {
    const { fetchPage } = standIn(events);
    const report = await collectMetrics({ window: WINDOW, filters: NO_FILTERS, by: 'service', fetchPage });
    expect(report.failures).toBe(2);
    expect(
      report.groups?.map((group) => [group.key, group.deployments, (group.metrics.time_to_restore as { n: number }).n]),
    ).toEqual([
      ['cart', 1, 1],
      ['search', 0, 1],
      ['shop', 2, 1],
    ]);
  });

  it('with --service, groups only the services asked for', async () => {
    const { fetchPage } = standIn(events);
    const report = await collectMetrics({ window: WINDOW, filters: { service: ['shop'] }, by: 'service', fetchPage });
    expect(report.groups?.map((group) => group.key)).toEqual(['shop']);
    expect(report.deployments).toBe(2);
  });
});

describe('unavailable metrics say why', () => {
  it('for an empty window', () => {
    const report = computeMetrics({ window: WINDOW, filters: NO_FILTERS, deployments: [], failures: [] });
    expect(report.metrics).toEqual({
      deployment_frequency: { count: 0, per_day: 0, per_week: 0, level: 'low' },
      change_lead_time: { unavailable: 'no deployment finished in the window' },
      change_failure_rate: { unavailable: 'no deployment finished in the window' },
      failed_deployment_recovery_time: { unavailable: 'no deployment of the window is marked as a change failure' },
      time_to_restore: { unavailable: 'no failure was resolved in the window' },
      rework_rate: { unavailable: 'no deployment finished in the window' },
    });
  });

  it('holds what was read to the filters: a server that ignored the query adds nothing to the total or the groups', () => {
    const at = (id: string, service: string, env: string): Deployment => ({
      id,
      service,
      env,
      startedAt: SINCE + HOUR,
      finishedAt: SINCE + HOUR,
    });
    const report = computeMetrics({
      window: WINDOW,
      filters: { service: ['shop'], env: 'prod' },
      by: 'env',
      deployments: [
        at('a', 'shop', 'prod'),
        at('b', 'Shop', 'prod'),
        at('c', 'shop', 'staging'),
        at('d', 'cart', 'prod'),
      ],
      failures: [
        { id: 'f', services: ['cart', 'shop'], env: 'prod', startedAt: SINCE + HOUR },
        { id: 'g', services: ['cart'], env: 'prod', startedAt: SINCE + HOUR },
      ],
      localLeadTime: { available: false, reason: 'none' },
    });
    expect(report.deployments).toBe(2);
    expect(report.failures).toBe(1);
    expect(report.groups?.map((group) => [group.key, group.deployments])).toEqual([['prod', 2]]);
  });

  it('groups by service as the filter selects, without regard to case (--service Shop --by service)', () => {
    const deployment: Deployment = { id: 'a', service: 'shop', startedAt: SINCE + HOUR, finishedAt: SINCE + HOUR };
    const report = computeMetrics({
      window: WINDOW,
      filters: { service: ['Shop'] },
      by: 'service',
      deployments: [deployment, { ...deployment, id: 'b' }],
      failures: [],
      localLeadTime: { available: false, reason: 'none' },
    });
    expect(report.deployments).toBe(2);
    expect(report.groups?.map((group) => [group.key, group.deployments])).toEqual([['shop', 2]]);
  });

  it('counts no recovery below zero: a remediation that finished before the failed deployment leaves it not recovered', () => {
    const remedy: Deployment = { id: 'r', service: 'shop', startedAt: SINCE, finishedAt: SINCE + HOUR };
    const failed: Deployment = {
      id: 'f',
      service: 'shop',
      startedAt: SINCE + DAY,
      finishedAt: SINCE + DAY,
      changeFailure: true,
      remediationId: 'r',
    };
    const later: Deployment = { ...failed, id: 'g', remediationId: 'h' };
    const fix: Deployment = { id: 'h', service: 'shop', startedAt: SINCE + DAY, finishedAt: SINCE + DAY + HOUR };
    const report = computeMetrics({
      window: WINDOW,
      filters: NO_FILTERS,
      deployments: [remedy, failed, later, fix],
      failures: [],
      localLeadTime: { available: false, reason: 'none' },
    });
    expect(report.metrics.failed_deployment_recovery_time).toMatchObject({
      median_s: 3600,
      n: 1,
      not_recovered: 1,
    });
  });

  it('for deployments without the members a live org adds, and failures all open', () => {
    const plain: Deployment = { id: 'p', service: 'shop', startedAt: SINCE, finishedAt: SINCE + DAY };
    const failed: Deployment = { ...plain, id: 'f', changeFailure: true };
    const open: Failure = { id: 'o', services: ['shop'], startedAt: SINCE + HOUR };
    const report = computeMetrics({
      window: WINDOW,
      filters: NO_FILTERS,
      deployments: [plain, failed],
      failures: [open],
      localLeadTime: { available: false, reason: 'no commit data from Datadog, and no git checkout here' },
    });
    expect(report.metrics.change_lead_time).toEqual({
      unavailable: 'no commit data from Datadog, and no git checkout here',
    });
    expect(report.metrics.failed_deployment_recovery_time).toEqual({
      unavailable:
        'no failed deployment has recovered yet (1 failed deployment, none with a recovery_time_sec or a remediating deployment read in the window)',
    });
    expect(report.metrics.time_to_restore).toEqual({
      unavailable: 'no failure was resolved in the window (1 failure still open)',
    });
    expect(report.metrics.rework_rate).toEqual({
      unavailable: 'no deployment of the window carries a deployment_type (standard, rollback or rollforward)',
    });
    expect(report.metrics.change_failure_rate).toEqual({
      rate: 1,
      failed: 1,
      evaluated: 1,
      not_evaluated: 1,
      level: 'low',
    });
  });

  it('for a window without length', () => {
    const report = computeMetrics({
      window: { since: SINCE, until: SINCE },
      filters: NO_FILTERS,
      deployments: [],
      failures: [],
    });
    expect(report.metrics.deployment_frequency).toEqual({
      unavailable: 'the window has no length (--since equals --until)',
    });
  });
});

// --- generated selections, against a computation written apart ------------------------------------------------

const genDeployment = fc.record({
  finishedHour: fc.integer({ min: 0, max: 14 * 24 }),
  changeFailure: fc.constantFrom<boolean | null | undefined>(true, false, null, undefined),
  type: fc.constantFrom<string | undefined>('standard', 'rollback', 'rollforward', undefined),
  recovery: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
  remediate: fc.option(fc.nat(30), { nil: undefined }),
  leadTimes: fc.option(fc.array(fc.integer({ min: 0, max: 3_000_000 }), { maxLength: 4 }), { nil: undefined }),
});
const genFailure = fc.record({
  startedHour: fc.integer({ min: -24 * 20, max: 14 * 24 + 5 }),
  durationMin: fc.option(fc.integer({ min: 0, max: 60 * 24 * 10 }), { nil: undefined }),
});

describe('computeMetrics on generated selections', () => {
  it('agrees with a direct computation of every figure', () => {
    fc.assert(
      fc.property(
        fc.array(genDeployment, { maxLength: 30 }),
        fc.array(genFailure, { maxLength: 15 }),
        fc.boolean(),
        (specs, failureSpecs, withCommits) => {
          const deployments: Deployment[] = specs.map((spec, i) => {
            const out: Deployment = {
              id: `d${i}`,
              service: 'shop',
              startedAt: SINCE + BigInt(spec.finishedHour) * HOUR - MINUTE,
              finishedAt: SINCE + BigInt(spec.finishedHour) * HOUR,
            };
            if (spec.changeFailure !== undefined) out.changeFailure = spec.changeFailure;
            if (spec.type !== undefined) out.deploymentType = spec.type;
            if (spec.recovery !== undefined) out.recoveryTimeSec = spec.recovery;
            if (spec.remediate !== undefined) out.remediationId = `d${spec.remediate}`;
            if (withCommits && spec.leadTimes) out.commitLeadTimes = [...spec.leadTimes];
            return out;
          });
          const failures: Failure[] = failureSpecs
            .map((spec, i) => {
              const started = SINCE + BigInt(spec.startedHour) * HOUR;
              const out: Failure = { id: `f${i}`, services: ['shop'], startedAt: started };
              if (spec.durationMin !== undefined) out.finishedAt = started + BigInt(spec.durationMin) * MINUTE;
              return out;
            })
            // What readAll hands over: resolved in the window, or open and started in it.
            .filter((f) =>
              f.finishedAt === undefined
                ? f.startedAt >= SINCE && f.startedAt <= UNTIL
                : f.finishedAt >= SINCE && f.finishedAt <= UNTIL,
            );
          const report = computeMetrics({ window: WINDOW, filters: NO_FILTERS, deployments, failures });
          expect(report.metrics).toEqual(expected(deployments, failures));
          expect(report.weeks.reduce((sum, week) => sum + week.deployments, 0)).toBe(deployments.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Each figure by its definition in issue 21, the plain way: filters and counts, sorting with a comparator. */
function expected(deployments: Deployment[], failures: Failure[]) {
  const stats = (values: number[]) => {
    const s = [...values].sort((a, b) => a - b);
    const n = s.length;
    const median = n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
    let rank = 0;
    while (rank * 10 < 9 * n) rank++; // the smallest rank with rank ≥ 0.9·n
    return { median, p90: s[rank - 1] as number, n };
  };
  const days = 14;
  const count = deployments.length;
  const level4 = (value: number, cuts: [number, number, number], higherIsBetter: boolean) => {
    const names = ['elite', 'high', 'medium', 'low'] as const;
    const index = cuts.findIndex((cut) => (higherIsBetter ? value >= cut : value < cut));
    return names[index === -1 ? 3 : index];
  };
  const withCommits = deployments.filter((x) => x.commitLeadTimes !== undefined);
  const leadValues = withCommits.flatMap((x) => x.commitLeadTimes ?? []);
  const failed = deployments.filter((x) => x.changeFailure === true);
  const passed = deployments.filter((x) => x.changeFailure === false);
  const recoveries = failed.flatMap((x) => {
    if (x.recoveryTimeSec !== undefined) return [x.recoveryTimeSec];
    const remedy = deployments.find((y) => y.id === x.remediationId);
    return remedy && remedy.finishedAt >= x.finishedAt ? [Number(remedy.finishedAt - x.finishedAt) / 1e9] : [];
  });
  const resolved = failures.filter((f) => f.finishedAt !== undefined);
  const restores = resolved.map((f) => Number((f.finishedAt as bigint) - f.startedAt) / 1e9);
  const typed = deployments.filter((x) => x.deploymentType !== undefined);
  const rework = deployments.filter((x) => x.deploymentType === 'rollback' || x.deploymentType === 'rollforward');
  const lead = stats(leadValues);
  const rec = stats(recoveries);
  const res = stats(restores);
  const rate = failed.length / (failed.length + passed.length);
  return {
    deployment_frequency: {
      count,
      per_day: count / days,
      per_week: (count / days) * 7,
      level: level4(count / days, [1, 1 / 7, 1 / 30], true),
    },
    change_lead_time:
      count === 0
        ? { unavailable: 'no deployment finished in the window' }
        : withCommits.length === 0
          ? { unavailable: 'no commit data from Datadog, and the local git history was not read' }
          : leadValues.length === 0
            ? {
                unavailable: `Datadog's commit data gives no change lead time for the ${count} deployment${count === 1 ? '' : 's'}`,
              }
            : {
                median_s: lead.median,
                p90_s: lead.p90,
                commits: lead.n,
                source: 'datadog',
                skipped_deployments: count - withCommits.length,
                level: level4(lead.median, [86_400, 7 * 86_400, 30 * 86_400], false),
              },
    change_failure_rate:
      failed.length + passed.length === 0
        ? expect.objectContaining({ unavailable: expect.any(String) })
        : {
            rate,
            failed: failed.length,
            evaluated: failed.length + passed.length,
            not_evaluated: count - failed.length - passed.length,
            level: rate <= 0.05 ? 'elite' : rate <= 0.1 ? 'high' : rate <= 0.15 ? 'medium' : 'low',
          },
    failed_deployment_recovery_time:
      recoveries.length === 0
        ? expect.objectContaining({ unavailable: expect.any(String) })
        : {
            median_s: rec.median,
            p90_s: rec.p90,
            n: rec.n,
            not_recovered: failed.length - rec.n,
            level: level4(rec.median, [3600, 86_400, 7 * 86_400], false),
          },
    time_to_restore:
      restores.length === 0
        ? expect.objectContaining({ unavailable: expect.any(String) })
        : { median_s: res.median, p90_s: res.p90, n: res.n, open: failures.length - resolved.length },
    rework_rate:
      typed.length === 0
        ? expect.objectContaining({ unavailable: expect.any(String) })
        : { rate: rework.length / count, rework: rework.length, count },
  };
}
