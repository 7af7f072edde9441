/**
 * The one `--json` result: every verb, in every mode (done, dry run, failure, partly done), prints exactly one of
 * these objects on its own line of stdout. The GitHub Action imports these types (type-only), so a change to what the
 * CLI prints fails its compilation instead of breaking users' job summaries.
 *
 * Members are snake_case as scripts read them. Nanosecond times are decimal strings, because `jq` rounds 19-digit
 * numbers; the bodies sent to Datadog keep them integers. `ok` says whether everything asked was done, and the exit
 * code agrees with it (0 exactly when `ok`), except under --soft-fail, where a recording failure exits 0 with
 * `ok: false`.
 */
import type { JsonValue } from './events/json.js';
import type { GitFacts } from './git/resolve.js';
import type { MetricsReport } from './metrics/types.js';

export type EventKind = 'deployment' | 'incident';

/** Every member optional: absent and undefined alike (the JSON writer leaves undefined out). */
type Optional<T> = { [K in keyof T]?: T[K] | undefined };

/** Members every result carries. */
export interface ResultBase {
  ok: boolean;
  /**
   * What the run came to: 0 when everything went through, else the failure's code. The process exits with it,
   * except under --soft-fail, where a failure to record exits 0 (and `ok` says false).
   */
  exit_code: number;
  /** What went wrong, when something did. */
  error?: string | undefined;
  /** Warnings said on stderr (a dropped repository URL, a site without DORA Metrics…). */
  warnings?: string[] | undefined;
}

/** A request a run made, or in a dry run would make: the method, the whole URL and the exact body. */
export interface RequestShown {
  method: string;
  url: string;
  /** The body as sent (its nanoseconds stay exact: the JSON writer prints bigints as integers). */
  body?: JsonValue | undefined;
}

/** One event of a recording run: what was (or would be) sent, and what became of it. */
export interface EventEntry {
  ok: boolean;
  kind: EventKind;
  id: string;
  /** The API's answer, when it gave one. */
  status?: number | undefined;
  attempts?: number | undefined;
  /** Why this event was not recorded, and the exit code that failure earns. */
  exit_code?: number | undefined;
  error?: string | undefined;
  service?: string | undefined;
  services?: string[] | undefined;
  team?: string | undefined;
  env?: string | undefined;
  version?: string | undefined;
  /** Incidents: open (no finish yet) or resolved. */
  state?: 'open' | 'resolved' | undefined;
  started_at: string;
  finished_at?: string | undefined;
  git?: GitFacts | undefined;
  /** For an event that was not recorded: the exact command that sends it again (same id, same times). */
  resend?: string | undefined;
}

/** `dora deployment`, `dora incident`, `dora incident resolve`: one event, or one per service. */
export interface EventsResult extends ResultBase, Optional<Omit<EventEntry, 'ok' | 'exit_code' | 'error'>> {
  /** Every event recorded (false in a dry run). A later step (the rollback mark) has its own members. */
  recorded: boolean;
  dry_run?: true | undefined;
  /** With --dry-run: every request the run would make, in order. */
  requests?: RequestShown[] | undefined;
  /** Several services: one entry each (the top level then holds no single event's members). */
  events?: EventEntry[] | undefined;
  /** With a wrapped deploy command: its exit code and how long it ran. */
  command_exit_code?: number | undefined;
  duration_ms?: number | undefined;
  /** With --rollback-of / --rollforward-of: the failed deployment marked, or null when the mark failed. */
  remediated?: Remediated | null | undefined;
  remediations?: Array<Remediated | null> | undefined;
  remediation_error?: string | undefined;
}

export interface Remediated {
  id: string;
  service: string;
  version: string;
  type: 'rollback' | 'rollforward';
  status: number;
}

/** `show`: the event as the API answered it. */
export interface ShowResult extends ResultBase {
  kind: EventKind;
  id: string;
  data?: unknown;
  dry_run?: true | undefined;
  requests?: RequestShown[] | undefined;
}

/** `list`: the events as the API answered them, newest first. */
export interface ListResult extends ResultBase {
  kind: EventKind;
  count?: number | undefined;
  data?: unknown[] | undefined;
  dry_run?: true | undefined;
  requests?: RequestShown[] | undefined;
}

/** `delete`. */
export interface DeleteResult extends ResultBase {
  kind: EventKind;
  id: string;
  deleted: boolean;
  status?: number | undefined;
  dry_run?: true | undefined;
  requests?: RequestShown[] | undefined;
}

/** `dora deployment update`. */
export interface UpdateResult extends ResultBase {
  kind: 'deployment';
  id?: string | undefined;
  status?: number | undefined;
  change_failure: boolean;
  dry_run?: true | undefined;
  requests?: RequestShown[] | undefined;
}

/** `dora doctor`: one entry per check. */
export interface DoctorResult extends ResultBase {
  checks: Array<{ name: string; status: 'ok' | 'warn' | 'fail'; detail: string; fix: string | null }>;
}

/** `dora metrics`: the report (issue 21's object, member for member), or in a dry run the first requests. */
export interface MetricsResult extends ResultBase, Optional<Omit<MetricsReport, 'ok'>> {
  dry_run?: true | undefined;
  requests?: RequestShown[] | undefined;
}

/** A failure before any verb could say more (invalid usage, a missing key, a bug). */
export interface FailureResult extends ResultBase {
  ok: false;
  kind?: EventKind | undefined;
  id?: string | undefined;
}

/** `dora import`: what became of the records, or in a dry run what would be sent. */
export interface ImportResult extends ResultBase {
  kind: 'import';
  /** Valid records in the input. */
  total: number;
  recorded?: number | undefined;
  /** Skipped: the journal or Datadog already had them (repeated records of the input too). */
  already_recorded: number;
  /** Records moved to a second of their own; `from`/`to`: the old and new `finished_at`, RFC 3339. */
  moved: Array<{ line: number; id: string; from: string; to: string }>;
  refused?: Array<{ line: number; id: string; status: number; error: string }> | undefined;
  not_delivered?: Array<{ line: number; id: string; error: string }> | undefined;
  duration_ms?: number | undefined;
  dry_run?: true | undefined;
  /** Dry run: how many would be sent, and the first bodies. */
  to_send?: number | undefined;
  first?: JsonValue[] | undefined;
}

export type Result =
  | EventsResult
  | ImportResult
  | ShowResult
  | ListResult
  | DeleteResult
  | UpdateResult
  | DoctorResult
  | MetricsResult
  | FailureResult;

/**
 * What a command hands back to the CLI: the result (printed with --json), what stdout shows without --json (a dry
 * run's body, a read), and the exit code. The CLI prints; commands never write stdout themselves.
 */
export interface Outcome<R extends Result = Result> {
  result: R;
  /** The process's exit code when it is not the result's own: 0 under --soft-fail, whatever failed. */
  exitCode?: number | undefined;
  /** stdout without --json; undefined prints nothing. */
  text?: string | undefined;
  /**
   * The text carries dora's own colours: the command escaped what came from outside itself, so the CLI only masks
   * secrets in it (escaping would print the colour codes as text).
   */
  styled?: boolean | undefined;
}
