/**
 * `dora import`, from its option values to its exit code: read the records (a file, stdin, or git tags), normalise
 * and validate every one before anything is sent, plan ids, seconds and order, skip what the journal or Datadog
 * already holds, then send (or, in a dry run, show) and report. The command injects what belongs to the rest of
 * the CLI: the input core's validation, the API client (send, list), the clock, the signal, the input streams and
 * the output. Nothing here exits the process.
 */
import type { Clock } from '../context.js';
import { UsageError } from '../errors.js';
import { alreadyRecorded, type ListingQuery, listingQueries, type RecordedEvent } from './already-recorded.js';
import type { Validate, ValidatedRecord, ValidEvent } from './event.js';
import { type GitRunner, gitTagRecords } from './git-tags.js';
import { isJournalled, type JournalWriter, journalEntry, journalPath, openJournal, readJournal } from './journal.js';
import { parseRecords, recordFormat } from './parse.js';
import { type PlannedRecord, planImport } from './plan.js';
import { ProblemList, placeOf, problemsReport } from './problems.js';
import { startProgress } from './progress.js';
import { type ImportRecord, normalizeRecord } from './record.js';
import { type Send, schedule } from './scheduler.js';
import { type ImportResult, importExitCode, importJson, summaryLines } from './summary.js';

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
  /** --concurrency, checked (see parseConcurrency). */
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
  /** stdout: the --json object, a dry run's bodies. */
  result(text: string): void;
  /** stderr, one message. */
  info(text: string): void;
  warn(text: string): void;
  /** Where progress goes (stderr, raw), and whether it is a terminal a person watches (not CI). */
  progress: { write(text: string): void; terminal: boolean; columns?: number };
}

export interface ImportDeps<E extends ValidEvent> {
  validate: Validate<E>;
  /** The wire body of a record, for the dry run's first three. */
  body(record: PlannedRecord<E>): string;
  /** Opens the API client: in a dry run, only to list what is recorded (undefined members when it cannot). */
  connect(mode: { dryRun: boolean }): Promise<ImportApi<E>>;
  readFile(path: string): Promise<Uint8Array>;
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
  const { clock, out } = deps;
  const startedMs = clock.monotonicMs();
  const { validated, gitDir, total } = await readValidated(options.source, deps);
  const plan = planImport(validated);
  if (!plan.problems.empty) throw new UsageError(problemsReport(plan.problems, sourceName(options.source)));

