/**
 * `dora import`, from its option values to its exit code: read the records (a file, stdin, or git tags), normalise
 * and validate every one before anything is sent, plan ids, seconds and order, skip what the journal or Datadog
 * already holds, then send (or, in a dry run, show) and report. The command injects what belongs to the rest of
 * the CLI: the input core's validation, the API client (send, list), the clock, the signal, the input streams and
 * the output. Nothing here exits the process.
 */
import type { Clock } from '../context.js';
import { DeliveryError, UnauthorizedError, UsageError } from '../errors.js';
import { type JsonValue, toJson } from '../events/json.js';
import { count } from '../output/count.js';
import type { ImportResult as ImportJson } from '../result.js';
import {
  alreadyRecorded,
  heldSeconds,
  type ListingQuery,
  listingQueries,
  type RecordedEvent,
} from './already-recorded.js';
import type { Validate, ValidEvent } from './event.js';
import { type GitRunner, gitTagRecords } from './git-tags.js';
import { openInputFile, untilAborted } from './input-file.js';
import {
  isJournalled,
  type JournalSource,
  type JournalWriter,
  journalEntry,
  journalPath,
  openJournal,
  readJournal,
} from './journal.js';
import { bytesInput, parseRecords, recordFormat } from './parse.js';
import { conflictProblems, type PlannedRecord, plannedRecord, planTable } from './plan.js';
import { ProblemList, placeOf, problemsReport } from './problems.js';
import { startProgress } from './progress.js';
import { type ImportRecord, normalizeRecord } from './record.js';
import { type RecordQueue, type ScheduleResult, type Send, schedule } from './scheduler.js';
import { type ImportResult, importExitCode, importJson, summaryLines } from './summary.js';
import { RecordTable } from './table.js';

export type ImportSource =
  /** A records file; its format from `format` (--format), else from its extension. */
  | { kind: 'file'; path: string; format?: string }
  /** `dora import - --format jsonl|csv`. */
  | { kind: 'stdin'; format?: string }
  | {
      kind: 'git-tags';
      glob: string;
      service: string;
      duration?: string;
      /** The checkout's repository URL, resolved as for `dora deployment`. */
      repositoryUrl?: string;
      /** --env, --team, --custom-tags: shared by every tag's record. */
      shared?: { env?: string; team?: string; customTags?: string[] };
    };

export interface ImportOptions {
  source: ImportSource;
  dryRun: boolean;
  json: boolean;
  /** --concurrency, checked (see src/input/import.ts). */
  concurrency: number;
  /** --journal, if given. */
  journal?: string;
  /** The command that resumes this import, printed in the summary: the same command line. */
  resumeCommand: string;
}

/** The API as the import uses it, opened once validation passed. */
export interface ImportApi<E extends ValidEvent> {
  /** Records one event (the engine's retries and timeouts included). Absent in a dry run. */
  send?: Send<PlannedRecord<E>>;
  /** Lists what Datadog holds (needs an application key); absent when it cannot be asked. */
  listRecorded?(queries: ListingQuery[], signal: AbortSignal): Promise<RecordedEvent[]>;
  close?(): unknown;
}

export interface ImportOutput {
  /** stdout without --json: a dry run's bodies. */
  result(text: string): void;
  /** With --json: the one result object. */
  json(result: ImportJson): void;
  /** stderr, one message. */
  info(text: string): void;
  warn(text: string): void;
  /** Where progress goes (stderr, raw), and whether it is a terminal a person watches (not CI). */
  progress: { write(text: string): void; terminal: boolean; columns?: number };
}

export interface ImportDeps<E extends ValidEvent> {
  validate: Validate<E>;
  /** The wire body of a record, for the dry run's first three. */
  body(record: PlannedRecord<E>): JsonValue;
  /** Opens the API client: in a dry run, only to list what is recorded (undefined members when it cannot). */
  connect(mode: { dryRun: boolean }): Promise<ImportApi<E>>;
  readStdin(): Promise<Uint8Array>;
  git: { run: GitRunner; cwd: string };
  clock: Clock;
  /** Ctrl-C: stop starting, wait for the requests out, journal, report. */
  signal: AbortSignal;
  /** Aborts the requests out (a second Ctrl-C), if the command has one. */
  inFlightSignal?: AbortSignal;
  out: ImportOutput;
}

