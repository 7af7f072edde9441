/**
 * Recording events (the POSTs of `dora deployment` and `dora incident`): the dry run, delivery of one event or
 * several (one per service), and the report: a line per event on stderr, and with --json one result object on
 * stdout. Both commands go through here, so retries, exit codes and output stay identical between them.
 */

import type { Answer } from '../api/request.js';
import type { ApiTarget } from '../api/site.js';
import type { Context } from '../context.js';
import { DoraError, InterruptedError, OutputError, ReportedFailure } from '../errors.js';
import { type JsonValue, toJson } from '../events/json.js';
import type { DeliveryInput } from '../input/delivery.js';
import type { Reporter } from '../output/reporter.js';
import { type Keys, type PlannedCall, perform, prepareCalls, urlOf } from './call.js';

export interface PreparedEvent {
  /** "deployment" or "incident", for messages and --json. */
  kind: string;
  path: string;
  id: string;
  payload: JsonValue;
  /** Human description for messages: "deployment of checkout to prod". */
  title: string;
  /** Extra members of the --json result (nanosecond times as strings: jq rounds 19-digit numbers). */
  summary: { [key: string]: JsonValue | undefined };
  /** Printed on stderr after success (e.g. how to resolve an incident just opened). */
  afterSuccess?: string[];
}

export interface OutputOptions {
  dryRun?: boolean;
  json?: boolean;
  /** A failure to record is a warning and exit 0: for deploys that must never fail because of reporting. */
  softFail?: boolean;
}

/** What the caller adds to the report: members of the --json result, and a sentence for a failure. */
export interface ReportExtras {
  json?: { [key: string]: JsonValue | undefined };
  /** Said with a failure to record, e.g. that the wrapped deploy itself succeeded. */
  onFailure?: string;
  /**
   * Work that follows once every event is recorded (marking the deployment a rollback remediates). It reports on
   * stderr itself; what it returns joins the --json result, and its exit code (non-zero: it failed) is the run's.
   */
  afterRecorded?: () => Promise<{ json: { [key: string]: JsonValue | undefined }; exitCode: number }>;
}

/** Warnings about the target itself, shown in a dry run too. */
export function warnAboutTarget(target: ApiTarget, dryRun: boolean, reporter: Reporter): void {
  if (target.unknownSite) {
    reporter.warn(
      `${target.unknownSite} is not a Datadog site dora knows; ${dryRun ? 'a real run would send' : 'sending'} to ${target.baseUrl} anyway.`,
    );
  }
  if (target.noDora) {
    reporter.warn(
      `DORA Metrics is not available on ${target.site} (US1-FED): Datadog accepts no DORA events there, so none will show up.`,
    );
  }
}

export function eventCall(event: PreparedEvent): PlannedCall {
  return {
    method: 'POST',
    path: event.path,
    body: toJson(event.payload),
    action: 'record',
    noun: event.kind,
    title: event.title,
  };
}

/** The dry run: each body on stdout (with --json, one result object per event), and where it would go. */
export function showDryRun(
  events: PreparedEvent[],
  delivery: DeliveryInput,
  options: OutputOptions,
  reporter: Reporter,
): void {
  warnAboutTarget(delivery.target, true, reporter);
  const results = events.map((event) => ({
    ok: true,
    dry_run: true,
    kind: event.kind,
    id: event.id,
    request: { method: 'POST', url: urlOf(eventCall(event), delivery), body: event.payload },
  }));
  if (options.json) {
    reporter.result(
      toJson(results.length === 1 ? (results[0] as JsonValue) : { ok: true, dry_run: true, events: results }),
    );
  } else {
    for (const event of events) reporter.result(toJson(event.payload));
  }
  for (const event of events) {
    reporter.info(
      `Dry run: nothing sent. A real run would POST this ${event.kind} (id ${event.id}) to ${urlOf(eventCall(event), delivery)}.`,
    );
  }
}

/** Dry run, or keys and delivery: the whole path for events that need nothing else before they are sent. */
export async function sendEvents(
  events: PreparedEvent[],
  delivery: DeliveryInput,
  options: OutputOptions,
  ctx: Context,
  reporter: Reporter,
): Promise<void> {
  if (options.dryRun) {
    showDryRun(events, delivery, options, reporter);
    return;
  }
  const keys = prepareCalls(events.map(eventCall), delivery, ctx, reporter);
  await recordEvents(events, keys, delivery, options, ctx, reporter);
}

