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

function buildSchemas() {
  const text = z.optional(z.nullable(z.string()));
  /** An undocumented member: its value when it has the expected type, else undefined. */
  const extra = <T extends z.ZodMiniType>(schema: T) => z.optional(z.catch(z.optional(schema), undefined));
  const shared = { started_at: z.string(), env: text, team: text, version: text };
  const row = <T extends z.ZodMiniType>(attributes: T) => z.looseObject({ id: z.string(), attributes });
  return {
    deployment: row(
      z.looseObject({
        ...shared,
        service: z.string(),
        finished_at: z.string(),
        git: z.optional(z.nullable(z.looseObject({ commit_sha: text }))),
        change_failure: extra(z.nullable(z.boolean())),
        deployment_type: extra(z.string()),
        recovery_time_sec: extra(z.number()),
        remediation: extra(z.looseObject({ id: extra(z.string()) })),
        commits: extra(
          z.array(
            z.looseObject({
              commit_sha: extra(z.string()),
              sha: extra(z.string()),
              change_lead_time: extra(z.number()),
            }),
          ),
        ),
      }),
    ),
    failure: row(
      z.looseObject({
        ...shared,
        finished_at: text,
        services: z.optional(z.nullable(z.array(z.string()))),
      }),
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
    change_failure?: boolean | null;
    deployment_type?: string;
    recovery_time_sec?: number;
    remediation?: { id?: string };
    commits?: Array<{ commit_sha?: string; sha?: string; change_lead_time?: number }>;
  };
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
  if (a.change_failure !== undefined) out.changeFailure = a.change_failure;
  if (a.deployment_type !== undefined) out.deploymentType = a.deployment_type;
  if (a.recovery_time_sec !== undefined && Number.isFinite(a.recovery_time_sec))
    out.recoveryTimeSec = a.recovery_time_sec;
  const remediationId = present(a.remediation?.id);
  if (remediationId !== undefined) out.remediationId = remediationId;
  if (a.commits !== undefined) {
    out.commits = a.commits.map((commit) => {
      const figure: CommitFigure = {};
      const sha = present(commit.commit_sha ?? commit.sha);
      if (sha !== undefined) figure.sha = sha;
      if (commit.change_lead_time !== undefined && Number.isFinite(commit.change_lead_time))
        figure.changeLeadTimeSec = commit.change_lead_time;
      return figure;
    });
  }
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

/** An empty string carries no value: the API sends "" for some unset members. */
function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

function instant(rfc3339: string, kind: EventKind): bigint {
  try {
    return parseTimestamp(rfc3339, `the ${kind}'s time`, 0n);
  } catch {
    throw unreadable(`a ${kind} came back with a time dora cannot read (${JSON.stringify(rfc3339)})`);
  }
}

function unreadable(why: string): DeliveryError {
  return new DeliveryError(`Datadog's answer could not be read: ${why}.`);
}
