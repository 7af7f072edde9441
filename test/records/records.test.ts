/**
 * Change failures and reading back, through the whole CLI in-process against a stand-in DORA API (msw) that keeps
 * what it is sent and answers in Datadog's documented shapes. Every body dora sends is checked against the official
 * request models.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type DoraApi, doraApi, type StoredEvent } from '../helpers/dora-api.js';
import { checkAgainstModel, type RequestModel } from '../helpers/models.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const BASE = 'https://api.datadoghq.eu';
const API_KEY = 'records-api-key-0123456789abcdef';
const APP_KEY = 'records-app-key-0123456789abcdef01234567';
const NOW = 1_795_700_000_000_000_000n; // 2026-11-26T13:33:20Z

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const MODELS: Record<string, RequestModel> = {
  'POST /api/v2/dora/deployment': 'DORADeploymentRequest',
  'POST /api/v2/dora/failure': 'DORAFailureRequest',
  'POST /api/v2/dora/deployments': 'DORAListDeploymentsRequest',
  'POST /api/v2/dora/failures': 'DORAListFailuresRequest',
};

/** Serves `api` through msw, checking each body against its model on the way in. */
function serve(api: DoraApi): void {
  server.use(
    http.all(`${BASE}/api/v2/dora/*`, async ({ request }) => {
      const path = new URL(request.url).pathname;
      const body = await request.text();
      const model = request.method === 'PATCH' ? 'DORADeploymentPatchRequest' : MODELS[`${request.method} ${path}`];
      if (model) checkAgainstModel(body, model);
      const reply = api.answer({ method: request.method, path, body, headers: Object.fromEntries(request.headers) });
      if (typeof reply === 'string') throw new Error('not used here');
      return new HttpResponse(reply.status === 202 && !reply.body ? null : (reply.body ?? null), {
        status: reply.status,
        headers: reply.headers ?? {},
      });
    }),
  );
}

let ids = 0;
function dora(argv: string[], env: Record<string, string> = {}) {
  return runCli(argv, {
    env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_SITE: 'datadoghq.eu', ...env },
    nowNs: () => NOW,
    clock: virtualClock(),
    random: () => 0.5,
    newId: () => `new-deployment-id-${String(++ids).padStart(4, '0')}`,
  });
}

const deployed = (id: string, version: string, finishedS: number, more: Record<string, unknown> = {}): StoredEvent => ({
  kind: 'deployment',
  id,
  attributes: {
    service: 'shop',
    env: 'prod',
    version,
    started_at: `${finishedS - 60}000000000`,
    finished_at: `${finishedS}000000000`,
    git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: 'a'.repeat(40) },
    ...more,
  },
});