/**
 * Records each event in turn, going on after a failure so that one refused service does not leave the others
 * unrecorded, then reports. Throws ReportedFailure with the worst failure's exit code once all is said.
 */
export async function recordEvents(
  events: PreparedEvent[],
  keys: Keys,
  delivery: DeliveryInput,
  options: OutputOptions,
  ctx: Context,
  reporter: Reporter,
  extras: ReportExtras = {},
): Promise<void> {
  warnAboutTarget(delivery.target, false, reporter);
  /** Each event with what became of it, in order: the --json result and the closing lines are built from these. */
  const outcomes: Array<
    | { event: PreparedEvent; answer: Answer; error?: undefined }
    | { event: PreparedEvent; answer?: undefined; error: DoraError }
  > = [];
  const named = (list: typeof outcomes) => list.map(({ event }) => `${event.title} (id ${event.id})`).join(', ');
  const say = (line: string) => (options.softFail ? reporter.warn(line) : reporter.error(line));
  for (const event of events) {
    let answer: Answer;
    try {
      answer = await perform(eventCall(event), keys, delivery, ctx, reporter);
    } catch (error) {
      if (!(error instanceof DoraError) || error instanceof InterruptedError) {
        if (outcomes.some((outcome) => !outcome.error))
          reporter.info(`Recorded before this: ${named(outcomes.filter((outcome) => !outcome.error))}.`);
        throw error;
      }
      outcomes.push({ event, error });
      if (events.length > 1) say(`${event.title} (id ${event.id}) not recorded: ${error.message}`);
      continue;
    }
    outcomes.push({ event, answer });
    const attempts = answer.attempts === 1 ? '' : `, after ${answer.attempts} attempts`;
    try {
      reporter.success(`Recorded ${event.title} (id ${event.id}, HTTP ${answer.status}${attempts}).`);
      for (const line of event.afterSuccess ?? []) reporter.info(line);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      // stderr is gone: stdout and the exit code are left to tell
    }
  }

  const failures = outcomes.filter(
    (outcome): outcome is Extract<(typeof outcomes)[number], { error: DoraError }> => outcome.error !== undefined,
  );
  const recorded = outcomes.filter((outcome) => !outcome.error);
  const worst = failures.reduce((code, { error }) => Math.max(code, error.exitCode), 0);
  const followUp = failures.length === 0 && extras.afterRecorded ? await extras.afterRecorded() : undefined;
  if (failures.length > 0) {
    if (events.length === 1) say((failures[0] as { error: DoraError }).error.message);
    else {
      say(
        `${failures.length} of ${events.length} events not recorded: ${named(failures)}. ` +
          `${recorded.length > 0 ? `Recorded: ${named(recorded)}. ` : ''}Send the missing ones again with their ids.`,
      );
    }
    if (extras.onFailure) say(extras.onFailure);
    if (options.softFail) reporter.warn('--soft-fail: exiting 0 although not every event was recorded.');
  }
  if (options.json) {
    const results = outcomes.map(({ event, answer, error }) => ({
      ok: error === undefined,
      kind: event.kind,
      id: event.id,
      ...(error
        ? { exit_code: error.exitCode, error: error.message }
        : { status: answer?.status, attempts: answer?.attempts }),
      ...event.summary,
    }));
    const more = { ...extras.json, ...followUp?.json };
    const body =
      results.length === 1 ? { ...results[0], ...more } : { ok: failures.length === 0, events: results, ...more };
    try {
      reporter.result(toJson(body));
    } catch (error) {
      // An event is recorded: failing the run now would invite a retry that records it again under a new id.
      if (!(error instanceof OutputError) || recorded.length === 0) throw error;
      try {
        reporter.warn(
          `The ${events[0]?.kind ?? 'event'} was recorded (id ${recorded.map(({ event }) => event.id).join(', ')}), but its result could not be shown: ${error.message}.`,
        );
      } catch {
        // stderr is gone too: the exit code is all that is left to tell
      }
    }
  }
  if (failures.length > 0 && !options.softFail) throw new ReportedFailure(worst);
  if (followUp && followUp.exitCode !== 0) throw new ReportedFailure(followUp.exitCode);
}
