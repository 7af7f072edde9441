/**
 * The path every API call takes from a command, whatever the verb: the dry run (method, URL and body, no key, no
 * network), the keys, FIPS, the transport, progress on stderr, the request engine, and a failure turned into the
 * message users read. Commands only say what to call and what to do with the answer.
 */
import { type Action, failureError } from '../api/messages.js';
import { type Answer, RequestFailure, request } from '../api/request.js';
import type { HttpMethod } from '../api/transports/types.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { DeliveryInput } from '../input/delivery.js';
import { requireApiKey, requireAppKey } from '../input/delivery.js';
import type { Reporter } from '../output/reporter.js';

export interface PlannedCall {
  method: HttpMethod;
  path: string;
  /** JSON text. */
  body?: string;
  action: Action;
  /** "deployment", "incident", "event": for messages. */
  noun: string;
  /** The permission the application key needs, when the call needs one. */
  appKeyPermission?: string;
  /** Human description for progress: "deployment of checkout to prod". */
  title: string;
}

export function urlOf(call: PlannedCall, delivery: DeliveryInput): string {
  return `${delivery.target.baseUrl}${call.path}`;
}

/** Says what the calls would be, on stdout (bodies, or one JSON object each with --json), and stops. */
export function describeDryRun(calls: PlannedCall[], delivery: DeliveryInput, reporter: Reporter): void {
  for (const call of calls) {
    reporter.info(
      `Dry run: nothing sent. A real run would ${call.method} ${urlOf(call, delivery)}${call.body ? ' with this body' : ''}.`,
    );
  }
}

/** Checks keys and FIPS before any request: exit 2 with nothing sent when they are missing or unusable. */
/** The keys a run's calls carry. */
export interface Keys {
  apiKey?: string;
  appKey?: string;
}

export function prepareCalls(calls: PlannedCall[], delivery: DeliveryInput, ctx: Context, reporter: Reporter): Keys {
  const apiKey = requireApiKey(ctx.config);
  const permission = calls.find((call) => call.appKeyPermission)?.appKeyPermission;
  const appKey = permission ? requireAppKey(ctx.config, permission) : undefined;
  enableFipsIfAsked(delivery, ctx, reporter);
  return { apiKey, ...(appKey ? { appKey } : {}) };
}

/**
 * Makes one call. `keys` come from prepareCalls. Progress shows on stderr (a spinner at a terminal); retries are
 * announced. Failures are thrown as the DoraError the user reads.
 */
export async function perform(
  call: PlannedCall,
  keys: Keys,
  delivery: DeliveryInput,
  ctx: Context,
  reporter: Reporter,
): Promise<Answer> {
  const { target, policy, proxy } = delivery;
  if (proxy)
    reporter.detail(
      `Through the proxy ${proxy.display}${ctx.config.proxy.noProxy ? ` (unless NO_PROXY=${ctx.config.proxy.noProxy} matches)` : ''}.`,
    );
  const closable = await ctx.createTransport(ctx.config.proxy);
  const doing = `${verb(call.action)} ${call.title}`;
  try {
    const where = call.action === 'record' ? 'to' : 'at';
    return await reporter.progress(`${doing} ${where} ${target.baseUrl}…`, (update) =>
      request(
        { method: call.method, path: call.path, ...(call.body !== undefined ? { body: call.body } : {}), ...keys },
        policy,
        {
          baseUrl: target.baseUrl,
          userAgent: `dora-cli/${ctx.cliVersion} (${ctx.platform})`,
          transport: closable.transport,
          clock: ctx.clock,
          random: ctx.random,
          signal: ctx.signal,
          onAttempt: (attempt) => {
            if (attempt > 1)
              update(`${doing} ${where} ${target.baseUrl} (attempt ${attempt} of ${policy.maxAttempts})…`);
          },
          onRetry: ({ attempt, delayMs, reason }) => {
            const next = `Attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s…`;
            reporter.warn(next);
            update(next);
          },
        },
      ),
    );
  } catch (error) {
    if (error instanceof RequestFailure) {
      throw failureError(error, {
        action: call.action,
        noun: call.noun,
        host: new URL(target.baseUrl).host,
        ...(proxy ? { proxy } : {}),
      });
    }
    throw error;
  } finally {
    await closable.close();
  }
}

function verb(action: Action): string {
  return { record: 'Sending', read: 'Reading', update: 'Updating', delete: 'Deleting' }[action];
}

function enableFipsIfAsked(delivery: DeliveryInput, ctx: Context, reporter: Reporter): void {
  if (!delivery.fips) return;
  try {
    ctx.enableFips();
  } catch (error) {
    // OpenSSL's "error:0A0000A1:SSL routines::" prefix says nothing to a user.
    const why = (error instanceof Error ? error.message : String(error)).replace(/^error:[0-9A-Fa-f]+:[^:]*::?/, '');
    if (delivery.fipsIgnoreError) {
      reporter.warn(`FIPS mode could not be enabled (${why}); continuing without it.`);
      return;
    }
    throw new UsageError(
      `FIPS mode could not be enabled (${why}): this Node.js has no FIPS provider. Nothing was sent; pass ` +
        '--fips-ignore-error to send without FIPS.',
    );
  }
}
