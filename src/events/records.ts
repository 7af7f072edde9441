/**
 * The read and update half of the DORA API, pure: request bodies for listing and patching, and the answers read back
 * (checked with zod at this edge; unknown members pass, since the API may add some). In answers, times are RFC 3339
 * strings, not the integers dora sends.
 */
import * as z from 'zod/mini';
import { DeliveryError } from '../errors.js';
import { parseTimestamp } from '../time.js';
import { repositoryUrlProblem } from '../url.js';
import { compact, type JsonValue } from './json.js';

export type RecordKind = 'deployment' | 'incident';

/** Where each kind lives: the read paths are plural, the delete paths singular (the API's own choice). */
export const PATHS = {
  deployment: {
    fetch: (id: string) => `/api/v2/dora/deployments/${encodeURIComponent(id)}`,
    list: '/api/v2/dora/deployments',
    remove: (id: string) => `/api/v2/dora/deployment/${encodeURIComponent(id)}`,
    patch: (id: string) => `/api/v2/dora/deployments/${encodeURIComponent(id)}`,
    listType: 'dora_deployments_list_request',
  },
  incident: {
    fetch: (id: string) => `/api/v2/dora/failures/${encodeURIComponent(id)}`,
    list: '/api/v2/dora/failures',
    remove: (id: string) => `/api/v2/dora/failure/${encodeURIComponent(id)}`,
    patch: undefined,
    listType: 'dora_failures_list_request',
  },
} as const;

export interface ListQuery {
  /** Inclusive bounds as the list endpoints take them: RFC 3339 to the millisecond (see apiInstant). */
  from: string;
  to: string;
  limit: number;
  /** Datadog search syntax: `service:shop env:prod` (see searchQuery). */
  query?: string | undefined;
  /** The timestamp the answer is sorted on, newest first: `-finished_at` unless said otherwise. */
  sort?: string | undefined;
}

export function listBody(kind: RecordKind, list: ListQuery): JsonValue {
  return {
    data: {
      type: PATHS[kind].listType,
      attributes: compact({
        from: list.from,
        to: list.to,
        limit: list.limit,
        query: list.query,
        sort: list.sort ?? '-finished_at',
      }),
    },
  };
}

export type RemediationType = 'rollback' | 'rollforward';

export interface Patch {
  changeFailure: boolean;
  remediation?: { type: RemediationType } & ({ id: string } | { version: string });
}

export function patchBody(id: string, patch: Patch): JsonValue {
  return {
    data: {
      id,
      type: 'dora_deployment_patch_request',
      attributes: compact({ change_failure: patch.changeFailure, remediation: patch.remediation }),
    },
  };
}

/** The filters a search can carry; each becomes one term, a list an OR group: `service:(shop OR cart)`. */
export interface SearchTerms {
  service?: string | readonly string[] | undefined;
  env?: string | undefined;
  version?: string | undefined;
  team?: string | undefined;
  severity?: string | undefined;
}

/**
 * The one builder of search queries: `service:shop env:prod`, plus terms the user wrote themselves. Undefined when
 * there is nothing to search for. A failure matches `service:` when its `services` list holds the value.
 */
export function searchQuery(terms: SearchTerms, more?: string): string | undefined {
  const parts: string[] = [];
  for (const key of ['service', 'env', 'version', 'team', 'severity'] as const) {
    const value = terms[key];
    const values = value === undefined ? [] : typeof value === 'string' ? [value] : [...new Set(value)];
    if (values.length === 1) parts.push(`${key}:${searchValue(values[0] as string)}`);
    else if (values.length > 1) parts.push(`${key}:(${values.map(searchValue).join(' OR ')})`);
  }
  if (more !== undefined && more.trim() !== '') parts.push(more.trim());
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** A value as the search syntax reads it: bare when it is one plain word, else quoted with `"` and `\` escaped. */
export function searchValue(value: string): string {
  return /^[A-Za-z0-9_.:/@+-]+$/.test(value) && !/^(OR|AND|NOT)$/.test(value)
    ? value
    : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

// --- answers ---------------------------------------------------------------------------------------------------

/** The answers' schemas, built on first use: only the read verbs need them, and every run would pay for them. */
let schemas: ReturnType<typeof buildSchemas> | undefined;

function buildSchemas() {
  const text = z.optional(z.nullable(z.string()));
  const tags = z.optional(z.nullable(z.array(z.string())));
  const git = z.optional(z.nullable(z.looseObject({ commit_sha: text, repository_id: text, repository_url: text })));
  const shared = {
    started_at: z.string(),
    finished_at: text,
    env: text,
    version: text,
    team: text,
    custom_tags: tags,
    git,
  };
  const record = <T extends z.ZodMiniType>(attributes: T) =>
    z.looseObject({ id: z.string(), type: z.optional(z.string()), attributes });
  return {
    deployment: record(z.looseObject({ service: z.string(), ...shared })),
    incident: record(z.looseObject({ services: tags, name: text, severity: text, ...shared })),
  };
}

type Attributes = {
  service?: string;
  services?: string[] | null;
  started_at: string;
  finished_at?: string | null;
  name?: string | null;
  severity?: string | null;
  env?: string | null;
  version?: string | null;
  team?: string | null;
  custom_tags?: string[] | null;
  git?: { commit_sha?: string | null; repository_id?: string | null; repository_url?: string | null } | null;
};

/** A recorded event as read back, with its times as exact nanoseconds. */
export interface EventRecord {
  kind: RecordKind;
  id: string;
  startedAt: bigint;
  finishedAt?: bigint;
  services: string[];
  env?: string;
  version?: string;
  team?: string;
  name?: string;
  severity?: string;
  customTags: string[];
  commitSha?: string;
  /** As Datadog shows it: the repository URL, or its id (`github.com/org/repo`) where reads carry only that. */
  repository?: string;
  /** A URL the repository can be sent again with (`https://` and the id, when only the id came back). */
  repositoryUrl?: string;
  /** The API's `data` object as it came, for --json. */
  raw: unknown;
}