/** How many records the dry run shows in full. */
const DRY_RUN_BODIES = 3;

/** Runs the import; resolves with the exit code. Invalid input throws a UsageError listing the bad records. */
export async function runImport<E extends ValidEvent>(options: ImportOptions, deps: ImportDeps<E>): Promise<number> {
  const startedMs = deps.clock.monotonicMs();
  const { table, recordAt: importRecordAt, total, journalAt, close } = await readTable(options.source, deps);
  try {
    return await sendTable(options, deps, { table, importRecordAt, total, journalAt, startedMs });
  } finally {
    close();
  }
}

async function sendTable<E extends ValidEvent>(
  options: ImportOptions,
  deps: ImportDeps<E>,
  read: {
    table: RecordTable;
    importRecordAt(at: number, line: number): ImportRecord;
    total: number;
    journalAt: JournalSource;
    startedMs: number;
  },
): Promise<number> {
  const { clock, out } = deps;
  const { table, importRecordAt, total, journalAt, startedMs } = read;
  const conflicts = conflictProblems(table);
  if (!conflicts.empty) throw new UsageError(problemsReport(conflicts, sourceName(options.source)));
  /** Record `index` as it is sent: read and checked again (the table keeps no checked event). */
  const recordAt = (index: number): PlannedRecord<E> => {
    const checked = deps.validate(importRecordAt(table.at(index), table.line(index)));
    if (!checked.ok) throw new Error(`line ${table.line(index)} passed validation once, then not: ${checked.reason}`);
    return plannedRecord(table, index, checked.event);
  };
  const openIncident = (index: number) =>
    table.stream(index).kind === 'incident' && table.finishedAt(index) === undefined;

  const path = journalPath(journalAt, options.journal);
  const journalled = path === undefined ? new Set<string>() : readJournal(path);
  const api = await deps.connect({ dryRun: options.dryRun });
  let writer: JournalWriter | undefined;
  try {
    const relying = path
      ? `relying on the journal ${path}.`
      : 'and there is no journal for stdin or a pipe: give --journal <path>, or a second run sends everything again.';
    // What Datadog holds is read before the records are moved: a record that must leave its second moves past the
    // seconds Datadog holds too (landing on one would replace that event, or be taken for it and skipped).
    let recorded: readonly RecordedEvent[] | undefined;
    if (api.listRecorded) {
      try {
        const everyRecord = Array.from({ length: table.size }, (_, index) => index);
        recorded = await api.listRecorded(listingQueries(table, everyRecord, table.size), deps.signal);
      } catch (error) {
        // A key that may not read events (401/403), or a listing that could not be read whole within --deadline,
        // leaves the import where it is without a key: the journal decides, and the sends say soon enough whether
        // the API is there. An interruption stays one.
        if (!(error instanceof UnauthorizedError || error instanceof DeliveryError)) throw error;
        out.warn(
          `Could not check Datadog for records it already holds (${error.message.split('\n')[0]?.replace(/\.$/, '')}); ${relying}`,
        );
      }
    } else {
      out.warn(
        `Could not check Datadog for records it already holds (that needs an application key: DD_APP_KEY); ${relying}`,
      );
    }
    // Recorded before: the journal or Datadog has the record's id (an open incident's own entry counts: its
    // resolution keeps the second the incident holds). Worked out once, not in every comparison of the plan's sort.
    const datadogIds = new Set(recorded?.map((event) => event.id));
    const known = Uint8Array.from({ length: table.size }, (_, index) => {
      const id = table.id(index);
      return datadogIds.has(id) || isJournalled(journalled, id, true) ? 1 : 0;
    });
    const plan = planTable(table, {
      ...(recorded ? { held: heldSeconds(recorded) } : {}),
      known: (index) => known[index] === 1,
    });
    const inDatadog = recorded ? alreadyRecorded(table, plan.order, recorded) : new Set<number>();
    const toSend = plan.order.filter(
      (index) => !isJournalled(journalled, table.id(index), openIncident(index)) && !inDatadog.has(index),
    );
    // Repeated records are skipped too: the record they repeat is sent, or was.
    const skipped = plan.order.length - toSend.length + plan.duplicates.length;
    for (const duplicate of plan.duplicates.slice(0, 10)) {
      out.warn(`${placeOf(duplicate)} records the same event as ${placeOf(duplicate.of)}: it is sent once.`);
    }
    if (plan.duplicates.length > 10) out.warn(`… and ${plan.duplicates.length - 10} more repeated records.`);

    if (options.dryRun) {
      const first = Array.from(toSend.subarray(0, DRY_RUN_BODIES), (index) => deps.body(recordAt(index)));
      showDryRun(first, { total, toSend: toSend.length, skipped, moves: plan.moves, json: options.json }, out);
      return 0;
    }
    const send = api.send;
    if (!send) throw new Error('the API client has no send outside a dry run');
    if (path !== undefined) writer = openJournal(path, () => clock.monotonicMs());
    const progress = startProgress({ total: toSend.length, clock, ...out.progress });
    const queue: RecordQueue<PlannedRecord<E>> = {
      length: toSend.length,
      about: (position) => {
        const index = toSend[position] as number;
        const tag = table.tag(index);
        return {
          line: table.line(index),
          ...(tag !== undefined ? { tag } : {}),
          id: table.id(index),
          services: table.stream(index).services,
        };
      },
      record: (position) => recordAt(toSend[position] as number),
    };
    let scheduled: ScheduleResult;
    try {
      const journal = writer;
      scheduled = await schedule(queue, send, {
        concurrency: options.concurrency,
        clock,
        signal: deps.signal,
        ...(deps.inFlightSignal ? { inFlightSignal: deps.inFlightSignal } : {}),
        ...(journal
          ? {
              onRecorded: (record: PlannedRecord<E>) =>
                journal.add(
                  journalEntry(record.id, record.event.kind === 'incident' && record.finishedAt === undefined),
                ),
            }
          : {}),
        onSettled: (_record, outcome) => {
          if (outcome !== 'rate-limited') progress.advance();
        },
        onWait: (wait) => progress.waiting(wait),
      });
    } finally {
      progress.stop();
    }
    const result: ImportResult = {
      total,
      recorded: scheduled.recorded,
      alreadyRecorded: skipped,
      moves: plan.moves,
      refused: scheduled.refused,
      notDelivered: scheduled.notDelivered,
      durationMs: Math.round(clock.monotonicMs() - startedMs),
      ...(scheduled.stop ? { stop: scheduled.stop } : {}),
    };
    if (options.json) out.json(importJson(result));
    for (const line of summaryLines(result, {
      resumeCommand: options.resumeCommand,
      ...(path ? { journal: path } : {}),
      skipsRecorded: path !== undefined || recorded !== undefined,
    }))
      out.info(line);
    return importExitCode(result);
  } finally {
    writer?.close();
    await api.close?.();
  }
}

