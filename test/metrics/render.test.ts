/** The three outputs of `dora metrics`: terminal (Unicode and ASCII, colour only when told), Markdown, JSON. */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/metrics/compute.js';
import { LABELS, metricRows } from '../../src/metrics/present.js';
import { renderJson } from '../../src/metrics/render-json.js';
import { markdownText, renderMarkdown } from '../../src/metrics/render-markdown.js';
import { renderTerminal } from '../../src/metrics/render-terminal.js';
import type { Deployment, Failure, MetricsReport } from '../../src/metrics/types.js';
import { PLAIN } from '../../src/output/reporter.js';
import { formatSeconds } from '../../src/time.js';
import { at, HOUR, MINUTE } from './stand-in.js';

const SINCE = at('2026-11-02T00:00:00Z');
const UNTIL = at('2026-11-16T00:00:00Z');

function dep(id: string, service: string, finished: bigint, more: Partial<Deployment> = {}): Deployment {
  return { id, service, env: 'prod', startedAt: finished - MINUTE, finishedAt: finished, ...more };
}

const DEPLOYMENTS: Deployment[] = [
  dep('a', 'shop', SINCE + HOUR, { changeFailure: false, commitLeadTimes: [3 * 3600 + 20 * 60] }),
  dep('b', 'shop', SINCE + 30n * HOUR, { changeFailure: true, recoveryTimeSec: 42 * 60, commitLeadTimes: [] }),
  dep('c', 'cart', SINCE + 200n * HOUR, { changeFailure: false, commitLeadTimes: [] }),
  dep('d', 'cart', SINCE + 201n * HOUR, { changeFailure: null }),
];
const FAILURES: Failure[] = [
  { id: 'f', services: ['shop'], env: 'prod', startedAt: SINCE + 2n * HOUR, finishedAt: SINCE + 4n * HOUR },
  { id: 'o', services: ['cart'], env: 'prod', startedAt: SINCE + 3n * HOUR },
];

function report(by?: 'service'): MetricsReport {
  return computeMetrics({
    window: { since: SINCE, until: UNTIL },
    filters: { service: [], env: 'prod' },
    deployments: DEPLOYMENTS,
    failures: FAILURES,
    ...(by ? { by } : {}),
  });
}

describe('terminal', () => {
  it('prints the table, a line for each figure counted apart or unavailable, and the weekly trend', () => {
    const text = renderTerminal(report(), { unicode: true, paint: PLAIN });
    expect(text).toBe(
      [
        'DORA metrics · env prod · 2026-11-02T00:00:00Z to 2026-11-16T00:00:00Z (14 days)',
        '4 deployments and 2 failures read',
        '',
        'METRIC                           VALUE                        N  LEVEL',
        'deployment frequency             2 a week                     4  high',
        'change lead time                 3 h 20 min (p90 3 h 20 min)  1  elite',
        'change failure rate              33.3 %                       3  low',
        'failed deployment recovery time  42 min (p90 42 min)          1  elite',
        'time to restore                  2 h (p90 2 h)                1',
        'rework rate                      -',
        '',
        'rework rate is unavailable: no deployment of the window carries a deployment_type (standard, rollback or rollforward).',
        "change lead time: from Datadog's commit data; 1 deployment without commit data.",
        'change failure rate: 1 deployment not evaluated yet.',
        'time to restore: 1 failure still open.',
        '',
        'Weekly trend, 3 weeks from Monday 2026-11-02 (UTC):',
        '  deployments      ██·  4 in all, at most 2 a week',
        '  change failures  █··  1 in all, at most 1 a week',
        '',
      ].join('\n'),
    );
  });

  it('falls back to plain ASCII when told the terminal cannot show Unicode', () => {
    const text = renderTerminal(report('service'), { unicode: false, paint: PLAIN, by: 'service' });
    expect(text).toMatch(/^DORA metrics - env prod - /);
    expect(text).toContain('  deployments      ##.  4 in all');
    expect([...text].filter((c) => c > '~' || (c < ' ' && c !== '\n'))).toEqual([]);
  });

  it('colours the levels only through the painter it is given, after padding', () => {
    const tag = (name: string) => (s: string) => `<${name}>${s}</${name}>`;
    const text = renderTerminal(report(), {
      unicode: true,
      paint: { green: tag('g'), yellow: tag('y'), red: tag('r'), dim: tag('d') },
    });
    expect(text).toContain('deployment frequency             2 a week                     4  <g>high</g>');
    expect(text).toContain('change failure rate              33.3 %                       3  <r>low</r>');
    expect(text).toContain('<d>change failure rate: 1 deployment not evaluated yet.</d>');
    expect(renderTerminal(report(), { unicode: true, paint: PLAIN })).not.toContain('\u001b');
  });

  it('with --by, adds one row per value and the total', () => {
    const text = renderTerminal(report('service'), { unicode: true, paint: PLAIN, by: 'service' });
    expect(text).toContain(
      [
        'By service:',
        'SERVICE  DEPLOYMENTS  FREQUENCY  LEAD TIME   FAILURE RATE  RECOVERY  RESTORE  REWORK',
        'cart               2  1 a week   -           0 %           -         -        -',
        'shop               2  1 a week   3 h 20 min  50 %          42 min    2 h      -',
        'all                4  2 a week   3 h 20 min  33.3 %        42 min    2 h      -',
      ].join('\n'),
    );
  });

  it('escapes control characters in names that came from Datadog', () => {
    const r = computeMetrics({
      window: { since: SINCE, until: UNTIL },
      filters: { service: ['sh\u001b[31mop'] },
      by: 'service',
      deployments: [dep('x', 'sh\u001b[31mop', SINCE + HOUR)],
      failures: [],
    });
    const text = renderTerminal(r, { unicode: true, paint: PLAIN, by: 'service' });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('sh\\u001b[31mop');
  });
});

