/**
 * The built CLI against a real 127.0.0.1 server speaking the documented DORA shapes (test/helpers/dora-api.ts): a
 * rollback marks the right deployment among several matches, none, or a refused lookup; and one smoke run per read
 * and update verb, each body checked against Datadog's published request model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type DoraApi, doraApi, type StoredEvent, serve } from '../helpers/dora-api.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { checkAgainstModel, type RequestModel } from '../helpers/models.js';
import { runDora } from '../helpers/run-dora.js';

const API_KEY = 'e2e-api-key-0123456789abcdef';
const APP_KEY = 'e2e-app-key-fedcba9876543210';

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

async function start(api: DoraApi): Promise<string> {
  intake = await startIntake(serve(api));
  return intake.url;
}

/** A deployment recorded `agoS` seconds before the real now (the binary reads the real clock). */
function deployed(id: string, version: string, agoS: number, service = 'shop'): StoredEvent {
  const finishedS = BigInt(Math.floor(Date.now() / 1000) - agoS);
  return {
    kind: 'deployment',
    id,
    attributes: {
      id,
      service,
      env: 'prod',
      version,
      started_at: String((finishedS - 60n) * 1_000_000_000n),
      finished_at: String(finishedS * 1_000_000_000n),
      git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: 'b'.repeat(40) },
    },
  };
}

const MODEL: Record<string, RequestModel> = {
  'POST /api/v2/dora/deployment': 'DORADeploymentRequest',
  'POST /api/v2/dora/failure': 'DORAFailureRequest',
  'POST /api/v2/dora/deployments': 'DORAListDeploymentsRequest',
  'POST /api/v2/dora/failures': 'DORAListFailuresRequest',
};

/** Every body the server received is a valid request of its endpoint's model, and every read carried the app key. */
function checkRequests(): void {
  for (const request of intake?.requests ?? []) {
    const route = `${request.method} ${request.path}`;
    const model = request.method === 'PATCH' ? 'DORADeploymentPatchRequest' : MODEL[route];
    if (model) checkAgainstModel(request.body, model);
    expect(request.headers['dd-api-key']).toBe(API_KEY);
    const write = route === 'POST /api/v2/dora/deployment' || route === 'POST /api/v2/dora/failure';
    if (!write) expect(request.headers['dd-application-key'], route).toBe(APP_KEY);
  }
}

function dora(args: string[], url: string, env: Record<string, string> = {}) {
  return runDora(args, { env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DORA_API_URL: url, ...env } });
}

const ROLLBACK = [
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
];

describe('a rollback, end to end', () => {
  it('among several deployments of the version, marks the most recent one with this deployment as remediation', async () => {
    const api = doraApi([
      deployed('bad-142-older-bbbbbbbb', '1.4.2', 7200),
      deployed('bad-142-newer-bbbbbbbb', '1.4.2', 600),
      deployed('good-141-bbbbbbbbbbbbb', '1.4.1', 300),
      deployed('bad-142-other-service', '1.4.2', 60, 'payments'),
    ]);
    const url = await start(api);
    const run = await dora([...ROLLBACK, '--id', 'rollback-140-bbbbbbbb', '--rollback-of', '1.4.2'], url);
    expect(run.code, run.stderr).toBe(0);
    expect(api.log).toEqual([
      'POST /api/v2/dora/deployment',
      'POST /api/v2/dora/deployments',
      'PATCH /api/v2/dora/deployments/bad-142-newer-bbbbbbbb',
    ]);
    const marked = api.events.filter((event) => event.changeFailure !== undefined);
    expect(marked).toEqual([
      expect.objectContaining({
        id: 'bad-142-newer-bbbbbbbb',
        changeFailure: true,
        remediation: { id: 'rollback-140-bbbbbbbb', type: 'rollback' },
      }),
    ]);
    const list = JSON.parse(intake?.requests[1]?.body ?? '{}');
    expect(list.data.attributes).toMatchObject({ query: 'service:shop env:prod version:1.4.2', sort: '-finished_at' });
    checkRequests();
    expect(run.stdout).toBe('');
    expect(`${run.stdout}${run.stderr}`).not.toContain(APP_KEY);
  });

  it('a rollforward whose version has no deployment: the fix stays recorded, exit 4, and the command to run later', async () => {
    const api = doraApi([deployed('good-141-cccccccccccccc', '1.4.1', 300)]);
    const url = await start(api);
    const hotfix = [
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
    ];
    const run = await dora([...hotfix, '--id', 'hotfix-143-cccccccc', '--rollforward-of', '1.4.2'], url);
    expect(run.code).toBe(4);
    expect(api.events.map((event) => event.id)).toEqual(['good-141-cccccccccccccc', 'hotfix-143-cccccccc']);
    expect(api.log).toEqual(['POST /api/v2/dora/deployment', 'POST /api/v2/dora/deployments']);
    expect(run.stderr).toMatch(/no such deployment/i);
    expect(run.stderr).toContain(
      'dora deployment update <id> --change-failure --remediated-by hotfix-143-cccccccc --remediation-type rollforward',
    );
    checkRequests();
  });

  it('a lookup refused with 403: the rollback stays recorded, exit 3, the permission named, nothing marked', async () => {
    const api = doraApi([deployed('bad-142-dddddddddddddd', '1.4.2', 600)]);
    api.refuseReads = 403;
    const url = await start(api);
    const run = await dora([...ROLLBACK, '--id', 'rollback-140-dddddddd', '--rollback-of', '1.4.2'], url);
    expect(run.code).toBe(3);
    expect(api.events.map((event) => event.id)).toEqual(['bad-142-dddddddddddddd', 'rollback-140-dddddddd']);
    expect(api.events.some((event) => event.changeFailure !== undefined)).toBe(false);
    expect(run.stderr).toContain('dora_metrics_read');
    expect(run.stderr).toContain(
      'dora deployment list --service shop --env prod --version 1.4.2 --since -730d --until ',
    );
    expect(run.stderr).not.toContain(APP_KEY);
  });
});

