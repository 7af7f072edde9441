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
import type { CommitFigure, Deployment, EventKind, Failure } from './types.js';

/** Built on first use: only `dora metrics` needs them. */
let schemas: ReturnType<typeof buildSchemas> | undefined;

/** The documented members, checked with zod; the undocumented ones are read by `extras` below. */
function buildSchemas() {
  const text = z.optional(z.nullable(z.string()));
  const shared = { started_at: z.string(), env: text, team: text, version: text };
  const row = <T extends z.ZodMiniType>(attributes: T) => z.looseObject({ id: z.string(), attributes });
  return {
    deployment: row(
      z.looseObject({
        ...shared,
        service: z.string(),
        finished_at: z.string(),
        git: z.optional(z.nullable(z.looseObject({ commit_sha: text }))),
      }),
    ),
    failure: row(
      z.looseObject({ ...shared, finished_at: text, services: z.optional(z.nullable(z.array(z.string()))) }),
    ),
  };
}

interface DeploymentRow {
  id: string;
  attributes: {
    service: string;
    started_at: string;
    finished_at: string;
    env?: string | null;
    team?: string | null;
    version?: string | null;
    git?: { commit_sha?: string | null } | null;
  } & Record<string, unknown>;
}

interface FailureRow {
  id: string;
  attributes: {
    started_at: string;
    finished_at?: string | null;
    env?: string | null;
    team?: string | null;
    services?: string[] | null;
  };
}

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
      const where = parsed.error.issues[0]?.path.join('.') || '?';
      throw unreadable(`a ${kind} came back in a shape dora does not know (${where})`);
    }
    return kind === 'deployment' ? toDeployment(parsed.data as DeploymentRow) : toFailure(parsed.data as FailureRow);
  }) as Deployment[] | Failure[];
}

function toDeployment({ id, attributes: a }: DeploymentRow): Deployment {
  const out: Deployment = {
    id,
    service: a.service,
    startedAt: instant(a.started_at, 'deployment'),
    finishedAt: instant(a.finished_at, 'deployment'),
  };
  const env = present(a.env);
  const team = present(a.team);
  const version = present(a.version);
  const commitSha = present(a.git?.commit_sha);
  if (env !== undefined) out.env = env;
  if (team !== undefined) out.team = team;
  if (version !== undefined) out.version = version;
  if (commitSha !== undefined) out.commitSha = commitSha.toLowerCase();
  extras(a, out);
  return out;
}

function toFailure({ id, attributes: a }: FailureRow): Failure {
  const out: Failure = {
    id,
    services: (a.services ?? []).filter((service) => service !== ''),
    startedAt: instant(a.started_at, 'failure'),
  };
  const finished = present(a.finished_at);
  const env = present(a.env);
  const team = present(a.team);
  if (finished !== undefined) out.finishedAt = instant(finished, 'failure');
  if (env !== undefined) out.env = env;
  if (team !== undefined) out.team = team;
  return out;
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
    out.commits = a.commits.map((commit: unknown) => {
      const figure: CommitFigure = {};
      if (typeof commit !== 'object' || commit === null) return figure;
      const { commit_sha: commitSha, sha, change_lead_time: leadTime } = commit as Record<string, unknown>;
      const name =
        typeof commitSha === 'string' && commitSha ? commitSha : typeof sha === 'string' && sha ? sha : undefined;
      if (name !== undefined) figure.sha = name;
      if (isNumber(leadTime)) figure.changeLeadTimeSec = leadTime;
      return figure;
    });
  }
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** An empty string carries no value: the API sends "" for some unset members. */
function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** RFC 3339 in UTC as the API writes it: `2026-11-26T10:00:00Z`, `2026-11-26T10:00:00.123456789Z`. */
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?Z$/;

function instant(rfc3339: string, kind: EventKind): bigint {
  // The API's own form by the engine's parser (which keeps milliseconds and rolls 30 February over to March: the
  // round trip refuses that), the digits below a millisecond added exactly. Any other form goes through the one
  // timestamp parser of the CLI.
  const match = RFC3339_UTC.exec(rfc3339);
  if (match) {
    const ms = Date.parse(rfc3339);
    if (!Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === rfc3339.slice(0, 19)) {
      const fraction = match[1] ?? '';
      return BigInt(ms) * 1_000_000n + (fraction.length > 3 ? BigInt(fraction.slice(3).padEnd(6, '0')) : 0n);
    }
  }
  try {
    return parseTimestamp(rfc3339, `the ${kind}'s time`, 0n);
  } catch {
    throw unreadable(`a ${kind} came back with a time dora cannot read (${JSON.stringify(rfc3339)})`);
  }
}

function unreadable(why: string): DeliveryError {
  return new DeliveryError(`Datadog's answer could not be read: ${why}.`);
}