describe('markdown', () => {
  it('writes the table, the notes as a list, and the trend in a code block', () => {
    const text = renderMarkdown(report());
    expect(text).toContain(
      [
        '| Metric | Value | n | Level |',
        '| --- | --- | ---: | --- |',
        '| deployment frequency | 2 a week | 4 | high |',
        '| change lead time | 3 h 20 min (p90 3 h 20 min) | 1 | elite |',
        '| change failure rate | 33.3 % | 3 | low |',
        '| failed deployment recovery time | 42 min (p90 42 min) | 1 | elite |',
        '| time to restore | 2 h (p90 2 h) | 1 |  |',
        '| rework rate | unavailable |  |  |',
      ].join('\n'),
    );
    expect(text).toContain('- change failure rate: 1 deployment not evaluated yet.');
    expect(text).toContain('```text\ndeployments      ██·  4 in all, at most 2 a week\n');
  });

  it('keeps a hostile service name literal: no new cell, line, link, mention or HTML', () => {
    const name =
      'evil | x\n# heading <img src=x onerror=alert(1)> [click](https://example.invalid) @org/team `code` $x$';
    const r = computeMetrics({
      window: { since: SINCE, until: UNTIL },
      filters: { service: [name] },
      by: 'service',
      deployments: [dep('x', name, SINCE + HOUR)],
      failures: [],
    });
    const text = renderMarkdown(r, { by: 'service' });
    const row = text.split('\n').find((line) => line.startsWith('| evil'));
    expect(row).toBeDefined();
    // The row has its 9 cell borders and no other unescaped pipe.
    expect(row?.replace(/\\\|/g, '').split('|')).toHaveLength(10);
    for (const raw of ['[click](', '`code`', '$x$', '\n#']) expect(text).not.toContain(raw);
    expect(text).not.toMatch(/(^|[^\\])</m);
    expect(markdownText(name)).toBe(
      'evil \\| x \\# heading \\<img src\\=x onerror\\=alert\\(1\\)\\> \\[click\\]\\(https\\:\\/\\/example\\.invalid\\) \\@org\\/team \\`code\\` \\$x\\$',
    );
  });
});

describe('json', () => {
  it('is one object with exactly the member names of issue 21', () => {
    const parsed = JSON.parse(renderJson(report('service'))) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'ok',
      'window',
      'filters',
      'deployments',
      'failures',
      'metrics',
      'weeks',
      'groups',
    ]);
    const metrics = parsed.metrics as Record<string, Record<string, unknown>>;
    expect(Object.fromEntries(Object.entries(metrics).map(([name, value]) => [name, Object.keys(value)]))).toEqual({
      deployment_frequency: ['count', 'per_day', 'per_week', 'level'],
      change_lead_time: ['median_s', 'p90_s', 'commits', 'source', 'skipped_deployments', 'level'],
      change_failure_rate: ['rate', 'failed', 'evaluated', 'not_evaluated', 'level'],
      failed_deployment_recovery_time: ['median_s', 'p90_s', 'n', 'not_recovered', 'level'],
      time_to_restore: ['median_s', 'p90_s', 'n', 'open'],
      rework_rate: ['unavailable'],
    });
    expect(parsed.filters).toEqual({ service: [], env: 'prod', team: null });
    expect(Object.keys((parsed.groups as object[])[0] as object)).toEqual(['key', 'deployments', 'metrics']);
    expect(Object.keys((parsed.weeks as object[])[0] as object)).toEqual(['start', 'deployments', 'failed']);
    expect(metrics.change_lead_time?.median_s).toBe(3 * 3600 + 20 * 60);
  });
});

describe('figures beside the edges of their levels', () => {
  it('never shows a figure on an edge it is not on: just under a day is not "1 day", 5.03 % is not "5 %"', () => {
    const failed = Array.from({ length: 10 }, (_, i) =>
      dep(`f${i}`, 'shop', SINCE + HOUR, { changeFailure: true, recoveryTimeSec: 86_399.6 }),
    );
    const passed = Array.from({ length: 189 }, (_, i) =>
      dep(`p${i}`, 'shop', SINCE + 2n * HOUR, { changeFailure: false }),
    );
    const report = computeMetrics({
      window: { since: SINCE, until: UNTIL },
      filters: { service: [] },
      deployments: [...failed, ...passed],
      failures: [],
    });
    const rows = metricRows(report.metrics);
    const recovery = rows.find((row) => row.label === LABELS.failed_deployment_recovery_time);
    // 86,399.6 s is under a day: high, and shown under a day.
    expect(recovery).toMatchObject({ short: '23 h 59 min', level: 'high' });
    // 10 of 199 is 5.03 %: over 5 %, so high, and shown over 5 %.
    expect(rows.find((row) => row.label === LABELS.change_failure_rate)).toMatchObject({
      value: '5.1 %',
      level: 'high',
    });
    // Away from the edges, the nearest: 42 min 20 s shows as 42 min.
    expect(formatSeconds(42 * 60 + 20)).toBe('42 min');
  });
});
