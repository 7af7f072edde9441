/**
 * A stand-in for Datadog's DORA API that keeps what it is sent and speaks the documented shapes of every endpoint:
 * POST deployment/failure, GET deployments/{id} and failures/{id} (RFC 3339 times), the list POSTs, PATCH
 * deployments/{id} (202 `{"data":null}`), DELETE deployment/{id} and failure/{id} (202, no body).
 *
 * The list POSTs page as Datadog's do: `type` required; `from`/`to` inclusive RFC 3339 instants read to the
 * millisecond (a number is a 400), filtering on each event's own date (a deployment's `finished_at`, a failure's
 * `started_at`); `limit` 1 to 1000, 10 when absent; `sort` on `finished_at` or `started_at` (`-` descending,
 * `-finished_at` when absent; events without that member last); `query` terms `key:value`, `key:"a b"` and
 * `key:(a OR b)` (a failure matches `service:` when its `services` holds it); no cursor. Whatever else an event was
 * seeded with (`change_failure`, `deployment_type`, `recovery_time_sec`, `remediation`, `commits`,
 * `time_to_restore`, …) is served as a live org's list answers carry it, and so is what a PATCH set. Read and update calls need DD-APPLICATION-KEY. Pure: `answer` takes a request and
 * returns the reply, so msw (in-process) and a real server (end to end) can both serve it.
 */
import type { RecordedRequest, Reply } from './intake.js';

export interface StoredEvent {
  kind: 'deployment' | 'incident';
  id: string;
  attributes: Record<string, unknown>;
  changeFailure?: boolean;
  remediation?: Record<string, unknown>;
}

export interface DoraApi {
  events: StoredEvent[];
  /** Every request, in order: method and path. */
  log: string[];
  /** Answer every read and update with this status (403: a key without the permission). */
  refuseReads?: number;
  /** Order the events that share a sort key differently on every list request, as nothing promises an order. */
  shuffleTies?: boolean;
  /** How many list requests were answered (200). */
  listRequests: number;
  answer(request: {
    method: string;
    path: string;
    body: string;
    headers: Record<string, string | string[] | undefined>;
  }): Reply;
}

const rfc3339 = (ns: unknown) => new Date(Number(BigInt(String(ns)) / 1_000_000n)).toISOString();

/** Stored times are nanosecond digits; the API filters at millisecond precision and answers in RFC 3339. */
const nsOf = (value: unknown) => (value === undefined || value === null ? undefined : BigInt(String(value)));
const msOf = (value: unknown) => {
  const ns = nsOf(value);
  return ns === undefined ? undefined : Number(ns / 1_000_000n);
};

/** Datadog's documented list default (`limit` 10) and maximum (1000). */
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 1000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface ListRequest {
  fromMs: number;
  toMs: number;
  limit: number;
  query: string;
  sortField: 'finished_at' | 'started_at';
  descending: boolean;
}

/** The list request's attributes as Datadog checks them, or the 400's detail. */
function listRequest(attributes: Record<string, unknown>): ListRequest | string {
  const instant = (name: 'from' | 'to', fallback: number): number | string => {
    const value = attributes[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !RFC3339.test(value)) return `${name} must be an RFC 3339 date-time`;
    const ms = Date.parse(value.replace(/\.(\d{3})\d+/, '.$1'));
    return Number.isNaN(ms) ? `${name} must be an RFC 3339 date-time` : ms;
  };
  const fromMs = instant('from', -Infinity);
  const toMs = instant('to', Infinity);
  if (typeof fromMs === 'string') return fromMs;
  if (typeof toMs === 'string') return toMs;
  const limit = attributes.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return `limit must be a whole number from 1 to ${MAX_LIMIT}`;
  const sort = attributes.sort ?? '-finished_at';
  const order = typeof sort === 'string' ? /^(-?)(finished_at|started_at)$/.exec(sort) : null;
  if (!order) return 'sort must be finished_at or started_at, with - for descending';
  const query = attributes.query ?? '';
  if (typeof query !== 'string') return 'query must be a string';
  return {
    fromMs,
    toMs,
    limit,
    query,
    sortField: order[2] as ListRequest['sortField'],
    descending: order[1] === '-',
  };
}

