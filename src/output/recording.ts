/**
 * What recording events came to, said once for every command that records (deployment, incident, incident resolve):
 * a line per event on stderr, the result's event entries, and for every event that was built but not recorded its
 * id, its times and the exact command that sends it again.
 */
import type { PreparedEvent, RecordOutcome } from '../api/client.js';
import { InterruptedError } from '../errors.js';
import type { JsonValue } from '../events/json.js';
import type { GitFacts } from '../git/resolve.js';
import type { EventEntry, EventsResult, Outcome, RequestShown } from '../result.js';
import { formatInstant } from '../time.js';
import type { Reporter } from './reporter.js';
import { resendCommand } from './resend.js';

/** An event's members in a result, from the body it is sent with (times as nanosecond strings). */
export function entryOf(event: PreparedEvent): EventEntry {
  const a = (event.payload as { data: { attributes: { [key: string]: JsonValue | undefined } } }).data.attributes;
  const str = (value: JsonValue | undefined) => (typeof value === 'string' ? value : undefined);
  const ns = (value: JsonValue | undefined) => (typeof value === 'bigint' ? String(value) : undefined);
  const finished = ns(a.finished_at);
  return {
    ok: false,
    kind: event.kind,
    id: event.id,
    service: str(a.service),
    services: Array.isArray(a.services) ? (a.services as string[]) : undefined,
    team: str(a.team),
    env: str(a.env),
    version: str(a.version),
    state: event.kind === 'incident' ? (finished === undefined ? 'open' : 'resolved') : undefined,
    started_at: ns(a.started_at) as string,
    finished_at: finished,
    git: a.git as GitFacts | undefined,
  };
}

export interface Recording {
  entries: EventEntry[];
  /** Every event recorded. */
  recorded: boolean;
  /** The worst failure's exit code (0 when all were recorded); an interruption's code wins. */
  exitCode: number;
  /** The failure, said once for the result's `error`. */
  error?: string | undefined;
}

/**
 * Says on stderr what became of each event and returns the result's entries. `softFail`: failures are warnings.
 * `onFailure`: one more sentence for a failure (that the wrapped deploy itself succeeded).
 */
export function reportRecording(
  events: readonly PreparedEvent[],
  outcomes: readonly RecordOutcome[],
  reporter: Reporter,
  options: {
    softFail: boolean;
    onFailure?: string | undefined;
    /** Flags the resend command carries besides the event's attributes (`--rollback-of 1.4.2`), as flag, value. */
    resendWith?: readonly string[] | undefined;
  },
): Recording {
  const say = (line: string) => (options.softFail ? reporter.warn(line) : reporter.error(line));
  const entries: EventEntry[] = [];
  const failed: string[] = [];
  let exitCode = 0;
  let interrupted: InterruptedError | undefined;
  for (const event of events) {
    const entry = entryOf(event);
    const outcome = outcomes.find((one) => one.event === event);
    if (outcome && 'answer' in outcome) {
      const { status, attempts } = outcome.answer;
      const after = attempts === 1 ? '' : `, after ${attempts} attempts`;
      reporter.success(`Recorded ${event.title} (id ${event.id}, HTTP ${status}${after}).`);
      entries.push({ ...entry, ok: true, status, attempts });
      continue;
    }
    const error = outcome && 'error' in outcome ? outcome.error : (interrupted ?? undefined);
    const message = error?.message ?? 'not sent: the run stopped before it';
    if (error instanceof InterruptedError) interrupted = error;
    const code = error?.exitCode ?? interrupted?.exitCode ?? 5;
    exitCode = interrupted ? interrupted.exitCode : Math.max(exitCode, code);
    const resend = resendCommand(event.kind, event.payload, undefined, options.resendWith);
    say(events.length === 1 ? message : `${event.title} (id ${event.id}) not confirmed as recorded: ${message}`);
    reporter.info(`  Its window: ${windowOf(entry)}. Send it again with:\n  ${resend}`);
    failed.push(`${event.title} (id ${event.id})`);
    entries.push({ ...entry, status: error?.status, exit_code: code, error: message, resend });
  }
  const recorded = failed.length === 0;
  if (!recorded && options.onFailure) say(options.onFailure);
  const done = events.filter((_, index) => entries[index]?.ok).map((event) => `${event.title} (id ${event.id})`);
  const error = recorded
    ? undefined
    : events.length === 1
      ? (entries[0]?.error as string)
      : // "Not confirmed": among them may be one whose answer never came, which may or may not be recorded.
        `${failed.length} of ${events.length} events not confirmed as recorded: ${failed.join(', ')}.` +
        `${done.length > 0 ? ` Recorded: ${done.join(', ')}.` : ''} Send the missing ones again with the commands above.`;
  if (!recorded && events.length > 1) say(error as string);
  return { entries, recorded, exitCode, error };
}

function windowOf(entry: EventEntry): string {
  const start = formatInstant(BigInt(entry.started_at));
  return entry.finished_at === undefined ? `from ${start}` : `${start} → ${formatInstant(BigInt(entry.finished_at))}`;
}

/**
 * The result of a recording run. `later`: a step after recording (the rollback mark) that failed. `ok` only when
 * everything went through; the exit code is the failure's, or 0 under --soft-fail (an interruption stays one).
 */
export function eventsOutcome(
  kind: 'deployment' | 'incident',
  recording: Recording,
  options: { softFail: boolean; later?: { exitCode: number; error?: string | undefined } | undefined },
  reporter: Reporter,
): Outcome<EventsResult> {
  const failure = recording.exitCode || (options.later?.exitCode ?? 0);
  const ok = failure === 0;
  const soft = options.softFail && failure < 128;
  if (!ok && soft) reporter.warn('--soft-fail: exiting 0 although not everything was recorded.');
  const [only] = recording.entries;
  const members = recording.entries.length === 1 && only ? only : { events: recording.entries };
  return {
    result: {
      ...members,
      ok,
      exit_code: failure,
      error: recording.error ?? options.later?.error,
      recorded: recording.recorded,
      kind,
    },
    exitCode: soft ? 0 : failure,
  };
}

/** The result of a dry run that would record: the event's members, and every request it would make. */
export function dryRunResult(
  kind: 'deployment' | 'incident',
  events: readonly PreparedEvent[],
  requests: RequestShown[],
): EventsResult {
  const entries = events.map(entryOf);
  const [only] = entries;
  const members = entries.length === 1 && only ? only : { events: entries.map((entry) => ({ ...entry, ok: true })) };
  return { ...members, ok: true, exit_code: 0, dry_run: true, recorded: false, kind, requests };
}