/**
 * Every record read, normalised and validated into the table (which keeps what planning needs, not the checked
 * events); and how to read a record again when it is sent. Throws the list of problems when any record is bad.
 */
async function readTable<E extends ValidEvent>(
  source: ImportSource,
  deps: ImportDeps<E>,
): Promise<{
  table: RecordTable;
  recordAt(at: number, line: number): ImportRecord;
  total: number;
  /** Where a journal goes by default: beside a file, in the checkout's git folder, nowhere for what streams in. */
  journalAt: JournalSource;
  close(): void;
}> {
  const problems = new ProblemList();
  const table = new RecordTable();
  let total = 0;
  const take = (record: ImportRecord, at: number) => {
    total++;
    const checked = deps.validate(record);
    const where = { line: record.line, ...(record.tag !== undefined ? { tag: record.tag } : {}) };
    if (checked.ok) table.add({ ...where, at, event: checked.event });
    else {
      // The record gave no start: what is wrong with the one it took is wrong with its finish.
      const borrowed = record.startFromFinish && checked.field === 'started_at';
      problems.add({ ...where, field: borrowed ? 'finished_at' : checked.field, reason: checked.reason });
    }
  };
  let recordAt: (at: number, line: number) => ImportRecord;
  let close: () => void = () => undefined;
  let journalAt: JournalSource = { kind: 'stdin' };
  if (source.kind === 'git-tags') {
    const tags = await gitTagRecords({
      glob: source.glob,
      service: source.service,
      cwd: deps.git.cwd,
      run: deps.git.run,
      signal: deps.signal,
      ...(source.duration !== undefined ? { duration: source.duration } : {}),
      ...(source.repositoryUrl !== undefined ? { repositoryUrl: source.repositoryUrl } : {}),
      ...(source.shared ? { shared: source.shared } : {}),
    });
    journalAt = { kind: 'git-tags', gitDir: tags.gitDir };
    for (const { tag, reason } of tags.skipped) deps.out.warn(`Tag ${tag} ${reason}: left out.`);
    for (const [at, record] of tags.records.entries()) take(record, at);
    recordAt = (at) => tags.records[at] as ImportRecord;
  } else {
    const format = recordFormat(source.kind === 'file' ? source.path : '-', source.format);
    const file = source.kind === 'file' ? await openInputFile(source.path, deps.signal) : undefined;
    close = () => file?.close();
    // A pipe given by path (`<(jq …)`) was read whole, as stdin is, and has no place for a journal beside it.
    if (source.kind === 'file' && file?.regular) journalAt = { kind: 'file', path: source.path };
    const input = file ?? bytesInput(await untilAborted(deps.readStdin(), deps.signal));
    const reader = await parseRecords(input, format, {
      record(raw, at) {
        const normalized = normalizeRecord(raw);
        if (normalized.ok) take(normalized.record, at);
        else {
          total++;
          problems.add(normalized.problem);
        }
      },
      problem: (problem) => problems.add(problem),
    });
    recordAt = (at, line) => {
      const normalized = normalizeRecord({ line, values: reader.reread(at) });
      if (!normalized.ok) throw new Error(`a record read once could not be read again: ${normalized.problem.reason}`);
      return normalized.record;
    };
  }
  if (!problems.empty || total === 0) {
    close();
    if (problems.empty) throw new UsageError(`${sourceName(source)} holds no records: nothing to import.`);
    throw new UsageError(problemsReport(problems, sourceName(source)));
  }
  return { table, recordAt, total, journalAt, close };
}

