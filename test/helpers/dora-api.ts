/**
 * A stand-in for Datadog's DORA API that keeps what it is sent and speaks the documented shapes of every endpoint:
 * POST deployment/failure, GET deployments/{id} and failures/{id} (RFC 3339 times), the list POSTs (`type` required,
 * `query` terms, `-finished_at`), PATCH deployments/{id} (202 `{"data":null}`), DELETE deployment/{id} and
 * failure/{id} (202, no body). Read and update calls need DD-APPLICATION-KEY. Pure: `answer` takes a request and
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
  answer(request: {
    method: string;
    path: string;
    body: string;
    headers: Record<string, string | string[] | undefined>;
  }): Reply;
}

const rfc3339 = (ns: unknown) => new Date(Number(BigInt(String(ns)) / 1_000_000n)).toISOString();

export function doraApi(seed: StoredEvent[] = []): DoraApi {
  const api: DoraApi = {
    events: [...seed],
    log: [],
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
        const body = JSON.parse(request.body) as {
          data?: { type?: string; attributes?: { query?: string; limit?: number } };
        };
        if (
          body.data?.type !== (kind === 'deployment' ? 'dora_deployments_list_request' : 'dora_failures_list_request')
        ) {
          return json(400, { errors: [{ title: 'Bad Request', detail: 'data.type is required' }] });
        }
        const terms = [...(body.data.attributes?.query ?? '').matchAll(/(\w+):("(?:[^"\\]|\\.)*"|\S+)/g)].map(
          ([, key, value]) => [
            key as string,
            (value as string).startsWith('"') ? (JSON.parse(value as string) as string) : (value as string),
          ],
        );
        const matches = api.events
          .filter((event) => event.kind === kind)
          .filter((event) =>
            terms.every(([key, value]) =>
              key === 'service' && kind === 'incident'
                ? (event.attributes.services as string[] | undefined)?.includes(value as string)
                : event.attributes[key as string] === value,
            ),
          )
          .sort((a, b) =>
            BigInt(String(b.attributes.finished_at ?? 0)) > BigInt(String(a.attributes.finished_at ?? 0)) ? 1 : -1,
          )
          .slice(0, body.data.attributes?.limit ?? 20);
        return json(200, { data: matches.map(toData) });
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