/** `service:shop env:"a b" team:(web OR "data eng")` as [key, accepted values] pairs. */
function searchTerms(query: string): Array<[string, string[]]> {
  const value = (raw: string) => (raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  const terms: Array<[string, string[]]> = [];
  for (const [, key, group, single] of query.matchAll(/(\w+):(?:\(([^)]*)\)|("(?:[^"\\]|\\.)*"|\S+))/g)) {
    const values =
      group === undefined
        ? [value(single as string)]
        : [...group.matchAll(/"(?:[^"\\]|\\.)*"|[^\s"]+/g)]
            .map(([raw]) => raw)
            .filter((raw) => raw !== 'OR')
            .map(value);
    terms.push([key as string, values]);
  }
  return terms;
}

/** A small, stable hash: the same id and request always give the same tie order. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function doraApi(seed: StoredEvent[] = []): DoraApi {
  const api: DoraApi = {
    events: [...seed],
    log: [],
    listRequests: 0,
    answer(request) {
      const { method } = request;
      const path = request.path.split('?')[0] ?? '';
      api.log.push(`${method} ${path}`);
      const json = (status: number, body?: unknown): Reply => ({
        status,
        body: body === undefined ? '' : JSON.stringify(body),
        headers: { 'content-type': 'application/vnd.api+json' },
      });
      const write = method === 'POST' && (path === '/api/v2/dora/deployment' || path === '/api/v2/dora/failure');
      if (!write) {
        if (!request.headers['dd-application-key'])
          return json(403, { errors: ['Forbidden: an application key is required'] });
        if (api.refuseReads) return json(api.refuseReads, { errors: ['Forbidden'] });
      }
      if (write) {
        const parsed = JSON.parse(request.body) as { data: { attributes: Record<string, unknown> } };
        const kind = path.endsWith('deployment') ? 'deployment' : 'incident';
        // Raw text, to keep the nanoseconds JSON.parse would round.
        const exact = (name: string) => new RegExp(`"${name}":(\\d+)`).exec(request.body)?.[1];
        const attributes: Record<string, unknown> = {
          ...parsed.data.attributes,
          started_at: exact('started_at'),
          ...(parsed.data.attributes.finished_at !== undefined ? { finished_at: exact('finished_at') } : {}),
        };
        const id = String(attributes.id);
        api.events = api.events.filter((event) => event.id !== id);
        api.events.push({ kind, id, attributes });
        return json(202, { data: { id, type: kind === 'deployment' ? 'dora_deployment' : 'dora_failure' } });
      }
      const fetch = /^\/api\/v2\/dora\/(deployments|failures)\/([^/]+)$/.exec(path);
      if (fetch && method === 'GET') {
        const found = find(
          fetch[1] === 'deployments' ? 'deployment' : 'incident',
          decodeURIComponent(fetch[2] as string),
        );
        return found ? json(200, { data: toData(found) }) : json(404, { errors: ['Not found'] });
      }
      if (fetch && method === 'PATCH' && fetch[1] === 'deployments') {
        const found = find('deployment', decodeURIComponent(fetch[2] as string));
        if (!found) return json(404, { errors: ['Not found'] });
        const patch = JSON.parse(request.body) as {
          data: {
            id: string;
            type: string;
            attributes: { change_failure?: boolean; remediation?: Record<string, unknown> };
          };
        };
        if (patch.data.type !== 'dora_deployment_patch_request' || patch.data.id !== found.id)
          return json(400, { errors: [{ title: 'Bad Request', detail: 'bad patch' }] });
        if (patch.data.attributes.change_failure !== undefined)
          found.changeFailure = patch.data.attributes.change_failure;
        if (patch.data.attributes.remediation) found.remediation = patch.data.attributes.remediation;
        return json(202, { data: null });
      }
      const list = /^\/api\/v2\/dora\/(deployments|failures)$/.exec(path);
      if (list && method === 'POST') {
        const kind = list[1] === 'deployments' ? 'deployment' : 'incident';
        const body = JSON.parse(request.body) as { data?: { type?: string; attributes?: Record<string, unknown> } };
        if (
          body.data?.type !== (kind === 'deployment' ? 'dora_deployments_list_request' : 'dora_failures_list_request')
        ) {
          return json(400, { errors: [{ title: 'Bad Request', detail: 'data.type is required' }] });
        }
        const asked = listRequest(body.data.attributes ?? {});
        if (typeof asked === 'string') return json(400, { errors: [{ title: 'Bad Request', detail: asked }] });
        api.listRequests++;
        const terms = searchTerms(asked.query);
        // The event's own date, the one `from`/`to` filter on: a deployment's finish, a failure's start (open
        // failures have no finish, and the list still returns them).
        const dated = kind === 'deployment' ? 'finished_at' : 'started_at';
        const matches = api.events
          .filter((event) => event.kind === kind)
          .filter((event) => {
            const ms = msOf(event.attributes[dated]);
            return ms !== undefined && ms >= asked.fromMs && ms <= asked.toMs;
          })
          .filter((event) =>
            terms.every(([key, values]) =>
              key === 'service' && kind === 'incident'
                ? values.some((value) => (event.attributes.services as string[] | undefined)?.includes(value))
                : values.includes(event.attributes[key] as string),
            ),
          );
        const tie = (event: StoredEvent) => (api.shuffleTies ? hash(`${event.id}#${api.listRequests}`) : 0);
        const keyed = matches.map((event) => ({
          event,
          key: nsOf(event.attributes[asked.sortField]),
          tie: tie(event),
        }));
        keyed.sort(
          (a, b) =>
            (a.key === undefined ? 1 : 0) - (b.key === undefined ? 1 : 0) ||
            (a.key === b.key ? 0 : (a.key as bigint) < (b.key as bigint) === asked.descending ? 1 : -1) ||
            a.tie - b.tie,
        );
        return json(200, { data: keyed.slice(0, asked.limit).map(({ event }) => toData(event)) });
      }
      const remove = /^\/api\/v2\/dora\/(deployment|failure)\/([^/]+)$/.exec(path);
      if (remove && method === 'DELETE') {
        const kind = remove[1] === 'deployment' ? 'deployment' : 'incident';
        const id = decodeURIComponent(remove[2] as string);
        if (!find(kind, id)) return json(404, { errors: ['Not found'] });
        api.events = api.events.filter((event) => !(event.kind === kind && event.id === id));
        return { status: 202 };
      }
      return json(404, { errors: [`no route for ${method} ${path}`] });
    },
  };
  const find = (kind: StoredEvent['kind'], id: string) =>
    api.events.find((event) => event.kind === kind && event.id === id);
  return api;
}

function toData(event: StoredEvent): unknown {
  const {
    id: _id,
    git,
    started_at: started,
    finished_at: finished,
    ...rest
  } = event.attributes as Record<string, unknown> & { git?: { repository_url: string; commit_sha: string } };
  const attributes: Record<string, unknown> = { ...rest, started_at: rfc3339(started) };
  // What a PATCH set is what a live org's list answers show afterwards.
  if (event.changeFailure !== undefined) attributes.change_failure = event.changeFailure;
  if (event.remediation !== undefined) attributes.remediation = event.remediation;
  if (finished !== undefined) attributes.finished_at = rfc3339(finished);
  if (git)
    attributes.git =
      event.kind === 'deployment'
        ? {
            commit_sha: git.commit_sha,
            repository_id: git.repository_url.replace(/^https?:\/\//, '').replace(/\.git$/, ''),
          }
        : git;
  return { id: event.id, type: event.kind === 'deployment' ? 'dora_deployment' : 'dora_incident', attributes };
}

/** The API as a reply function for test/helpers/intake.ts's real server. */
export function serve(api: DoraApi): (request: RecordedRequest) => Reply {
  return (request) =>
    api.answer({ method: request.method, path: request.path, body: request.body, headers: request.headers });
}
