/**
 * The one API client, opened once per run from the delivery input: the only place a request is made, retried (by the
 * request engine), described and reported. It offers three operations:
 * - `shown`: what a call would be (method, whole URL, body), for dry runs;
 * - `call`: make one call; a failure is thrown as the DoraError users read (src/api/messages.ts);
 * - `record`: send events one after another, going on after a failure, and say what became of each.
 * Commands say what to call and what to do with the answer; how it travels is this file's business.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../context.js';
import { DeliveryError, type DoraError, InterruptedError, isDoraError, UsageError } from '../errors.js';
import { type JsonValue, toJson } from '../events/json.js';
import type { DeliveryInput } from '../input/delivery.js';
import type { Reporter } from '../output/reporter.js';
import type { RequestShown } from '../result.js';
import { type Action, failureError } from './messages.js';
import { type Answer, MIN_ATTEMPT_MS, RequestFailure, request } from './request.js';
import type { ClosableTransport, HttpMethod, ProxySettings, TransportOptions } from './transports/types.js';

export interface PlannedCall {
  method: HttpMethod;
  path: string;
  /** The JSON body, written exactly (bigint nanoseconds as integers) when sent or shown. */
  body?: JsonValue | undefined;
  action: Action;
  /** "deployment", "incident", "event": for messages. */
  noun: string;
  /** For progress: "deployment of checkout to prod". */
  title: string;
  /** Sends the application key too (reading and updating events). */
  appKey?: boolean | undefined;
  /** The 2xx body is the result, to be read whole (reads; the engine assumes it for GET). */
  needsJson?: boolean | undefined;
  /** How much of that body may be read (a page of a list is larger than the default). */
  maxBodyBytes?: number | undefined;
  /** A 429 is returned as the answer instead of retried: the caller paces itself (see ApiCall). */
  answerRateLimits?: boolean | undefined;
  /** It reads many events (a list), not one by its id: for messages. */
  many?: boolean | undefined;
}

/** An event to record: the call that sends it, and its id for messages. */
export interface PreparedEvent {
  kind: 'deployment' | 'incident';
  id: string;
  path: string;
  payload: JsonValue;
  /** For messages: "deployment of checkout to prod". */
  title: string;
}

export type RecordOutcome = { event: PreparedEvent } & ({ answer: Answer } | { error: DoraError });

/** What the client needs from the outside world. */
export interface ClientWorld {
  createTransport(proxy: ProxySettings, options?: TransportOptions): Promise<ClosableTransport>;
  clock: Clock;
  random(): number;
  /** Aborted on SIGINT/SIGTERM/SIGHUP, with an InterruptedError as reason. */
  signal: AbortSignal;
  cliVersion: string;
  platform: string;
  enableFips(): void;
}

/** What each answer carried, refusals included, as `dora doctor` observes it. */
export interface AnswerSeen {
  status: number;
  /** Round trip of the attempt to its status line, from the injected clock. */
  rttMs: number;
  /** The server's Date header, and the local wall clock when the answer arrived. */
  date: string | null;
  localMs: number;
}

export interface ApiClient {
  readonly delivery: DeliveryInput;
  shown(call: PlannedCall): RequestShown;
  call(call: PlannedCall): Promise<Answer>;
  record(events: readonly PreparedEvent[]): Promise<RecordOutcome[]>;
  /** Ends the connections: called once the run is over, answered or not. */
  close(): Promise<void>;
}

export interface ClientOptions {
  /** A dry run: nothing is prepared (no FIPS, no transport), and `call` is a bug. */
  dryRun: boolean;
  /** Many requests to come (pages, an import): connections are kept open between them. */
  keepAlive?: boolean | undefined;
  onAnswer?: ((seen: AnswerSeen) => void) | undefined;
  /**
   * The caller shows its own progress (an import's bar, many requests at once): no spinner per call, and retries are
   * said only with --verbose.
   */
  quiet?: boolean | undefined;
  /** What stops the requests, instead of the run's interruption (an import lets the requests out finish). */
  signal?: AbortSignal | undefined;
  /** What stops retries and the waits for them, while the attempts out finish (see RequestDeps.retrySignal). */
  retrySignal?: AbortSignal | undefined;
  /**
   * `run` (the default): --deadline is the whole run's, shared by every call (several sends, a lookup and a mark, the
   * pages of a read); `call`: each call has its own (an import, where every record gets the usual deadline).
   */
  deadline?: 'run' | 'call' | undefined;
}