  const path = journalPath(
    options.source.kind === 'file'
      ? { kind: 'file', path: options.source.path }
      : options.source.kind === 'git-tags'
        ? { kind: 'git-tags', gitDir: gitDir ?? '.' }
        : { kind: 'stdin' },
    options.journal,
  );
  const journalled = path === undefined ? new Set<string>() : readJournal(path);
  const api = await deps.connect({ dryRun: options.dryRun });
  let writer: JournalWriter | undefined;
  try {
    let inDatadog = new Set<string>();
    if (api.listRecorded) {
      inDatadog = alreadyRecorded(plan.records, await api.listRecorded(listingQueries(plan.records), deps.signal));
    } else {
      out.warn(
        `Could not check Datadog for records it already holds (that needs an application key: DD_APP_KEY); ` +
          (path
            ? `relying on the journal ${path}.`
            : 'and there is no journal for stdin: give --journal <path>, or a second run sends everything again.'),
      );
    }
    const toSend = plan.records.filter((record) => !isJournalled(journalled, record) && !inDatadog.has(record.id));
    // Repeated records are skipped too: the record they repeat is sent, or was.
    const skipped = plan.records.length - toSend.length + plan.duplicates.length;
    for (const duplicate of plan.duplicates.slice(0, 10)) {
      out.warn(`${placeOf(duplicate)} records the same event as ${placeOf(duplicate.of)}: it is sent once.`);
    }
    if (plan.duplicates.length > 10) out.warn(`… and ${plan.duplicates.length - 10} more repeated records.`);

    if (options.dryRun) {
      showDryRun(toSend, { total, skipped, moves: plan.moves, json: options.json }, deps);
      return 0;
    }
    const send = api.send;
    if (!send) throw new Error('the API client has no send outside a dry run');
    if (path !== undefined) writer = openJournal(path, () => clock.monotonicMs());
    const progress = startProgress({ total: toSend.length, clock, ...out.progress });
    let scheduled: Awaited<ReturnType<typeof schedule<PlannedRecord<E>>>>;
    try {
      const journal = writer;
      scheduled = await schedule(toSend, send, {
        concurrency: options.concurrency,
        clock,
        signal: deps.signal,
        ...(deps.inFlightSignal ? { inFlightSignal: deps.inFlightSignal } : {}),
        ...(journal ? { onRecorded: (record: PlannedRecord<E>) => journal.add(journalEntry(record)) } : {}),
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
    if (options.json) out.result(importJson(result));
    for (const line of summaryLines(result, {
      resumeCommand: options.resumeCommand,
      ...(path ? { journal: path } : {}),
    }))
      out.info(line);
    return importExitCode(result);
  } finally {
    writer?.close();
    await api.close?.();
  }
}

/** Every record read, normalised and validated; throws the list of problems when any record is bad. */
async function readValidated<E extends ValidEvent>(
  source: ImportSource,
  deps: ImportDeps<E>,
): Promise<{ validated: ValidatedRecord<E>[]; total: number; gitDir?: string }> {
  const problems = new ProblemList();
  const validated: ValidatedRecord<E>[] = [];
  let total = 0;
  const take = (record: ImportRecord) => {
    total++;
    const checked = deps.validate(record);
    const where = { line: record.line, ...(record.tag !== undefined ? { tag: record.tag } : {}) };
    if (checked.ok) validated.push({ ...where, event: checked.event });
    else {
      // The record gave no start: what is wrong with the one it took is wrong with its finish.
      const borrowed = record.startFromFinish && checked.field === 'started_at';
      problems.add({ ...where, field: borrowed ? 'finished_at' : checked.field, reason: checked.reason });
    }
  };
  let gitDir: string | undefined;
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
    gitDir = tags.gitDir;
    for (const { tag, reason } of tags.skipped) deps.out.warn(`Tag ${tag} ${reason}: left out.`);
    for (const record of tags.records) take(record);
  } else {
    const format = recordFormat(source.kind === 'file' ? source.path : '-', source.format);
    const bytes = source.kind === 'file' ? await readInput(deps, source.path) : await deps.readStdin();
    await parseRecords(bytes, format, {
      record(raw) {
        const normalized = normalizeRecord(raw);
        if (normalized.ok) take(normalized.record);
        else {
          total++;
          problems.add(normalized.problem);
        }
      },
      problem: (problem) => problems.add(problem),
    });
  }
  if (!problems.empty) throw new UsageError(problemsReport(problems, sourceName(source)));
  if (total === 0) throw new UsageError(`${sourceName(source)} holds no records: nothing to import.`);
  return { validated, total, ...(gitDir !== undefined ? { gitDir } : {}) };
}

async function readInput(deps: { readFile(path: string): Promise<Uint8Array> }, path: string): Promise<Uint8Array> {
  try {
    return await deps.readFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

function showDryRun<E extends ValidEvent>(
  toSend: readonly PlannedRecord<E>[],
  counts: { total: number; skipped: number; moves: ImportResult['moves']; json: boolean },
  deps: ImportDeps<E>,
): void {
  const bodies = toSend.slice(0, DRY_RUN_BODIES).map((record) => deps.body(record));
  if (counts.json) {
    deps.out.result(
      `{"ok":true,"dry_run":true,"total":${counts.total},"already_recorded":${counts.skipped},` +
        `"to_send":${toSend.length},"moved":${JSON.stringify(counts.moves)},"first":[${bodies.join(',')}]}`,
    );
  } else for (const body of bodies) deps.out.result(body);
  deps.out.info(
    `Dry run: nothing sent. Of ${counts.total} records, ${toSend.length} would be sent (oldest first), ` +
      `${counts.skipped} are already recorded, ${counts.moves.length} move to a second of their own` +
      (bodies.length > 0 ? `; above, the first ${bodies.length}.` : '.'),
  );
  for (const move of counts.moves.slice(0, 10))
    deps.out.info(`  line ${move.line} (${move.id}): ${move.from} → ${move.to}`);
  if (counts.moves.length > 10) deps.out.info(`  … and ${counts.moves.length - 10} more moves (--json lists them).`);
}

function sourceName(source: ImportSource): string {
  if (source.kind === 'file') return source.path;
  if (source.kind === 'stdin') return 'stdin';
  return `the tags matching ${JSON.stringify(source.glob)}`;
}

/** `--concurrency`: a whole number from 1 to 64; default 8. */
export function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return 8;
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= 64)) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, not ${JSON.stringify(value)}.`);
  }
  return n;
}
