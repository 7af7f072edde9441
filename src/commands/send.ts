/**
 * The path every event takes once it is built: dry run, or key check, delivery and the final report.
 * Both commands go through here, so retries, exit codes and output stay identical between them.
 */
import { deliver } from '../api/client.js';
import { resolveApiTarget } from '../api/site.js';
import { OutputError, UsageError } from '../errors.js';
import { toJson, type JsonValue } from '../events/json.js';
import type { Context } from '../context.js';
import type { Reporter } from '../output.js';
import { hasUserInfo, redactUrlsInText } from '../git/url.js';
import { deliveryPolicy, type CommonOptions } from './options.js';

export interface PreparedEvent {
  /** "deployment" or "incident", for messages and --json. */
  kind: string;
  path: string;
  id: string;
  payload: JsonValue;
  /** Human description for messages: "deployment of checkout to prod". */
  title: string;
  /** Extra members of the --json result. */
  summary: { [key: string]: JsonValue | undefined };
  /** Printed on stderr after success (e.g. how to resolve an incident just opened). */
  afterSuccess?: string[];
}

/** Checks the delivery settings up front, so bad input exits 2 even in a dry run and before any git work. */
export function checkDeliverySettings(options: CommonOptions, ctx: Context) {
  const target = resolveApiTarget(options.site ?? ctx.config.site, options.apiUrl ?? ctx.config.apiUrl);
  const policy = deliveryPolicy(options, ctx.config);
  return { target, policy };
}

export async function sendEvent(
  event: PreparedEvent,
  options: CommonOptions,
  ctx: Context,
  reporter: Reporter,
): Promise<void> {
  const { target, policy } = checkDeliverySettings(options, ctx);
  const url = `${target.baseUrl}${event.path}`;
  const body = toJson(event.payload);

  if (target.unknownSite) {
    reporter.warn(`${target.unknownSite} is not a Datadog site dora knows; ${options.dryRun ? 'a real run would send' : 'sending'} to ${target.baseUrl} anyway.`);
  }
  if (options.dryRun) {
    reporter.result(body);
    reporter.info(`Dry run: nothing sent. A real run would POST this ${event.kind} (id ${event.id}) to ${url}.`);
    return;
  }

  const apiKey = ctx.config.apiKey;
  if (!apiKey) {
    throw new UsageError(
      'No API key: set DD_API_KEY (or DATADOG_API_KEY) to a Datadog API key. Use --dry-run to see the event without one.',
    );
  }
  enableFipsIfAsked(options, ctx, reporter);

  const proxy = target.baseUrl.startsWith('https:') ? (ctx.config.proxy.httpsProxy ?? ctx.config.proxy.httpProxy) : ctx.config.proxy.httpProxy;
  if (proxy) reporter.detail(`Through the proxy ${proxy}${ctx.config.proxy.noProxy ? ` (unless NO_PROXY=${ctx.config.proxy.noProxy} matches)` : ''}.`);
  const closable = await ctx.createTransport(ctx.config.proxy);
  try {
    const delivered = await reporter.progress(`Sending ${event.title} to ${target.baseUrl}…`, (update) =>
      deliver(
        {
          url,
          apiKey,
          body,
          userAgent: `dora-cli/${ctx.cliVersion} (${ctx.platform})`,
          siteHint: new URL(target.baseUrl).host,
          ...(proxy ? { proxy: { url: redactUrlsInText(proxy), hasCredentials: hasUserInfo(proxy) } } : {}),
        },
        policy,
        {
          transport: closable.transport,
          clock: ctx.clock,
          random: ctx.random,
          signal: ctx.signal,
          onAttempt: (attempt) => {
            if (attempt > 1) update(`Sending ${event.title} to ${target.baseUrl} (attempt ${attempt} of ${policy.maxAttempts})…`);
          },
          onRetry: ({ attempt, delayMs, reason }) => {
            const next = `Attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s…`;
            reporter.warn(next);
            update(next);
          },
        },
      ),
    );
    const attempts = delivered.attempts === 1 ? '' : `, after ${delivered.attempts} attempts`;
    try {
      reporter.success(`Recorded ${event.title} (id ${event.id}, HTTP ${delivered.status}${attempts}).`);
      for (const line of event.afterSuccess ?? []) reporter.info(line);
      if (options.json) {
        reporter.result(
          toJson({
            ok: true,
            kind: event.kind,
            id: event.id,
            status: delivered.status,
            attempts: delivered.attempts,
            ...event.summary,
          }),
        );
      }
    } catch (error) {
      // The event is recorded: failing the run now would invite a retry that records it again under a new id.
      if (!(error instanceof OutputError)) throw error;
      try {
        reporter.warn(`The ${event.kind} was recorded (id ${event.id}), but its result could not be shown: ${error.message}.`);
      } catch {
        // stderr is gone too: the exit code is all that is left to tell
      }
    }
  } finally {
    await closable.close();
  }
}

function enableFipsIfAsked(options: CommonOptions, ctx: Context, reporter: Reporter): void {
  const wanted = options.fips ?? ctx.config.fips;
  if (!wanted) return;
  try {
    ctx.enableFips();
  } catch (error) {
    // OpenSSL's "error:0A0000A1:SSL routines::" prefix says nothing to a user.
    const why = (error instanceof Error ? error.message : String(error)).replace(/^error:[0-9A-Fa-f]+:[^:]*::?/, '');
    if (options.fipsIgnoreError ?? ctx.config.fipsIgnoreError) {
      reporter.warn(`FIPS mode could not be enabled (${why}); continuing without it.`);
      return;
    }
    throw new UsageError(
      `FIPS mode could not be enabled (${why}): this Node.js has no FIPS provider. Nothing was sent; pass ` +
        '--fips-ignore-error to send without FIPS.',
    );
  }
}