function showDryRun(
  bodies: JsonValue[],
  counts: { total: number; toSend: number; skipped: number; moves: ImportResult['moves']; json: boolean },
  out: ImportOutput,
): void {
  if (counts.json) {
    out.json({
      ok: true,
      exit_code: 0,
      kind: 'import',
      dry_run: true,
      total: counts.total,
      already_recorded: counts.skipped,
      to_send: counts.toSend,
      moved: counts.moves.map(({ line, id, from, to }) => ({ line, id, from, to })),
      first: bodies,
    });
  } else for (const body of bodies) out.result(toJson(body));
  out.info(
    `Dry run: nothing sent. Of ${count(counts.total, 'record')}, ${counts.toSend} would be sent (oldest first), ` +
      `${counts.skipped} already recorded, ${counts.moves.length} moved to a second of their own` +
      (bodies.length > 0 ? `; above, the first ${bodies.length === 1 ? 'one' : bodies.length}.` : '.'),
  );
  for (const move of counts.moves.slice(0, 10)) out.info(`  ${placeOf(move)} (${move.id}): ${move.from} → ${move.to}`);
  if (counts.moves.length > 10) out.info(`  … and ${counts.moves.length - 10} more moves (--json lists them).`);
}

function sourceName(source: ImportSource): string {
  if (source.kind === 'file') return source.path;
  if (source.kind === 'stdin') return 'stdin';
  return `the tags matching ${JSON.stringify(source.glob)}`;
}
