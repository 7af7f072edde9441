/**
 * What an import reports at the end: the exit code, the `--json` object, and the summary for people, which always
 * says how many records were recorded, skipped, refused and not delivered, and the command that resumes.
 */
import type { ImportResult as ImportJson } from '../result.js';
import type { Move } from './plan.js';
import { placeOf } from './problems.js';
import type { Refused, ScheduleResult, Undelivered } from './scheduler.js';

export interface ImportResult {
  /** Valid records in the input. */
  total: number;
  recorded: number;
  /** Skipped: the journal or Datadog already had them. */
  alreadyRecorded: number;
  moves: Move[];
  refused: Refused[];
  notDelivered: Undelivered[];
  durationMs: number;
  stop?: ScheduleResult['stop'];
}

/** The first that applies: 3 when a 401/403 stopped it, the signal's code when interrupted, 5, 4, else 0. */
export function importExitCode(result: ImportResult): number {
  if (result.stop?.reason === 'unauthorized') return 3;
  if (result.stop?.reason === 'interrupted') return result.stop.exitCode ?? 130;
  if (result.notDelivered.length > 0) return 5;
  if (result.refused.length > 0) return 4;
  return 0;
}

/** The one --json object of a run. */
export function importJson(result: ImportResult): ImportJson {
  const exitCode = importExitCode(result);
  return {
    ok: exitCode === 0,
    exit_code: exitCode,
    kind: 'import',
    ...(result.stop ? { error: stopMessage(result.stop) } : {}),
    total: result.total,
    recorded: result.recorded,
    already_recorded: result.alreadyRecorded,
    moved: result.moves.map(({ line, id, from, to }) => ({ line, id, from, to })),
    refused: result.refused.map(({ line, id, status, error }) => ({ line, id, status, error })),
    not_delivered: result.notDelivered.map(({ line, id, error }) => ({ line, id, error })),
    duration_ms: result.durationMs,
  };
}

function stopMessage(stop: NonNullable<ImportResult['stop']>): string {
  return stop.reason === 'interrupted' ? 'the import was interrupted' : `the import stopped: ${stop.message}`;
}

/** How many of each list are printed for people; --json has them all. */
const LISTED = 10;

export interface SummaryContext {
  /** The command that resumes: the same command, as the user typed it (keys are never in it). */
  resumeCommand: string;
  /** Where acknowledgements were journalled, if anywhere. */
  journal?: string;
  /** Whether a second run can tell what this one recorded: a journal, or Datadog's list. */
  skipsRecorded: boolean;
}

/** The summary for people, line by line (stderr). */
export function summaryLines(result: ImportResult, context: SummaryContext): string[] {
  const lines = [
    `Recorded ${result.recorded} of ${result.total} records; ${result.alreadyRecorded} skipped (already recorded); ` +
      `${result.refused.length} refused; ${result.notDelivered.length} not delivered.`,
  ];
  if (result.moves.length > 0) {
    lines.push(
      `${result.moves.length} moved to a second of their own (Datadog keeps one event of a service and env per second):`,
      ...listed(result.moves, (move) => `  ${placeOf(move)} (${move.id}): ${move.from} → ${move.to}`),
    );
  }
  if (result.refused.length > 0) {
    lines.push(
      'Refused by Datadog (fix them in the input; they are sent again next time):',
      ...listed(result.refused, (one) => `  ${placeOf(one)} (${one.id}): HTTP ${one.status}: ${one.error}`),
    );
  }
  if (result.notDelivered.length > 0) {
    lines.push(
      'Not delivered:',
      ...listed(result.notDelivered, (one) => `  ${placeOf(one)} (${one.id}): ${one.error}`),
    );
  }
  if (result.stop && result.stop.reason !== 'interrupted') lines.push(`Stopped: ${result.stop.message}.`);
  const left = result.notDelivered.length + result.refused.length;
  if (!context.skipsRecorded) {
    // Nothing remembers this run: the same command would send every record again.
    lines.push(
      left === 0
        ? 'Every record is in Datadog. Nothing kept track of them: running this again sends every record again.'
        : 'To send the rest, give --journal <path> (or set DD_APP_KEY) and run again; without either, a run sends ' +
            'every record, the recorded ones too.',
    );
    return lines;
  }
  const journal = context.journal ? ` (the journal ${context.journal} holds what was recorded)` : '';
  lines.push(
    left === 0
      ? `Every record is in Datadog; running the same command again sends nothing${journal}:`
      : `To send the rest, run the same command again; what was recorded is skipped${journal}:`,
    `  ${context.resumeCommand}`,
  );
  return lines;
}

function listed<T>(items: readonly T[], line: (item: T) => string): string[] {
  const shown = items.slice(0, LISTED).map(line);
  return items.length > LISTED ? [...shown, `  … and ${items.length - LISTED} more (--json lists them all).`] : shown;
}