/** Opens the client. Outside a dry run, FIPS is turned on here, so a run that cannot have it exits 2 before any work. */
export function openClient(
  delivery: DeliveryInput,
  world: ClientWorld,
  reporter: Reporter,
  options: ClientOptions,
): ApiClient {
  if (!options.dryRun) enableFipsIfAsked(delivery, world, reporter);
  // Every request out listens to this signal, and an import or a paged read has dozens out at once: that is no leak,
  // so Node must not warn about it on stderr.
  setMaxListeners(0, options.signal ?? world.signal);
  const { target, policy, proxy } = delivery;
  const host = new URL(target.baseUrl).host;
  let transport: Promise<ClosableTransport> | undefined;
  const transportOf = () => {
    transport ??= world
      .createTransport(delivery.proxies, { keepAlive: options.keepAlive === true })
      .then((made) => observed(made, world, options.onAnswer));
    return transport;
  };

  /** The proxy is named once a run, not once a request. */
  let proxyTold = false;
  const runEndsAt = options.deadline === 'call' ? undefined : world.clock.monotonicMs() + policy.deadlineMs;
  const call = async (planned: PlannedCall): Promise<Answer> => {
    if (options.dryRun) throw new Error(`a dry run made a ${planned.method} request`);
    if (proxy && !proxyTold) {
      proxyTold = true;
      const unless = delivery.proxies.noProxy ? ` (unless NO_PROXY=${delivery.proxies.noProxy} matches)` : '';
      reporter.detail(`Through the proxy ${proxy.display}${unless}.`);
    }
    const doing = `${VERB[planned.action]} ${planned.title}`;
    const where = planned.action === 'record' ? 'to' : 'at';
    const { keys } = delivery;
    if (runEndsAt !== undefined && runEndsAt - world.clock.monotonicMs() < MIN_ATTEMPT_MS) {
      throw new DeliveryError(
        `The run's ${policy.deadlineMs / 1000} s deadline (--deadline, DORA_DEADLINE) was spent before ` +
          `${doing.charAt(0).toLowerCase()}${doing.slice(1)}: nothing more was sent.`,
      );
    }
    try {
      const closable = await transportOf();
      const send = (update: (text: string) => void) =>
        request(
          {
            method: planned.method,
            path: planned.path,
            ...(planned.body !== undefined ? { body: toJson(planned.body) } : {}),
            ...(keys.apiKey !== undefined ? { apiKey: keys.apiKey } : {}),
            ...(planned.appKey && keys.appKey !== undefined ? { appKey: keys.appKey } : {}),
            ...(planned.needsJson !== undefined ? { needsJson: planned.needsJson } : {}),
            ...(planned.maxBodyBytes !== undefined ? { maxBodyBytes: planned.maxBodyBytes } : {}),
            ...(planned.answerRateLimits !== undefined ? { answerRateLimits: planned.answerRateLimits } : {}),
          },
          { ...policy, runEndsAt },
          {
            baseUrl: target.baseUrl,
            userAgent: `dora-cli/${world.cliVersion} (${world.platform})`,
            transport: closable.transport,
            clock: world.clock,
            random: world.random,
            signal: options.signal ?? world.signal,
            ...(options.retrySignal ? { retrySignal: options.retrySignal } : {}),
            onAttempt: (attempt) => {
              if (attempt > 1)
                update(`${doing} ${where} ${target.baseUrl} (attempt ${attempt} of ${policy.maxAttempts})…`);
            },
            onRetry: ({ attempt, delayMs, reason }) => {
              const next = `Attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s…`;
              if (options.quiet) reporter.detail(`${planned.title}: ${next}`);
              else reporter.warn(next);
              update(next);
            },
          },
        );
      return await (options.quiet
        ? send(() => undefined)
        : reporter.progress(`${doing} ${where} ${target.baseUrl}…`, send));
    } catch (error) {
      if (error instanceof RequestFailure) {
        const worded = failureError(error, {
          action: planned.action,
          noun: planned.noun,
          host,
          proxy,
          many: planned.many,
        });
        // The proxy's answers are not the API's: only a status Datadog (or the server at the base URL) gave is kept.
        if (!error.details.atProxy) worded.status = error.details.status;
        throw worded;
      }
      throw error;
    }
  };

  return {
    delivery,
    shown: (planned) => ({
      method: planned.method,
      url: `${target.baseUrl}${planned.path}`,
      ...(planned.body !== undefined ? { body: planned.body } : {}),
    }),
    call,
    async record(events) {
      const outcomes: RecordOutcome[] = [];
      for (const event of events) {
        try {
          const answer = await call(recordCall(event));
          outcomes.push({ event, answer });
        } catch (error) {
          if (!isDoraError(error)) throw error;
          outcomes.push({ event, error });
          // Stopped by the user: the events not tried yet are not tried.
          if (error instanceof InterruptedError) break;
        }
      }
      return outcomes;
    },
    async close() {
      if (transport) await (await transport.catch(() => undefined))?.close();
    },
  };
}

/** The POST that records an event. */
export function recordCall(event: PreparedEvent): PlannedCall {
  return {
    method: 'POST',
    path: event.path,
    body: event.payload,
    action: 'record',
    noun: event.kind,
    title: event.title,
  };
}

const VERB: Record<Action, string> = { record: 'Sending', read: 'Reading', update: 'Updating', delete: 'Deleting' };

/** The transport, with each answer reported to `onAnswer` as it arrives. */
function observed(
  closable: ClosableTransport,
  world: ClientWorld,
  onAnswer: ((seen: AnswerSeen) => void) | undefined,
): ClosableTransport {
  if (!onAnswer) return closable;
  return {
    close: () => closable.close(),
    transport: async (url, init) => {
      const sent = world.clock.monotonicMs();
      const response = await closable.transport(url, init);
      onAnswer({
        status: response.status,
        rttMs: world.clock.monotonicMs() - sent,
        date: response.headers.get('date'),
        localMs: world.clock.wallMs(),
      });
      return response;
    },
  };
}

function enableFipsIfAsked(delivery: DeliveryInput, world: ClientWorld, reporter: Reporter): void {
  if (!delivery.fips) return;
  try {
    world.enableFips();
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