describe('--rollback-of / --rollforward-of', () => {
  it('records the rollback, then marks the newest earlier deployment of that version, with this one as remediation', async () => {
    const api = doraApi([
      deployed('old-140-aaaaaaaaaaaa', '1.4.0', 1795600000),
      deployed('bad-142-newer-aaaaaaa', '1.4.2', 1795690000),
      deployed('bad-142-older-aaaaaaa', '1.4.2', 1795650000),
    ]);
    serve(api);
    const run = await dora([
      'deployment',
      '--service',
      'shop',
      '--env',
      'prod',
      '--version',
      '1.4.0',
      '--started-at',
      '-2m',
      '--skip-git',
      '--rollback-of',
      '1.4.2',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const newId = JSON.parse(run.stdout).id as string;
    expect(api.events.find((event) => event.id === 'bad-142-newer-aaaaaaa')).toMatchObject({
      changeFailure: true,
      remediation: { id: newId, type: 'rollback' },
    });
    expect(api.events.find((event) => event.id === 'bad-142-older-aaaaaaa')?.changeFailure).toBeUndefined();
    expect(api.log).toEqual([
      'POST /api/v2/dora/deployment',
      'POST /api/v2/dora/deployments',
      'PATCH /api/v2/dora/deployments/bad-142-newer-aaaaaaa',
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      remediated: { id: 'bad-142-newer-aaaaaaa', version: '1.4.2', type: 'rollback', status: 202 },
    });
    expect(run.stderr).toContain('Marked deployment bad-142-newer-aaaaaaa (shop 1.4.2) as a change failure');
  });

  it('commands printed to run later keep --site: the mark, the resend and the resolve go where this run went', async () => {
    serve(doraApi([]));
    const mark = await dora([
      'deployment',
      '--service',
      'shop',
      '--version',
      '1.4.0',
      '--env',
      'prod',
      '--started-at',
      '-2m',
      '--skip-git',
      '--rollback-of',
      '9.9.9',
      '--site',
      'datadoghq.eu',
    ]);
    expect(mark.code).toBe(4);
    expect(mark.stderr).toMatch(/\n {2}dora deployment list .* --site datadoghq\.eu\n/);
    expect(mark.stderr).toMatch(/\n {2}dora deployment update <id> .* --site datadoghq\.eu\n/);
    server.use(
      http.post(`${BASE}/api/v2/dora/failure`, () => HttpResponse.json({ errors: ['Bad Request'] }, { status: 400 })),
    );
    const refused = await dora(['incident', '--service', 'shop', '--started-at', '-2m', '--site', 'datadoghq.eu']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/Send it again with:\n {2}dora incident .* --site datadoghq\.eu/);
    server.resetHandlers();
    serve(doraApi([]));
    const opened = await dora(['incident', '--service', 'shop', '--started-at', '-2m', '--site', 'datadoghq.eu']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stderr).toMatch(/Resolve it later with: dora incident resolve \S+ --site datadoghq\.eu\n/);
    expect(opened.stderr).toMatch(/\n {2}dora incident .* --finished-at now --site datadoghq\.eu/);
  });

  it('with several services, marks for each one recorded, and the resend of one that failed carries the flag', async () => {
    const api = doraApi([deployed('bad-142-shop-aaaaaaaaa', '1.4.2', 1795690000)]);
    serve(api);
    // Handlers added later are tried first: the cart's deployment is refused.
    server.use(
      http.post(`${BASE}/api/v2/dora/deployment`, async ({ request }) => {
        const body = (await request.clone().json()) as { data: { attributes: { service: string } } };
        if (body.data.attributes.service === 'cart')
          return HttpResponse.json({ errors: ['Bad Request: refused'] }, { status: 400 });
        return undefined;
      }),
    );
    const run = await dora([
      'deployment',
      '--service',
      'shop',
      '--service',
      'cart',
      '--env',
      'prod',
      '--version',
      '1.4.0',
      '--started-at',
      '-2m',
      '--skip-git',
      '--rollback-of',
      '1.4.2',
      '--json',
    ]);
    expect(run.code).toBe(4);
    expect(api.events.find((event) => event.id === 'bad-142-shop-aaaaaaaaa')?.changeFailure).toBe(true);
    expect(run.stderr).toMatch(
      /Send it again with:\n {2}dora deployment --id \S+ --service cart .* --rollback-of 1\.4\.2/,
    );
  });

  it('never marks a deployment of another service, env or version, even when the lookup answers with one', async () => {
    const api = doraApi([
      deployed('other-svc-142-aaaaaa', '1.4.2', 1795690000, { service: 'unrelated' }),
      deployed('other-env-142-aaaaaa', '1.4.2', 1795690000, { env: 'staging' }),
      deployed('other-ver-999-aaaaaa', '9.9.9', 1795690000),
    ]);
    serve(api);
    // A gateway that ignores the search query: every deployment comes back.
    server.use(
      http.post(`${BASE}/api/v2/dora/deployments`, () =>
        HttpResponse.json({
          data: api.events.map((event) => ({
            id: event.id,
            type: 'dora_deployment',
            attributes: {
              ...event.attributes,
              started_at: '2026-11-26T10:00:00Z',
              finished_at: '2026-11-26T10:01:40Z',
            },
          })),
        }),
      ),
    );
    const run = await dora([
      'deployment',
      '--service',
      'shop',
      '--env',
      'prod',
      '--version',
      '1.4.0',
      '--started-at',
      '-2m',
      '--skip-git',
      '--rollback-of',
      '1.4.2',
    ]);
    expect(run.code).toBe(4);
    expect(api.events.filter((event) => event.changeFailure !== undefined)).toEqual([]);
    expect(run.stderr).toContain('No such deployment: none of shop to prod with version 1.4.2');
  });

  it('when no such deployment is found: the new one stays recorded, exit 4, and the exact update command to run later', async () => {
    const api = doraApi();
    serve(api);
    const run = await dora([
      'deployment',
      '--service',
      'shop',
      '--env',
      'prod',
      '--version',
      '1.4.3',
      '--started-at',
      '-2m',
      '--skip-git',
      '--rollforward-of',
      '1.4.2',
    ]);
    expect(run.code).toBe(4);
    expect(api.events.map((event) => event.attributes.version)).toEqual(['1.4.3']);
    expect(run.stderr).toContain(
      'No such deployment: none of shop to prod with version 1.4.2 finished before 2026-11-26T13:31:20Z (when this one started).',
    );
    // Not a pick to run later (it would take whatever 1.4.2 is newest then, even one that finished after this
    // deployment): the list of those that finished in time, then the mark by id.
    expect(run.stderr).toContain(
      '  dora deployment list --service shop --env prod --version 1.4.2 --since -730d --until 2026-11-26T13:31:20Z\n',
    );
    expect(run.stderr).toMatch(
      /then mark it by its id:\n {2}dora deployment update <id> --change-failure --remediated-by new-deployment-id-\d{4} --remediation-type rollforward\n/,
    );
  });

  it('a refused lookup (403) names the permission and exits 3, the deployment still recorded', async () => {
    const api = doraApi([deployed('bad-142-aaaaaaaaaaaaa', '1.4.2', 1795690000)]);
    api.refuseReads = 403;
    serve(api);
    const run = await dora([
      'deployment',
      '--service',
      'shop',
      '--env',
      'prod',
      '--version',
      '1.4.0',
      '--started-at',
      '-2m',
      '--skip-git',
      '--rollback-of',
      '1.4.2',
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('dora_metrics_read');
    expect(api.events).toHaveLength(2);
  });

  it('needs --env and the application key before anything is sent', async () => {
    const api = doraApi();
    serve(api);
    const noEnv = await dora([
      'deployment',
      '--service',
      'shop',
      '--started-at',
      '-2m',
      '--skip-git',
      '--rollback-of',
      '1.4.2',
    ]);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain('--rollback-of needs --env');
    const noKey = await dora(
      [
        'deployment',
        '--service',
        'shop',
        '--env',
        'prod',
        '--started-at',
        '-2m',
        '--skip-git',
        '--rollback-of',
        '1.4.2',
      ],
      { DD_APP_KEY: '' },
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('DD_APP_KEY');
    expect(api.log).toEqual([]);
  });

  it('a dry run shows the whole plan: the POST, the list query, and the PATCH of the deployment found by lookup', async () => {
    const run = await dora(
      [
        'deployment',
        '--service',
        'shop',
        '--env',
        'prod',
        '--started-at',
        '-2m',
        '--skip-git',
        '--rollback-of',
        '1.4.2',
        '--dry-run',
      ],
      { DD_API_KEY: '', DD_APP_KEY: '' },
    );
    expect(run.code, run.stderr).toBe(0);
    const [post, list, patch] = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(post.data.attributes.service).toBe('shop');
    expect(list.data).toMatchObject({
      type: 'dora_deployments_list_request',
      attributes: { query: 'service:shop env:prod version:1.4.2', sort: '-finished_at' },
    });
    expect(patch.data).toMatchObject({
      id: '<found by lookup>',
      type: 'dora_deployment_patch_request',
      attributes: { change_failure: true, remediation: { type: 'rollback' } },
    });
    expect(run.stderr).toContain('PATCH https://api.datadoghq.eu/api/v2/dora/deployments/%3Cfound%20by%20lookup%3E');
  });
});

describe('dora deployment update', () => {
  it.each([
    [
      ['--change-failure', '--remediated-by', 'fix-deployment-0001', '--remediation-type', 'rollforward'],
      { changeFailure: true, remediation: { id: 'fix-deployment-0001', type: 'rollforward' } },
    ],
    [['--no-change-failure'], { changeFailure: false }],
    [
      ['--remediated-by-version', '1.4.1', '--remediation-type', 'rollback'],
      { changeFailure: true, remediation: { version: '1.4.1', type: 'rollback' } },
    ],
  ])('patches by id: %j', async (flags, expected) => {
    const api = doraApi([deployed('bad-142-aaaaaaaaaaaaa', '1.4.2', 1795690000)]);
    serve(api);
    const run = await dora(['deployment', 'update', 'bad-142-aaaaaaaaaaaaa', ...flags]);
    expect(run.code, run.stderr).toBe(0);
    expect(api.events[0]).toMatchObject(expected);
  });

  it('picks the deployment by --service, --env and --version', async () => {
    const api = doraApi([deployed('bad-142-aaaaaaaaaaaaa', '1.4.2', 1795690000)]);
    serve(api);
    const run = await dora([
      'deployment',
      'update',
      '--service',
      'shop',
      '--env',
      'prod',
      '--version',
      '1.4.2',
      '--change-failure',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(api.events[0]?.changeFailure).toBe(true);
  });

  it.each([
    [[], /Which deployment/],
    [['some-deployment-id'], /Nothing to change/],
    [['some-deployment-id', '--change-failure', '--no-change-failure'], /say opposite things/],
    [['some-deployment-id', '--no-change-failure', '--change-failure'], /say opposite things/],
    [['..', '--change-failure'], /not an event id/],
    [['some-deployment-id', '--remediated-by', 'x'], /--remediation-type rollback\|rollforward is required/],
    [
      ['some-deployment-id', '--no-change-failure', '--remediated-by', 'x', '--remediation-type', 'rollback'],
      /no remediation/,
    ],
    [
      ['some-deployment-id', '--remediation-type', 'sideways', '--change-failure'],
      /Allowed choices are rollback, rollforward/,
    ],
  ])('refuses %j as usage (exit 2), sending nothing', async (flags, message) => {
    const api = doraApi();
    serve(api);
    const run = await dora(['deployment', 'update', ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(api.log).toEqual([]);
  });

  it('exits 4 with "no such deployment" for an unknown id', async () => {
    serve(doraApi());
    const run = await dora(['deployment', 'update', 'unknown-deployment-0001', '--change-failure']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('No such deployment');
  });
});

describe('messages that say what happened', () => {
  it('update by service, env and version with no such deployment names the time, not "this one"', async () => {
    serve(doraApi());
    const run = await dora([
      'deployment',
      'update',
      '--service',
      'shop',
      '--env',
      'prod',
      '--version',
      '7.7.7',
      '--change-failure',
    ]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('none of shop to prod with version 7.7.7 finished before 2026-11-26T13:33:20Z.');
  });

  it('a 404 on a list says the API is not at that address, not "check the id"', async () => {
    server.use(http.post(`${BASE}/api/v2/dora/deployments`, () => new HttpResponse(null, { status: 404 })));
    const run = await dora(['deployment', 'list']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/api\.datadoghq\.eu has no list of deployments \(HTTP 404\).*check the site/);
    expect(run.stderr).not.toContain('check the id');
  });

  it("resolving before the incident started blames the incident's start, not a --started-at never given", async () => {
    serve(
      doraApi([
        {
          kind: 'incident',
          id: 'open-incident-late-01',
          attributes: { services: ['shop'], started_at: String(NOW - 60_000_000_000n) },
        },
      ]),
    );
    const run = await dora(['incident', 'resolve', 'open-incident-late-01', '--finished-at', '-10m']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Incident open-incident-late-01 starts at \S+, after --finished-at \(/);
  });

  it('an incident that starts in the future is not resolved "now", and no --finished-at is blamed; a deployment is no incident', async () => {
    serve(
      doraApi([
        {
          kind: 'incident',
          id: 'open-incident-ahead-1',
          attributes: { services: ['shop'], started_at: String(NOW + 3_600_000_000_000n) },
        },
      ]),
    );
    const ahead = await dora(['incident', 'resolve', 'open-incident-ahead-1']);
    expect(ahead.code).toBe(2);
    expect(ahead.stderr).toMatch(/starts at \S+, after now \(/);
    expect(ahead.stderr).not.toContain('--finished-at');
    server.use(
      http.get(`${BASE}/api/v2/dora/failures/:id`, ({ params }) =>
        HttpResponse.json({
          data: {
            id: params.id,
            type: 'dora_deployment',
            attributes: { service: 'shop', started_at: String(NOW), finished_at: String(NOW) },
          },
        }),
      ),
    );
    const deployment = await dora(['incident', 'resolve', 'some-deployment-0001']);
    expect(deployment.code).toBe(5);
    expect(deployment.stderr).not.toMatch(/already resolved/);
    expect(deployment.stderr).toMatch(/answered with a "dora_deployment"/);
  });
});

describe('show, list and delete', () => {
  it("shows a deployment as a readable block with UTC times and the duration; --json prints the API's data", async () => {
    serve(
      doraApi([deployed('shown-deployment-0001', '1.4.2', 1795690000, { team: 'web', custom_tags: ['region:eu'] })]),
    );
    const run = await dora(['deployment', 'show', 'shown-deployment-0001']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Deployment shown-deployment-0001');
    expect(run.stdout).toMatch(/started\s+2026-11-26T10:45:40Z/);
    expect(run.stdout).toMatch(/finished\s+2026-11-26T10:46:40Z \(1 min\)/);
    expect(run.stdout).toMatch(/commit\s+a{40}/);
    expect(run.stdout).toMatch(/tags\s+region:eu/);
    const json = await dora(['deployment', 'show', 'shown-deployment-0001', '--json']);
    expect(JSON.parse(json.stdout).data).toMatchObject({
      id: 'shown-deployment-0001',
      type: 'dora_deployment',
      attributes: { service: 'shop', started_at: '2026-11-26T10:45:40.000Z' },
    });
  });

  it('lists deployments newest first in aligned columns, with the filters as the query', async () => {
    const api = doraApi([
      deployed('older-deployment-001', '1.4.0', 1795600000),
      deployed('newer-deployment-001', '1.4.1', 1795690000),
    ]);
    serve(api);
    const run = await dora(['deployment', 'list', '--service', 'shop', '--env', 'prod', '--since', '-7d']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SERVICE\s+ENV\s+VERSION\s+FINISHED\s+DURATION\s+COMMIT$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([
      'newer-deployment-001',
      'older-deployment-001',
    ]);
    expect(lines[1]?.indexOf('1.4.1')).toBe(lines[2]?.indexOf('1.4.0'));
    const json = await dora(['deployment', 'list', '--json', '--limit', '1']);
    expect(JSON.parse(json.stdout).data).toHaveLength(1);
  });

  it('leaves out, and says so, rows a server lists outside the window asked for', async () => {
    const row = (id: string, finishedS: number) => ({
      id,
      type: 'dora_deployment',
      attributes: {
        service: 'shop',
        env: 'prod',
        started_at: `${finishedS}000000000`,
        finished_at: `${finishedS}000000000`,
      },
    });
    server.use(
      http.post(`${BASE}/api/v2/dora/deployments`, () =>
        // NOW is 1795700000 s: one row a day ahead of it, one inside the last 7 days.
        HttpResponse.json({
          data: [row('tomorrow-deployment-1', 1795786400), row('inside-deployment-001', 1795690000)],
        }),
      ),
    );
    const run = await dora(['deployment', 'list', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).data.map((one: { id: string }) => one.id)).toEqual(['inside-deployment-001']);
    expect(run.stderr).toMatch(/Left out 1 of the deployments the API listed: they lie outside the window asked for/);
    // To the nanosecond: the request asks whole milliseconds around the window, the answer is held to the window.
    server.use(
      http.post(`${BASE}/api/v2/dora/deployments`, () =>
        HttpResponse.json({
          data: [
            {
              ...row('after-the-window-0001', 1795690000),
              attributes: { service: 'shop', started_at: '1795690000000900000', finished_at: '1795690000000900000' },
            },
            {
              ...row('inside-the-window-001', 1795690000),
              attributes: { service: 'shop', started_at: '1795690000000300000', finished_at: '1795690000000300000' },
            },
          ],
        }),
      ),
    );
    const narrow = await dora([
      'deployment',
      'list',
      '--json',
      '--since',
      '2026-11-26T10:46:40.0002Z',
      '--until',
      '2026-11-26T10:46:40.0005Z',
    ]);
    expect(JSON.parse(narrow.stdout).data.map((one: { id: string }) => one.id)).toEqual(['inside-the-window-001']);
  });

  it('lists only open incidents with --open, by team and severity', async () => {
    const incident = (id: string, finished?: string): StoredEvent => ({
      kind: 'incident',
      id,
      attributes: {
        services: ['shop'],
        team: 'web',
        severity: 'SEV-2',
        started_at: '1795680000000000000',
        ...(finished ? { finished_at: finished } : {}),
      },
    });
    serve(doraApi([incident('open-incident-000001'), incident('closed-incident-0001', '1795690000000000000')]));
    const run = await dora(['incident', 'list', '--open', '--team', 'web', '--severity', 'SEV-2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).data.map((item: { id: string }) => item.id)).toEqual(['open-incident-000001']);
  });

  it('deletes with --yes on the singular path, and refuses without it when nobody can confirm', async () => {
    const api = doraApi([deployed('doomed-deployment-01', '1.0.0', 1795690000)]);
    serve(api);
    const refused = await dora(['deployment', 'delete', 'doomed-deployment-01']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const done = await dora(['deployment', 'delete', 'doomed-deployment-01', '--yes']);
    expect(done.code, done.stderr).toBe(0);
    expect(api.log).toContain('DELETE /api/v2/dora/deployment/doomed-deployment-01');
    expect(api.events).toHaveLength(0);
  });

  it('asks at an interactive terminal before deleting, and keeps the event on "no"', async () => {
    const api = doraApi([
      {
        kind: 'incident',
        id: 'kept-incident-00001',
        attributes: { services: ['shop'], started_at: '1795680000000000000' },
      },
    ]);
    serve(api);
    const asked: string[] = [];
    const run = await runCli(['incident', 'delete', 'kept-incident-00001'], {
      env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_SITE: 'datadoghq.eu' },
      isTTY: true,
      confirm: async (question) => {
        asked.push(question);
        return 'no';
      },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(asked[0]).toMatch(/Delete incident kept-incident-00001\?/);
    expect(api.events).toHaveLength(1);
  });

  it.each([
    [403, 3, /dora_metrics_read/],
    [404, 4, /No such incident/],
  ])('maps HTTP %i on a read to exit %i', async (status, code, message) => {
    server.use(http.get(`${BASE}/api/v2/dora/failures/:id`, () => HttpResponse.json({ errors: ['nope'] }, { status })));
    const run = await dora(['incident', 'show', 'some-incident-00001']);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it('retries a 503 on reads like on sends', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/dora/deployments/:id`, () =>
        ++calls === 1
          ? HttpResponse.json({ errors: ['busy'] }, { status: 503 })
          : HttpResponse.json({
              data: {
                id: 'retried-deployment-1',
                type: 'dora_deployment',
                attributes: { service: 's', started_at: '2026-11-26T10:00:00Z' },
              },
            }),
      ),
    );
    const run = await dora(['deployment', 'show', 'retried-deployment-1']);
    expect(run.code, run.stderr).toBe(0);
    expect(calls).toBe(2);
  });

  it('needs the application key for every read, naming the variable', async () => {
    const run = await dora(['deployment', 'list'], { DD_APP_KEY: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DD_APP_KEY \(or DATADOG_APP_KEY\)/);
  });
});

describe('dora incident resolve', () => {
  it('reads the open incident and sends it again with every attribute, plus the finish', async () => {
    const api = doraApi();
    serve(api);
    const open = await dora([
      'incident',
      '--service',
      'shop',
      '--team',
      'web',
      '--env',
      'prod',
      '--name',
      'Checkout 5xx',
      '--severity',
      'SEV-2',
      '--custom-tags',
      'region:eu',
      '--started-at',
      '-10m',
      '--id',
      'open-incident-123456',
      '--json',
    ]);
    expect(open.code, open.stderr).toBe(0);
    const resolved = await dora(['incident', 'resolve', 'open-incident-123456', '--finished-at', '-1m']);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(api.log.slice(-2)).toEqual(['GET /api/v2/dora/failures/open-incident-123456', 'POST /api/v2/dora/failure']);
    const { attributes } = api.events[0] as StoredEvent;
    expect(attributes).toMatchObject({
      services: ['shop'],
      team: 'web',
      env: 'prod',
      name: 'Checkout 5xx',
      severity: 'SEV-2',
      custom_tags: ['region:eu'],
      id: 'open-incident-123456',
    });
    expect(attributes.started_at).toBe(String(NOW - 600_000_000_000n));
    expect(attributes.finished_at).toBe(String(NOW - 60_000_000_000n));
  });

  it('sends the repository back as a URL when the read gives only its id (host and path)', async () => {
    const sha = 'c'.repeat(40);
    const api = doraApi([
      {
        kind: 'incident',
        id: 'gitlab-incident-00001',
        attributes: {
          services: ['shop'],
          started_at: String(NOW - 600_000_000_000n),
          git: { repository_id: 'gitlab.example.com:8443/grp/sub/repo', commit_sha: sha },
        },
      },
    ]);
    serve(api);
    const resolved = await dora(['incident', 'resolve', 'gitlab-incident-00001']);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect((api.events[0] as StoredEvent).attributes.git).toEqual({
      repository_url: 'https://gitlab.example.com:8443/grp/sub/repo',
      commit_sha: sha,
    });
  });

  it('resolves nothing when the read answers with another incident than the one asked for (exit 5)', async () => {
    const api = doraApi([
      {
        kind: 'incident',
        id: 'other-incident-999999',
        attributes: { services: ['other'], started_at: String(NOW - 600_000_000_000n) },
      },
    ]);
    serve(api);
    server.use(
      http.get(`${BASE}/api/v2/dora/failures/my-incident-id-000001`, () =>
        HttpResponse.json({
          data: {
            id: 'other-incident-999999',
            type: 'dora_incident',
            attributes: { services: ['other'], started_at: '2026-11-26T13:20:00Z' },
          },
        }),
      ),
    );
    const run = await dora(['incident', 'resolve', 'my-incident-id-000001']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('asked for the incident my-incident-id-000001, it answered with another one');
    expect(api.log.filter((line) => line.startsWith('POST'))).toEqual([]);
  });

  it('refuses to resolve an incident that is already resolved', async () => {
    serve(
      doraApi([
        {
          kind: 'incident',
          id: 'done-incident-000001',
          attributes: { services: ['shop'], started_at: '1795680000000000000', finished_at: '1795690000000000000' },
        },
      ]),
    );
    const run = await dora(['incident', 'resolve', 'done-incident-000001']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already resolved');
  });
});

describe('what the API says is shown, never acted on', () => {
  it('escapes control characters of a read answer in show and list: a newline cannot forge a row, ESC is inert', async () => {
    const api = doraApi([
      {
        kind: 'incident',
        id: 'hostile-incident-0001',
        attributes: {
          services: ['shop\u001b[2J'],
          name: 'down\nerror: forged line',
          severity: 'SEV-1\u0007\u202e1-VES',
          custom_tags: ['note:a\rb'],
          started_at: '1795680000000000000',
        },
      },
    ]);
    serve(api);
    const show = await dora(['incident', 'show', 'hostile-incident-0001']);
    const list = await dora(['incident', 'list', '--since', '-2d']);
    for (const run of [show, list]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
      expect(run.stdout).not.toMatch(/^error: forged line/m);
      expect(run.stdout).toContain('\\u001b[2J');
      // A bidi override would show what follows it reversed.
      expect(run.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      expect(run.stdout).toContain('\\u202e1-VES');
    }
    expect(list.stdout).toContain('down\\u000aerror: forged line');
    expect(list.stdout.split('\n')[0]).toMatch(/NAME +SEVERITY/);
  });
});