describe('the read and update verbs, end to end', () => {
  it('deployment show, list, update and delete', async () => {
    const api = doraApi([
      deployed('deploy-old-eeeeeeeeee', '1.4.1', 7200),
      deployed('deploy-new-eeeeeeeeee', '1.4.2', 600),
    ]);
    const url = await start(api);

    const show = await dora(['deployment', 'show', 'deploy-new-eeeeeeeeee'], url);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('1.4.2');
    expect(show.stdout).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    expect(show.stdout).toContain('b'.repeat(7));
    const json = await dora(['deployment', 'show', 'deploy-new-eeeeeeeeee', '--json'], url);
    expect(JSON.parse(json.stdout).data).toMatchObject({
      id: 'deploy-new-eeeeeeeeee',
      type: 'dora_deployment',
      attributes: { version: '1.4.2' },
    });

    const list = await dora(['deployment', 'list', '--service', 'shop', '--env', 'prod', '--since', '-1d'], url);
    expect(list.code, list.stderr).toBe(0);
    const ids = list.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);
    expect(ids).toEqual(['deploy-new-eeeeeeeeee', 'deploy-old-eeeeeeeeee']);

    const update = await dora(
      [
        'deployment',
        'update',
        'deploy-old-eeeeeeeeee',
        '--change-failure',
        '--remediated-by',
        'deploy-new-eeeeeeeeee',
        '--remediation-type',
        'rollforward',
      ],
      url,
    );
    expect(update.code, update.stderr).toBe(0);
    expect(api.events.find((event) => event.id === 'deploy-old-eeeeeeeeee')).toMatchObject({
      changeFailure: true,
      remediation: { id: 'deploy-new-eeeeeeeeee', type: 'rollforward' },
    });

    const refused = await dora(['deployment', 'delete', 'deploy-old-eeeeeeeeee'], url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const removed = await dora(['deployment', 'delete', 'deploy-old-eeeeeeeeee', '--yes'], url);
    expect(removed.code, removed.stderr).toBe(0);
    expect(api.events.map((event) => event.id)).toEqual(['deploy-new-eeeeeeeeee']);
    expect(api.log).toContain('DELETE /api/v2/dora/deployment/deploy-old-eeeeeeeeee');

    const gone = await dora(['deployment', 'show', 'deploy-old-eeeeeeeeee'], url);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toMatch(/no such deployment/i);
    checkRequests();
  });

  it('incident show, list and delete', async () => {
    const api = doraApi();
    const url = await start(api);
    const open = await dora(
      [
        'incident',
        '--service',
        'shop',
        '--env',
        'prod',
        '--started-at',
        '-1h',
        '--id',
        'incident-open-ffffffff',
        '--name',
        'Checkout 5xx',
      ],
      url,
    );
    expect(open.code, open.stderr).toBe(0);
    const closed = await dora(
      [
        'incident',
        '--service',
        'shop',
        '--env',
        'prod',
        '--started-at',
        '-3h',
        '--finished-at',
        '-2h',
        '--id',
        'incident-done-ffffffff',
      ],
      url,
    );
    expect(closed.code, closed.stderr).toBe(0);

    const show = await dora(['incident', 'show', 'incident-open-ffffffff'], url);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('Checkout 5xx');

    const list = await dora(['incident', 'list', '--service', 'shop', '--open', '--json'], url);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(list.stdout))).toContain('incident-open-ffffffff');
    expect(list.stdout).not.toContain('incident-done-ffffffff');

    const removed = await dora(['incident', 'delete', 'incident-done-ffffffff', '--yes'], url);
    expect(removed.code, removed.stderr).toBe(0);
    expect(api.log).toContain('DELETE /api/v2/dora/failure/incident-done-ffffffff');
    checkRequests();
  });

  it('a read without an application key exits 2 naming the variable, and sends nothing', async () => {
    const api = doraApi([deployed('deploy-any-gggggggggg', '1.0.0', 60)]);
    const url = await start(api);
    const run = await runDora(['deployment', 'list'], { env: { DD_API_KEY: API_KEY, DORA_API_URL: url } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DD_APP_KEY');
    expect(api.log).toEqual([]);
  });
});
