/**
 * One list answer (`{"data":[…]}` of POST /api/v2/dora/deployments or /failures) into typed events, checked with zod
 * at this edge. Times come as RFC 3339 strings and become exact bigint nanoseconds.
 *
 * The members a live org sends beyond the published schema (`change_failure`, `deployment_type`,
 * `recovery_time_sec`, `remediation`, `commits[].change_lead_time`) are read when present and never required; one
 * of them in a shape we do not expect counts as absent, since an undocumented member may change without notice and
 * must not make the documented ones unreadable.
 */
import * as z from 'zod/mini';
import { DeliveryError } from '../errors.js';
import { parseTimestamp } from '../time.js';
import type { Deployment, EventKind, Failure } from './types.js';

/** Built on first use: only `dora metrics` needs them. */
let schemas: ReturnType<typeof buildSchemas> | undefined;

/**
 * zod checks the members every row must have; the optional ones are checked where they are read (`text`, `extras`
 * below), on the row as it came. A schema of every member costs several times more per row, and a read of 20,000
 * deployments must stay close to the cost of the requests themselves.
 */
function buildSchemas() {
  const row = <T extends z.ZodMiniType>(attributes: T) => z.object({ id: z.string(), attributes });
  return {
    deployment: row(z.object({ service: z.string(), started_at: z.string(), finished_at: z.string() })),
    failure: row(z.object({ started_at: z.string() })),
  };
}

type Row = { id: string; attributes: Record<string, unknown> };

/** The rows of one list answer, or a DeliveryError (exit 5) saying what could not be read. */
export function readPage(kind: 'deployment', json: unknown): Deployment[];
export function readPage(kind: 'failure', json: unknown): Failure[];
export function readPage(kind: EventKind, json: unknown): Deployment[] | Failure[];
export function readPage(kind: EventKind, json: unknown): Deployment[] | Failure[] {
  const data = (json as { data?: unknown } | null | undefined)?.data;
  if (!Array.isArray(data)) throw unreadable(`the list of ${kind}s has no data array`);
  schemas ??= buildSchemas();
  const schema = schemas[kind];
  return data.map((item) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') || 'not an object';
      throw unreadable(shapeOf(kind, where));
    }
    return kind === 'deployment' ? toDeployment(item as Row) : toFailure(item as Row);
  }) as Deployment[] | Failure[];
}

function toDeployment({ id, attributes: a }: Row): Deployment {
  const out: Deployment = {
    id,
    service: a.service as string,
    startedAt: instant(a.started_at as string, 'deployment'),
    finishedAt: instant(a.finished_at as string, 'deployment'),
  };
  const env = text(a, 'env', 'deployment');
  const team = text(a, 'team', 'deployment');
  const version = text(a, 'version', 'deployment');
  const git = a.git;
  if (git !== undefined && git !== null && typeof git !== 'object') throw unreadable(shapeOf('deployment', 'git'));
  const commitSha = git ? text(git as Record<string, unknown>, 'commit_sha', 'deployment') : undefined;
  if (env !== undefined) out.env = env;
  if (team !== undefined) out.team = team;
  if (version !== undefined) out.version = version;
  if (commitSha !== undefined) out.commitSha = commitSha.toLowerCase();
  extras(a, out);
  return out;
}

function toFailure({ id, attributes: a }: Row): Failure {
  const services = a.services;
  if (
    services !== undefined &&
    services !== null &&
    !(Array.isArray(services) && services.every((service) => typeof service === 'string'))
  )
    throw unreadable(shapeOf('failure', 'services'));
  const out: Failure = {
    id,
    services: ((services as string[] | null | undefined) ?? []).filter((service) => service !== ''),
    startedAt: instant(a.started_at as string, 'failure'),
  };
  const finished = text(a, 'finished_at', 'failure');
  const env = text(a, 'env', 'failure');
  const team = text(a, 'team', 'failure');
  if (finished !== undefined) out.finishedAt = instant(finished, 'failure');
  if (env !== undefined) out.env = env;
  if (team !== undefined) out.team = team;
  return out;
}

/** A documented optional text member: its value, undefined when null, absent or "" (the API sends "" for unset). */
function text(object: Record<string, unknown>, name: string, kind: EventKind): string | undefined {
  const value = object[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw unreadable(shapeOf(kind, name));
  return value;
}

function shapeOf(kind: EventKind, member: string): string {
  return `a ${kind} came back in a shape dora does not know (${member})`;
}

/**
 * The members a live org adds beyond the published schema, each taken only when it has the expected type (plain
 * checks: a mistyped one is as good as absent, and zod's fallback machinery costs more than the whole row here).
 */
function extras(a: Record<string, unknown>, out: Deployment): void {
  const changeFailure = a.change_failure;
  if (changeFailure === null || typeof changeFailure === 'boolean') out.changeFailure = changeFailure;
  if (typeof a.deployment_type === 'string') out.deploymentType = a.deployment_type;
  if (isNumber(a.recovery_time_sec)) out.recoveryTimeSec = a.recovery_time_sec;
  const remediation = a.remediation as { id?: unknown } | null | undefined;
  if (typeof remediation === 'object' && remediation !== null && typeof remediation.id === 'string' && remediation.id)
    out.remediationId = remediation.id;
  if (Array.isArray(a.commits)) {
    const leadTimes: number[] = [];
    for (const commit of a.commits as unknown[]) {
      const leadTime = (commit as { change_lead_time?: unknown } | null)?.change_lead_time;
      if (isNumber(leadTime)) leadTimes.push(leadTime);
    }
    out.commitLeadTimes = leadTimes;
  }
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** RFC 3339 in UTC as the API writes it: `2026-11-26T10:00:00Z`, `2026-11-26T10:00:00.123456789Z`. */
const RFC3339_UTC = /^(?:20\d\d|21\d\d)-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function instant(rfc3339: string, kind: EventKind): bigint {
  // The API's own form through the engine's parser (every row has two of these), once the digits are known to name
  // a real date and time: Date.parse would roll 30 February over to March. Date.parse keeps milliseconds; the
  // digits below are added exactly. Any other form goes through the CLI's one timestamp parser, which says what is
  // wrong with it.
  if (RFC3339_UTC.test(rfc3339) && realDateTime(rfc3339)) {
    const ms = Date.parse(rfc3339);
    if (!Number.isNaN(ms)) {
      const below = rfc3339.length > 24 ? BigInt(rfc3339.slice(23, -1).padEnd(6, '0')) : 0n;
      return BigInt(ms) * 1_000_000n + below;
    }
  }
  try {
    return parseTimestamp(rfc3339, `the ${kind}'s time`, 0n);
  } catch {
    throw unreadable(`a ${kind} came back with a time dora cannot read (${JSON.stringify(rfc3339)})`);
  }
}

/** `YYYY-MM-DDTHH:MM:SS…`: the day exists in its month (29 February in leap years), hours, minutes, seconds in range. */
function realDateTime(text: string): boolean {
  const digit = (at: number) => text.charCodeAt(at) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const month = digit(5) * 10 + digit(6);
  const day = digit(8) * 10 + digit(9);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day >= 1 && day <= days && digit(11) * 10 + digit(12) < 24 && digit(14) < 6 && digit(17) < 6;
}

function unreadable(why: string): DeliveryError {
  return new DeliveryError(`Datadog's answer could not be read: ${why}.`);
}
