/**
 * Recording events (the POSTs of `dora deployment` and `dora incident`): dry run, delivery through src/commands/call.ts,
 * and the report. Both commands go through here, so retries, exit codes and output stay identical between them.
 */
import type { ApiTarget } from '../api/site.js';
import type { Context } from '../context.js';
import { OutputError } from '../errors.js';
import { toJson, type JsonValue } from '../events/json.js';
import type { DeliveryInput } from '../input/delivery.js';
import type { Reporter } from '../output/reporter.js';
import { perform, prepareCalls, urlOf, type PlannedCall } from './call.js';

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
}

/** Warnings about the target itself, shown in a dry run too. */
export function warnAboutTarget(target: ApiTarget, dryRun: boolean, reporter: Reporter): void {
  if (target.unknownSite) {
    reporter.warn(`${target.unknownSite} is not a Datadog site dora knows; ${dryRun ? 'a real run would send' : 'sending'} to ${target.baseUrl} anyway.`);
  }
}

function plannedCall(event: PreparedEvent): PlannedCall {
  return { method: 'POST', path: event.path, body: toJson(event.payload), action: 'record', noun: event.kind, title: event.title };
}

export async function sendEvent(event: PreparedEvent, delivery: DeliveryInput, options: OutputOptions, ctx: Context, reporter: Reporter): Promise<void> {
  const call = plannedCall(event);
  warnAboutTarget(delivery.target, options.dryRun === true, reporter);
  if (options.dryRun) {
    reporter.result(
      options.json
        ? toJson({ ok: true, dry_run: true, kind: event.kind, id: event.id, request: { method: call.method, url: urlOf(call, delivery), body: event.payload } })
        : (call.body as string),
    );
    reporter.info(`Dry run: nothing sent. A real run would POST this ${event.kind} (id ${event.id}) to ${urlOf(call, delivery)}.`);
    return;
  }
  const keys = prepareCalls([call], delivery, ctx, reporter);
  const answer = await perform(call, keys, delivery, ctx, reporter);
  const attempts = answer.attempts === 1 ? '' : `, after ${answer.attempts} attempts`;
  try {
    reporter.success(`Recorded ${event.title} (id ${event.id}, HTTP ${answer.status}${attempts}).`);
    for (const line of event.afterSuccess ?? []) reporter.info(line);
    if (options.json) {
      reporter.result(toJson({ ok: true, kind: event.kind, id: event.id, status: answer.status, attempts: answer.attempts, ...event.summary }));
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
}
