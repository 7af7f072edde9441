/**
 * `dora metrics` through the built binary against the stand-in DORA API on 127.0.0.1, which pages as Datadog does:
 * every figure of a small case worked out by hand, in the three outputs, a page boundary inside a shared instant, the
 * dry run, and the refusals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { doraApi, type StoredEvent, serve } from '../helpers/dora-api.js';
import { makePlainDir } from '../helpers/git-repo.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { runDora } from '../helpers/run-dora.js';

const API_KEY = 'metrics-e2e-api-key-0123456789ab';
const APP_KEY = 'metrics-e2e-app-key-0123456789abcdef0123';
const DAY = 86_400;
// The window: 2026-11-02T00:00:00Z (a Monday) to 2026-11-15T23:59:59Z, two weeks.
const SINCE = 1_793_577_600;
const UNTIL = SINCE + 14 * DAY - 1;

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

const ns = (s: number) => `${s}000000000`;

function deployment(id: string, finishedS: number, more: Record<string, unknown> = {}): StoredEvent {
  return {
    kind: 'deployment',
    id,
    attributes: { service: 'shop', env: 'prod', started_at: ns(finishedS - 300), finished_at: ns(finishedS), ...more },
  };
}

function failure(id: string, startedS: number, finishedS?: number): StoredEvent {
  return {
    kind: 'incident',
    id,
    attributes: {
      services: ['shop'],
      env: 'prod',
      started_at: ns(startedS),
      ...(finishedS === undefined ? {} : { finished_at: ns(finishedS) }),
    },
  };
}

/**
 * Seven deployments in the window (one before it), three evaluated change failures of which one failed and was
 * remediated an hour later, two of them with Datadog's commit lead times, one rollback; two failures restored in the
 * window (1 h and 3 h) and one still open.
 */
const EVENTS: StoredEvent[] = [
  deployment('before-window-dep-01', SINCE - DAY),
  deployment('dep-01-aaaaaaaaaaaaaa', SINCE + 1 * DAY, {
    change_failure: false,
    commits: [{ change_lead_time: 3600 }],
  }),
  deployment('dep-02-aaaaaaaaaaaaaa', SINCE + 2 * DAY, {
    change_failure: true,
    remediation: { id: 'dep-03-aaaaaaaaaaaaaa', type: 'rollback' },
    commits: [{ change_lead_time: 7200 }, { change_lead_time: 10800 }],
  }),
  deployment('dep-03-aaaaaaaaaaaaaa', SINCE + 2 * DAY + 3600, { change_failure: false, deployment_type: 'rollback' }),
  deployment('dep-04-aaaaaaaaaaaaaa', SINCE + 8 * DAY),
  deployment('dep-05-aaaaaaaaaaaaaa', SINCE + 9 * DAY),
  deployment('dep-06-aaaaaaaaaaaaaa', SINCE + 10 * DAY),
  deployment('dep-07-aaaaaaaaaaaaaa', SINCE + 11 * DAY),
  failure('fail-01-aaaaaaaaaaaaa', SINCE + 3 * DAY, SINCE + 3 * DAY + 3600),
  failure('fail-02-aaaaaaaaaaaaa', SINCE + 4 * DAY, SINCE + 4 * DAY + 3 * 3600),
  failure('fail-03-aaaaaaaaaaaaa', SINCE + 12 * DAY),
];

async function metrics(args: string[], env: Record<string, string> = {}) {
  const api = doraApi(EVENTS);
  intake = await startIntake(serve(api));
  const run = await runDora(['metrics', '--since', String(SINCE), '--until', String(UNTIL), ...args], {
    cwd: makePlainDir(),
    env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DORA_API_URL: intake.url, ...env },
  });
  return { run, api };
}

