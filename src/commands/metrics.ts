/**
 * `dora metrics`: the window and filters → every deployment and failure of the window, page by page through the
 * client → the DORA figures and their levels (src/metrics/) → a table and a weekly trend, Markdown, or the JSON object.
 */
import { Command, Option } from 'commander';
import { pageCall } from '../api/calls.js';
import { toJson } from '../events/json.js';
import { searchQuery } from '../events/records.js';
import { addVerbFlags, collect, single } from '../input/flags.js';
import { type MetricsFlags, metricsInput } from '../input/metrics.js';
import { gitRunner } from '../metrics/git-runner.js';
import { collectMetrics, firstPageRequest, renderMarkdown, renderTerminal } from '../metrics/index.js';
import { colourPainter, PLAIN, wantsColor } from '../output/reporter.js';
import type { Outcome } from '../result.js';
import type { Verb } from './verb.js';

export const metrics: Verb<MetricsFlags> = {
  command() {
    const command = new Command('metrics')
      .description('Compute the DORA metrics of a window from what Datadog recorded, with their levels.')
      .addOption(
        new Option('--service <service>', 'only this service; repeat for several (env: DD_SERVICE)').argParser(collect),
      )
      .addOption(single('--env <env>', 'only this environment (env: DD_ENV)'))
      .addOption(single('--team <team>', 'only this team'))
      .addOption(single('--since <time>', 'from this time, inclusive (every time form; default -30d)'))
      .addOption(single('--until <time>', 'up to this time, inclusive (default now)'))
      .addOption(
        new Option('--by <key>', 'one row per service, env or team, besides the total').choices([
          'service',
          'env',
          'team',
        ]),
      )
      .addOption(new Option('--markdown', 'print Markdown, for a job summary or a chat message'));
    addVerbFlags(command, 'print the first list request of each kind and stop (no key, no network)');
    return command.addHelpText(
      'after',
      `
Reads every deployment and failure of the window (POST /api/v2/dora/deployments and /failures, page by page; needs
DD_API_KEY and DD_APP_KEY with dora_metrics_read) and computes deployment frequency, change lead time, change
failure rate, failed deployment recovery time, time to restore and rework rate, each with its DORA level. Change lead
time comes from Datadog's own commit data, else from this checkout's history. A day is 24 h, a week 7 days.

Examples:
  $ dora metrics --service checkout --env prod
  $ dora metrics --since -90d --by service --markdown >> "$GITHUB_STEP_SUMMARY"
  $ dora metrics --env prod --json | jq .metrics.change_failure_rate`,
    );
  },

  async run({ flags }, world) {
    const input = metricsInput(flags, world.ctx);
    const { ctx, reporter } = world;
    // Once one kind's read fails, the other stops too: its requests and retries would change nothing of the outcome.
    const stop = new AbortController();
    const client = world.client(input.delivery, {
      dryRun: input.dryRun,
      keepAlive: true,
      signal: AbortSignal.any([ctx.signal, stop.signal]),
    });
    const query = searchQuery(input.filters);
    if (input.dryRun) {
      const requests = (['deployment', 'failure'] as const).map((kind) =>
        client.shown(pageCall(firstPageRequest(kind, input.window, query))),
      );
      for (const request of requests) {
        reporter.info(`Dry run: nothing read. A real run would first POST ${request.url} (its body below).`);
      }
      return {
        result: { ok: true, exit_code: 0, dry_run: true, requests },
        // On stdout, as every dry run prints what it would send: one body a line.
        text: requests.map((request) => toJson(request.body ?? null)).join('\n'),
      };
    }
    const report = await collectMetrics({
      window: input.window,
      filters: input.filters,
      by: input.by,
      fetchPage: async (page) => (await client.call(pageCall(page))).json,
      // The checkout's history serves when Datadog's answers carry no commit data.
      git: ctx.cwd === '' ? undefined : gitRunner({ cwd: ctx.cwd, env: ctx.env, signal: ctx.signal }),
      onPage: (kind, kept, pages) => reporter.detail(`Read page ${pages} of ${kind}s: ${kept} so far.`),
    }).catch((error: unknown) => {
      stop.abort(new Error('the other read failed'));
      throw error;
    });
    const outcome: Outcome = { result: { ...report, exit_code: 0 } };
    if (input.format === 'markdown') return { ...outcome, text: renderMarkdown(report, { by: input.by }).trimEnd() };
    if (input.format === 'json') return outcome;
    const colour = wantsColor(ctx.stdout, ctx.config);
    const unicode = !ctx.config.dumbTerminal && utf8Locale(ctx.env, ctx.platform);
    const text = renderTerminal(report, { unicode, paint: colour ? colourPainter() : PLAIN, by: input.by });
    return { ...outcome, text: text.trimEnd(), styled: colour };
  },
};

/**
 * Whether the locale shows Unicode: the first of LC_ALL, LC_CTYPE and LANG that is set names UTF-8. Windows terminals
 * do; a Unix process with no locale at all runs in C, which does not.
 */
function utf8Locale(env: Readonly<Record<string, string | undefined>>, platform: string): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  if (locale === undefined || locale === '') return /\bwin32\b/.test(platform);
  return /utf-?8/i.test(locale);
}
