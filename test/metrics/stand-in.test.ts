/** The stand-in's list endpoints hold to Datadog's paging contract, which the metrics tests rely on. */
import { describe, expect, it } from 'vitest';
import { doraApi, type StoredEvent } from '../helpers/dora-api.js';
import { at, deployment, failure, MINUTE } from './stand-in.js';

const T = at('2026-11-10T00:00:00Z');

function list(events: StoredEvent[], path: string, attributes: Record<string, unknown>) {
  const api = doraApi(events);
  const type = path.endsWith('deployments') ? 'dora_deployments_list_request' : 'dora_failures_list_request';
  const reply = api.answer({
    method: 'POST',
    path,
    body: JSON.stringify({ data: { type, attributes } }),
    headers: { 'dd-application-key': 'app-key-for-tests' },
  });
  if (typeof reply === 'string') throw new Error('unexpected');
  return {
    status: reply.status,
    body: JSON.parse(reply.body ?? 'null') as { data?: Array<{ id: string; attributes: Record<string, unknown> }> },
  };
}

const many = Array.from({ length: 30 }, (_, i) =>
  deployment(`dep-${String(i).padStart(3, '0')}`, T + BigInt(i) * MINUTE),
);

describe('stand-in list endpoints', () => {
  it('refuses a number for from or to, as Datadog does', () => {
    expect(list(many, '/api/v2/dora/deployments', { from: 1795000000, to: '2026-12-01T00:00:00Z' }).status).toBe(400);
    expect(list(many, '/api/v2/dora/failures', { to: 1795000000000 }).status).toBe(400);
  });

  it('answers 10 events without a limit, and refuses a limit over 1000', () => {
    expect(list(many, '/api/v2/dora/deployments', {}).body.data).toHaveLength(10);
    expect(list(many, '/api/v2/dora/deployments', { limit: 1001 }).status).toBe(400);
    expect(list(many, '/api/v2/dora/deployments', { limit: 1000 }).body.data).toHaveLength(30);
  });

  it('filters from and to inclusively to the millisecond, newest first', () => {
    const { body } = list(many, '/api/v2/dora/deployments', {
      from: '2026-11-10T00:05:00.000Z',
      to: '2026-11-10T00:07:00Z',
      limit: 100,
      sort: '-finished_at',
    });
    expect(body.data?.map((row) => row.id)).toEqual(['dep-007', 'dep-006', 'dep-005']);
    expect(body.data?.[0]?.attributes.finished_at).toBe('2026-11-10T00:07:00.000Z');
  });

  it('dates failures by their start, so open ones are listed; sorts them on the member asked for', () => {
    const events = [
      failure('open-one', T + MINUTE, undefined),
      failure('resolved', T, T + 3n * MINUTE),
      failure('started-before', T - MINUTE, T + 2n * MINUTE),
    ];
    const window = { from: '2026-11-10T00:00:00Z', to: '2026-11-10T01:00:00Z', limit: 10 };
    const byStart = list(events, '/api/v2/dora/failures', { ...window, sort: '-started_at' });
    expect(byStart.body.data?.map((row) => row.id)).toEqual(['open-one', 'resolved']);
    const byFinish = list(events, '/api/v2/dora/failures', { ...window, sort: '-finished_at' });
    expect(byFinish.body.data?.map((row) => row.id)).toEqual(['resolved', 'open-one']);
  });

  it('serves the members a live org adds when seeded, and what a PATCH set', () => {
    const extra = {
      change_failure: null,
      deployment_type: 'rollback',
      recovery_time_sec: 120,
      commits: [{ commit_sha: 'a'.repeat(40), change_lead_time: 3600 }],
    };
    const api = doraApi([deployment('seeded-0000000001', T, { extra }), deployment('patched-000000001', T + MINUTE)]);
    api.answer({
      method: 'PATCH',
      path: '/api/v2/dora/deployments/patched-000000001',
      body: JSON.stringify({
        data: {
          id: 'patched-000000001',
          type: 'dora_deployment_patch_request',
          attributes: { change_failure: true, remediation: { id: 'fix-0000000000001', type: 'rollforward' } },
        },
      }),
      headers: { 'dd-application-key': 'app-key-for-tests' },
    });
    const reply = api.answer({
      method: 'POST',
      path: '/api/v2/dora/deployments',
      body: JSON.stringify({ data: { type: 'dora_deployments_list_request', attributes: { limit: 10 } } }),
      headers: { 'dd-application-key': 'app-key-for-tests' },
    });
    const rows = JSON.parse(typeof reply === 'string' ? '' : (reply.body ?? '')).data as Array<{
      id: string;
      attributes: Record<string, unknown>;
    }>;
    expect(rows.find((row) => row.id === 'seeded-0000000001')?.attributes).toMatchObject(extra);
    expect(rows.find((row) => row.id === 'patched-000000001')?.attributes).toMatchObject({
      change_failure: true,
      remediation: { id: 'fix-0000000000001', type: 'rollforward' },
    });
  });

  it('reads OR groups and quoted values in the query', () => {
    const events = [
      deployment('a-0000000000000001', T, { service: 'shop', team: 'data eng' }),
      deployment('b-0000000000000001', T, { service: 'cart', team: 'web' }),
      deployment('c-0000000000000001', T, { service: 'search', team: 'data eng' }),
    ];
    const { body } = list(events, '/api/v2/dora/deployments', { query: 'service:(shop OR search) team:"data eng"' });
    expect(body.data?.map((row) => row.id).sort()).toEqual(['a-0000000000000001', 'c-0000000000000001']);
  });
});
