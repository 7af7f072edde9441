/**
 * Pure: the CLI's `--json` result as the GitHub Action reads it. The CLI writes exactly one result object on stdout,
 * on a line of its own, in every mode (recorded, dry run, failed, partly done). Its type is src/result.ts's, imported
 * type-only (the Action's bundle holds none of the CLI): a change to a member the Action reads fails this file's
 * compilation, and the members are checked here, at the edge, when the line is parsed.
 */
import * as z from 'zod/mini';
import type { EventEntry, EventsResult, FailureResult, Remediated } from '../result.js';

/** The members of `dora deployment` / `dora incident`'s result the Action reads. */
export type ActionResult = Pick<
  EventsResult,
  | 'ok'
  | 'exit_code'
  | 'error'
  | 'warnings'
  | 'recorded'
  | 'dry_run'
  | 'events'
  | 'remediated'
  | 'remediations'
  | 'kind'
  | 'id'
  | 'status'
  | 'service'
  | 'services'
  | 'team'
  | 'env'
  | 'version'
  | 'started_at'
  | 'finished_at'
  | 'git'
  | 'resend'
>;

/**
 * A failure before any event existed (invalid input, a missing key) is the CLI's FailureResult, read by the same
 * schema: it must stay a partial ActionResult, or this alias stops compiling.
 */
export type FailureFits<T extends Partial<ActionResult> = FailureResult> = T;

const text = z.optional(z.string());
/** Nanoseconds since the epoch, as decimal strings: exact, where a JSON number would lose the last digits. */
const nanoseconds = z.string().check(z.regex(/^-?\d+$/));
const kind = z.enum(['deployment', 'incident']);

const eventMembers = {
  status: z.optional(z.number()),
  service: text,
  services: z.optional(z.array(z.string())),
  team: text,
  env: text,
  version: text,
  finished_at: z.optional(nanoseconds),
  git: z.optional(z.object({ repository_url: z.string(), commit_sha: z.string() })),
  resend: text,
};

const entry: z.ZodMiniType<EventEntry> = z.object({
  ...eventMembers,
  ok: z.boolean(),
  kind,
  id: z.string(),
  exit_code: z.optional(z.number()),
  error: text,
  started_at: nanoseconds,
});

const remediated: z.ZodMiniType<Remediated> = z.object({
  id: z.string(),
  service: z.string(),
  version: z.string(),
  type: z.enum(['rollback', 'rollforward']),
  status: z.number(),
});

const schema: z.ZodMiniType<ActionResult> = z.object({
  ...eventMembers,
  ok: z.boolean(),
  exit_code: z.number(),
  error: text,
  warnings: z.optional(z.array(z.string())),
  // A FailureResult has no `recorded`: nothing was.
  recorded: z._default(z.boolean(), false),
  dry_run: z.optional(z.literal(true)),
  events: z.optional(z.array(entry)),
  remediated: z.optional(z.nullable(remediated)),
  remediations: z.optional(z.array(z.nullable(remediated))),
  kind: z.optional(kind),
  id: text,
  started_at: z.optional(nanoseconds),
});

/** The CLI's stdout, whole: the result, or why it is not one. */
export function parseResult(stdout: string): { result: ActionResult } | { problem: string } {
  const line = stdout.trim();
  if (line === '') return { problem: 'dora printed no result' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: 'dora printed something other than its one result line' };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { result: parsed.data };
  const [issue] = parsed.error.issues;
  const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : '';
  return { problem: `dora printed a result the action cannot read${where}` };
}

/** One event of the run, as the summary shows it: `events`' entries, or the result's own members for one event. */
export type EventRow = Omit<EventEntry, 'started_at'> & { started_at?: string | undefined };

export function eventsOf(result: ActionResult): EventRow[] {
  if (result.events) return result.events;
  if (result.kind === undefined || result.id === undefined) return [];
  const { kind, id, status, service, services, team, env, version, started_at, finished_at, git, resend } = result;
  // One event: its members are the result's, and it went through exactly when the result says it was recorded.
  return [
    {
      ok: result.recorded,
      kind,
      id,
      status,
      service,
      services,
      team,
      env,
      version,
      started_at,
      finished_at,
      git,
      resend,
    },
  ];
}

/**
 * What became of the change-failure mark a rollback or rollforward asks for: true when every failed deployment was
 * marked, false when one was not (its lookup or PATCH failed, or nothing was recorded to mark it with), undefined
 * when none was asked.
 */
export function remediationOf(result: ActionResult | undefined, asked: boolean): boolean | undefined {
  if (!asked) return undefined;
  const marks = result?.remediations ?? (result?.remediated === undefined ? [] : [result.remediated]);
  return marks.length > 0 && marks.every((mark) => mark !== null);
}