describe('dora metrics, end to end', () => {
  it('--json: every figure as worked out by hand, with the member names of the contract', async () => {
    const { run } = await metrics(['--service', 'shop', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      filters: { service: ['shop'], env: null, team: null },
      deployments: 7,
      failures: 3,
      metrics: {
        deployment_frequency: { count: 7, level: 'high' },
        change_lead_time: { median_s: 7200, p90_s: 10800, commits: 3, source: 'datadog' },
        change_failure_rate: { rate: 1 / 3, failed: 1, evaluated: 3, not_evaluated: 4, level: 'low' },
        failed_deployment_recovery_time: { median_s: 3600, p90_s: 3600, n: 1, not_recovered: 0 },
        time_to_restore: { median_s: 7200, p90_s: 10800, n: 2, open: 1 },
        rework_rate: { rate: 1 / 7, rework: 1, count: 7 },
      },
    });
    // The window is 14 days less a second: 7 deployments in it are just over one every two days.
    expect(report.metrics.deployment_frequency.per_day).toBeCloseTo(0.5, 5);
    expect(report.metrics.deployment_frequency.per_week).toBeCloseTo(3.5, 5);
    expect(report.weeks).toEqual([
      { start: '2026-11-02T00:00:00Z', deployments: 3, failed: 1 },
      { start: '2026-11-09T00:00:00Z', deployments: 4, failed: 0 },
    ]);
  });

  it('pages through events that share an instant across a page boundary, counting each once', async () => {
    const same = SINCE + 5 * DAY;
    const crowd = Array.from({ length: 1500 }, (_, i) =>
      deployment(`crowd-${String(i).padStart(6, '0')}-aaaaaa`, same + (i % 3)),
    );
    const api = doraApi(crowd);
    intake = await startIntake(serve(api));
    const run = await runDora(['metrics', '--since', String(SINCE), '--until', String(UNTIL), '--json'], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DORA_API_URL: intake.url },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).deployments).toBe(1500);
    expect(api.listRequests).toBeGreaterThan(2);
  });

  it('--markdown: a table with every metric and the trend, nothing else on stdout', async () => {
    const { run } = await metrics(['--markdown']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^### DORA metrics/);
    expect(run.stdout).toContain('| deployment frequency | 3.5 a week | 7 | high |');
    expect(run.stdout).toContain('| change failure rate | 33.3 % | 3 | low |');
    expect(run.stdout).toContain('```text');
  });

  it('at a terminal without Unicode (TERM=dumb): the table in plain ASCII', async () => {
    const { run } = await metrics([], { TERM: 'dumb', LANG: 'C.UTF-8' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/deployment frequency +3\.5 a week +7 +high/);
    expect(run.stdout).not.toMatch(/[▁▂▃▄▅▆▇█·]/);
  });

  it('--dry-run: the first list request of each kind, no key, no network', async () => {
    const run = await runDora(['metrics', '--env', 'prod', '--dry-run', '--json'], { cwd: makePlainDir() });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.requests.map((request: { url: string }) => request.url)).toEqual([
      'https://api.datadoghq.com/api/v2/dora/deployments',
      'https://api.datadoghq.com/api/v2/dora/failures',
    ]);
    expect(result.requests[0].body.data.attributes).toMatchObject({
      query: 'env:prod',
      limit: 1000,
      sort: '-finished_at',
    });
    // Without --json, the bodies themselves on stdout, one a line, as every dry run prints what it would send.
    const plain = await runDora(['metrics', '--env', 'prod', '--dry-run'], { cwd: makePlainDir() });
    const bodies = plain.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(bodies.map((body) => body.data.type)).toEqual([
      'dora_deployments_list_request',
      'dora_failures_list_request',
    ]);
  });

  it.each([
    [['--since', '-800d'], 'two years'],
    [['--until', '+1h'], '--until'],
    [['--since', 'now', '--until', '-1d'], '--since is after --until'],
    [['--json', '--markdown'], 'give one'],
  ])('%j is refused with exit 2 before any request', async (args, why) => {
    const run = await runDora(['metrics', ...args], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DORA_API_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(why);
  });

  it('without an application key: exit 2 naming DD_APP_KEY, nothing sent', async () => {
    const run = await runDora(['metrics'], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: API_KEY, DORA_API_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DD_APP_KEY');
  });
});

describe('dora metrics when one read fails', () => {
  it('stops the other read at once: no request or retry warning after the verdict', async () => {
    intake = await startIntake((request) =>
      request.path === '/api/v2/dora/deployments'
        ? { status: 400, body: '{"errors":["Bad Request: no"]}' }
        : request.path === '/api/v2/dora/failures'
          ? { status: 503, body: '{"errors":["busy"]}' }
          : 'destroy',
    );
    const run = await runDora(['metrics', '--since', String(SINCE), '--until', String(UNTIL), '--json'], {
      cwd: makePlainDir(),
      env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(4);
    const afterError = run.stderr.slice(run.stderr.indexOf('error: '));
    expect(afterError).not.toMatch(/retrying/);
    // The failures' first attempt may have gone out with the deployments'; no retry of it follows the verdict.
    expect(intake.requests.filter((request) => request.path === '/api/v2/dora/failures').length).toBeLessThanOrEqual(1);
  });
});
