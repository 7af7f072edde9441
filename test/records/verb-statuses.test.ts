/**
 * Every read and update verb against each class of answer, in-process (msw): 200/202 succeed, 403 exits 3 naming the
 * permission the application key lacks, 404 exits 4 as "no such …", 429 and 5xx are retried like sends, and a missing
 * application key exits 2 naming the variable before anything is sent.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const BASE = 'https://api.datadoghq.eu';
const API_KEY = 'statuses-api-key-0123456789abcdef';
const APP_KEY = 'statuses-app-key-0123456789abcdef0123';
const NOW = 1_795_700_000_000_000_000n;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ID = 'some-event-id-0000001';
const deployment = {
  id: ID,
  type: 'dora_deployment',
  attributes: { service: 'shop', env: 'prod', started_at: '2026-11-26T10:00:00Z', finished_at: '2026-11-26T10:05:00Z' },
};
const incident = {
  id: ID,
  type: 'dora_incident',
  attributes: { services: ['shop'], started_at: '2026-11-26T10:00:00Z' },
};

interface Verb {
  argv: string[];
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  ok: () => Response;
  permission: 'dora_metrics_read' | 'dora_metrics_write';
  noun: 'deployment' | 'incident';
}

const VERBS: Record<string, Verb> = {
  'deployment show': {
    argv: ['deployment', 'show', ID],
    method: 'GET',
    path: `/api/v2/dora/deployments/${ID}`,
    ok: () => HttpResponse.json({ data: deployment }),
    permission: 'dora_metrics_read',
    noun: 'deployment',
  },
  'deployment list': {
    argv: ['deployment', 'list'],
    method: 'POST',
    path: '/api/v2/dora/deployments',
    ok: () => HttpResponse.json({ data: [deployment] }),
    permission: 'dora_metrics_read',
    noun: 'deployment',
  },
  'deployment update': {
    argv: ['deployment', 'update', ID, '--no-change-failure'],
    method: 'PATCH',
    path: `/api/v2/dora/deployments/${ID}`,
    ok: () => HttpResponse.json({ data: null }, { status: 202 }),
    permission: 'dora_metrics_write',
    noun: 'deployment',
  },
  'deployment delete': {
    argv: ['deployment', 'delete', ID, '--yes'],
    method: 'DELETE',
    path: `/api/v2/dora/deployment/${ID}`,
    ok: () => new HttpResponse(null, { status: 202 }),
    permission: 'dora_metrics_write',
    noun: 'deployment',
  },
  'incident show': {
    argv: ['incident', 'show', ID],
    method: 'GET',
    path: `/api/v2/dora/failures/${ID}`,
    ok: () => HttpResponse.json({ data: incident }),
    permission: 'dora_metrics_read',
    noun: 'incident',
  },
  'incident list': {
    argv: ['incident', 'list'],
    method: 'POST',
    path: '/api/v2/dora/failures',
    ok: () => HttpResponse.json({ data: [incident] }),
    permission: 'dora_metrics_read',
    noun: 'incident',
  },
  'incident delete': {
    argv: ['incident', 'delete', ID, '--yes'],
    method: 'DELETE',
    path: `/api/v2/dora/failure/${ID}`,
    ok: () => new HttpResponse(null, { status: 202 }),
    permission: 'dora_metrics_write',
    noun: 'incident',
  },
};

/** Answers the verb's one endpoint with `replies` in turn (the last repeats); counts the calls and checks the keys. */
function answer(verb: Verb, ...replies: Array<() => Response>): { calls: number } {
  const seen = { calls: 0 };
  server.use(
    http.all(`${BASE}/api/v2/dora/*`, ({ request }) => {
      const path = new URL(request.url).pathname;
      if (request.method !== verb.method || path !== verb.path)
        return HttpResponse.json({ errors: [`unexpected ${request.method} ${path}`] }, { status: 418 });
      if (request.headers.get('dd-api-key') !== API_KEY || request.headers.get('dd-application-key') !== APP_KEY) {
        return HttpResponse.json({ errors: ['keys missing'] }, { status: 418 });
      }
      const reply = replies[Math.min(seen.calls, replies.length - 1)] as () => Response;
      seen.calls += 1;
      return reply();
    }),
  );
  return seen;
}

function dora(argv: string[], env: Record<string, string> = {}) {
  return runCli([...argv, '--max-attempts', '3'], {
    env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_SITE: 'datadoghq.eu', ...env },
    nowNs: () => NOW,
    clock: virtualClock(),
    random: () => 0.5,
  });
}

const status =
  (code: number, body: { errors: string[] } = { errors: ['nope'] }) =>
  () =>
    HttpResponse.json(body, { status: code });

describe.each(Object.entries(VERBS))('dora %s', (_name, verb) => {
  it('succeeds on the documented answer, exit 0', async () => {
    const seen = answer(verb, verb.ok);
    const run = await dora(verb.argv);
    expect(run.code, run.stderr).toBe(0);
    expect(seen.calls).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toContain(APP_KEY);
  });

  it('403 exits 3 naming the permission the application key needs', async () => {
    answer(verb, status(403, { errors: ['Forbidden'] }));
    const run = await dora(verb.argv);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(verb.permission);
    expect(run.stderr).toContain('DD_APP_KEY');
    expect(run.stdout).toBe('');
  });

  it('404 exits 4', async () => {
    answer(verb, status(404, { errors: ['Not found'] }));
    const run = await dora(verb.argv);
    expect(run.code).toBe(4);
    if (verb.method !== 'POST') expect(run.stderr).toContain(`No such ${verb.noun}`);
  });

  it('429 and 503 are retried, then the answer is taken', async () => {
    const seen = answer(verb, status(429), status(503), verb.ok);
    const run = await dora(verb.argv);
    expect(run.code, run.stderr).toBe(0);
    expect(seen.calls).toBe(3);
    expect(run.stderr).toMatch(/Attempt 1 failed \(HTTP 429/);
  });

  it('5xx on every attempt exits 5', async () => {
    const seen = answer(verb, status(502, { errors: ['bad gateway'] }));
    const run = await dora(verb.argv);
    expect(run.code).toBe(5);
    expect(seen.calls).toBe(3);
  });

  it('without an application key exits 2 naming the variable, and sends nothing', async () => {
    const seen = answer(verb, verb.ok);
    const run = await dora(verb.argv, { DD_APP_KEY: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DD_APP_KEY \(or DATADOG_APP_KEY\)/);
    expect(run.stderr).toContain(verb.permission);
    expect(seen.calls).toBe(0);
  });
});

describe('an answer in a shape dora does not know', () => {
  it.each([
    ['deployment show', { data: { id: 7, attributes: {} } }],
    ['incident show', { data: null }],
    ['deployment list', { data: { not: 'an array' } }],
    ['incident list', { data: [{ id: ID, type: 'dora_incident', attributes: { started_at: 'yesterday' } }] }],
  ])('dora %s exits 5 with a clear message and prints nothing on stdout', async (name, body) => {
    const verb = VERBS[name] as Verb;
    answer(verb, () => HttpResponse.json(body));
    const run = await dora(verb.argv);
    expect(run.code).toBe(5);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/error: .*(shape|data array|could not)/);
  });
});
