/** The calls of the read and update half of the API, as the client makes them: method, path, body and wording. */
import { type ListQuery, listBody, PATHS, type Patch, patchBody, type RecordKind } from '../events/records.js';
import type { PageRequest } from '../metrics/paging.js';
import type { PlannedCall } from './client.js';

const NOUN: Record<RecordKind, string> = { deployment: 'deployment', incident: 'incident' };

export function fetchCall(kind: RecordKind, id: string): PlannedCall {
  const path = PATHS[kind].fetch(id);
  return { method: 'GET', path, action: 'read', noun: NOUN[kind], title: `${NOUN[kind]} ${id}`, appKey: true };
}

/** A page of up to 1000 events outgrows the default body limit: this much of it is read. */
const LIST_BODY_BYTES = 16 * 1024 * 1024;

export function listCall(kind: RecordKind, query: ListQuery): PlannedCall {
  return {
    method: 'POST',
    path: PATHS[kind].list,
    body: listBody(kind, query),
    action: 'read',
    noun: NOUN[kind],
    title: `${NOUN[kind]}s`,
    appKey: true,
    needsJson: true,
    maxBodyBytes: LIST_BODY_BYTES,
    many: true,
  };
}

export function deleteCall(kind: RecordKind, id: string): PlannedCall {
  const path = PATHS[kind].remove(id);
  return { method: 'DELETE', path, action: 'delete', noun: NOUN[kind], title: `${NOUN[kind]} ${id}`, appKey: true };
}

/** One page of a paged read (src/metrics/paging.ts): the paging's kinds are the API's deployments and failures. */
export function pageCall(page: PageRequest): PlannedCall {
  const { from, to, limit, query, sort } = page;
  return listCall(page.kind === 'failure' ? 'incident' : 'deployment', { from, to, limit, query, sort });
}

/** The PATCH that marks deployment `id`; in a dry run the id may be a placeholder, since no lookup has run. */
export function patchCall(id: string, patch: Patch): PlannedCall {
  const body = patchBody(id, patch);
  const path = PATHS.deployment.patch(id);
  return { method: 'PATCH', path, body, action: 'update', noun: 'deployment', title: `deployment ${id}`, appKey: true };
}