/** `{"data":{…}}` of a fetch, or throws a DeliveryError saying the answer could not be read. */
export function readFetched(kind: RecordKind, json: unknown, id: string): EventRecord {
  const data = (json as { data?: unknown } | undefined)?.data;
  // The other kind of event, said by its type: read as this kind, a deployment would pass for a resolved incident.
  const type = (data as { type?: unknown } | undefined)?.type;
  const other = kind === 'incident' ? /^dora_deployment/ : /^dora_(?:failure|incident)/;
  if (typeof type === 'string' && other.test(type)) {
    throw unreadable(`asked for the ${kind} ${id}, it answered with a ${JSON.stringify(type.slice(0, 64))}`);
  }
  const record = toRecord(kind, data);
  // Acting on another event than the one asked for (resolving it, say) would change the wrong thing.
  if (record.id !== id) {
    throw unreadable(
      `asked for the ${kind} ${id}, it answered with another one (${JSON.stringify(record.id.slice(0, 128))})`,
    );
  }
  return record;
}

/** `{"data":[…]}` of a list. */
export function readListed(kind: RecordKind, json: unknown): EventRecord[] {
  const data = (json as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) throw unreadable(`the list of ${kind}s has no data array`);
  return data.map((item) => toRecord(kind, item));
}

function toRecord(kind: RecordKind, data: unknown): EventRecord {
  schemas ??= buildSchemas();
  const parsed = schemas[kind].safeParse(data);
  if (!parsed.success)
    throw unreadable(
      `a ${kind} came back in a shape dora does not know (${parsed.error.issues[0]?.path.join('.') || 'not an object'})`,
    );
  const { id } = parsed.data;
  const a = parsed.data.attributes as Attributes;
  const value = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? undefined : v);
  const finishedAt = value(a.finished_at);
  const out: EventRecord = {
    kind,
    id,
    startedAt: instant(a.started_at, kind),
    services: kind === 'deployment' ? [a.service as string] : (a.services ?? []),
    customTags: a.custom_tags ?? [],
    raw: data,
  };
  if (finishedAt) out.finishedAt = instant(finishedAt, kind);
  for (const key of ['env', 'version', 'team', 'name', 'severity'] as const) {
    const v = value(a[key] as string | null | undefined);
    if (v !== undefined) out[key] = v;
  }
  const commit = value(a.git?.commit_sha);
  const url = value(a.git?.repository_url);
  const repository = url ?? value(a.git?.repository_id);
  if (commit) out.commitSha = commit;
  if (repository) out.repository = repository;
  const sendable = url ?? urlOfRepositoryId(repository);
  if (sendable) out.repositoryUrl = sendable;
  return out;
}

/**
 * Datadog reads a repository back as its id, host and path (`github.com/org/repo`, `gitlab.example.com:8443/g/r`):
 * as `https://` and that id it is a URL a send accepts again. Anything else (no host, a folder) is not sent back.
 */
function urlOfRepositoryId(id: string | undefined): string | undefined {
  if (id === undefined || !/^[A-Za-z0-9.-]+\.[A-Za-z0-9.-]+(?::\d+)?\/[^\s]+$/.test(id)) return undefined;
  const url = `https://${id}`;
  return repositoryUrlProblem(url) === undefined ? url : undefined;
}

function instant(rfc3339: string, kind: string): bigint {
  try {
    return parseTimestamp(rfc3339, `the ${kind}'s time`, 0n);
  } catch {
    throw unreadable(`a ${kind} came back with a time dora cannot read (${JSON.stringify(rfc3339)})`);
  }
}

function unreadable(why: string): DeliveryError {
  return new DeliveryError(`Datadog's answer could not be read: ${why}.`);
}
