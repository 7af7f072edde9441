/**
 * The contracts every verb keeps, through the whole CLI in-process: one JSON object on stdout with --json in every mode
 * (a dry run lists every request it would make), ok agreeing with the exit code, one input step shared by every verb
 * (the same refusals everywhere), and words that help (misspelt verbs, help for a verb).
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { doraApi, type StoredEvent } from '../helpers/dora-api.js';
import { serveApi } from '../helpers/msw-api.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const API_KEY = 'contract-api-key-0123456789abcdef';
const APP_KEY = 'contract-app-key-0123456789abcdef01234567';
const NOW = 1_795_700_000_000_000_000n; // 2026-11-26T13:33:20Z

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let ids = 0;
function dora(argv: string[], env: Record<string, string> = {}, more: Parameters<typeof runCli>[1] = {}) {
  return runCli(argv, {
    env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_SITE: 'datadoghq.eu', ...env },
    nowNs: () => NOW,
    clock: virtualClock(),
    random: () => 0.5,
    newId: () => `contract-id-${String(++ids).padStart(8, '0')}`,
    ...more,
  });
}

const deployed = (id: string, version: string, finishedS: number): StoredEvent => ({
  kind: 'deployment',
  id,
  attributes: {
    service: 'shop',
    env: 'prod',
    version,
    started_at: `${finishedS - 60}000000000`,
    finished_at: `${finishedS}000000000`,
  },
});

/** stdout is exactly one line holding one JSON object. */
function oneObject(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trimEnd().split('\n')).toHaveLength(1);
  const value = JSON.parse(stdout) as unknown;
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

describe('--dry-run --json, every verb', () => {
  it.each([
    [['deployment', '--service', 'shop', '--started-at', 'now', '--skip-git'], ['POST']],
    [
      [
        'deployment',
        '--service',
        'shop',
        '--env',
        'prod',
        '--started-at',
        'now',
        '--skip-git',
        '--rollback-of',
        '1.4.1',
      ],
      ['POST', 'POST', 'PATCH'],
    ],
    [
      ['deployment', '--service', 'a', '--service', 'b', '--started-at', 'now', '--skip-git'],
      ['POST', 'POST'],
    ],
    [['incident', '--service', 'shop', '--started-at', '-5m'], ['POST']],
    [['incident', 'resolve', 'incident-id-000000001'], ['GET']],
    [['deployment', 'show', 'deployment-id-0000001'], ['GET']],
    [['incident', 'show', 'incident-id-000000001'], ['GET']],
    [['deployment', 'list', '--service', 'shop'], ['POST']],
    [['incident', 'list', '--open'], ['POST']],
    [['deployment', 'delete', 'deployment-id-0000001'], ['DELETE']],
    [['incident', 'delete', 'incident-id-000000001'], ['DELETE']],
    [['deployment', 'update', 'deployment-id-0000001', '--change-failure'], ['PATCH']],
    [
      ['deployment', 'update', '--service', 'shop', '--env', 'prod', '--version', '1', '--no-change-failure'],
      ['POST', 'PATCH'],
    ],
  ])('%j prints one result object with dry_run and every request, and needs no key', async (argv, methods) => {
    const out = await dora([...argv, '--dry-run', '--json'], { DD_API_KEY: '', DD_APP_KEY: '' });
    expect(out.code, out.stderr).toBe(0);
    const result = oneObject(out.stdout);
    expect(result).toMatchObject({ ok: true, exit_code: 0, dry_run: true });
    const requests = result.requests as Array<{ method: string; url: string }>;
    expect(requests.map((request) => request.method)).toEqual(methods);
    for (const request of requests) expect(request.url).toMatch(/^https:\/\/api\.datadoghq\.eu\/api\/v2\/dora\//);
  });

  it('a dry run with --id shows the id a real run records', async () => {
    const argv = [
      'deployment',
      '--service',
      'shop',
      '--started-at',
      'now',
      '--skip-git',
      '--id',
      'release-2026-11-26-001',
    ];
    const dry = oneObject((await dora([...argv, '--dry-run', '--json'])).stdout);
    expect(dry.id).toBe('release-2026-11-26-001');
  });
});

describe('ok and the exit code agree', () => {
  it('several services with one refused: ok false at the top, the failure code, each event said', async () => {
    const api = doraApi();
    const answer = api.answer.bind(api);
    api.answer = (request) =>
      request.body.includes('"service":"worker"')
        ? { status: 400, body: '{"errors":[{"title":"Bad Request","detail":"no"}]}' }
        : answer(request);
    serveApi(server, api);
    const out = await dora([
      'deployment',
      '--service',
      'api',
      '--service',
      'worker',
      '--started-at',
      'now',
      '--skip-git',
      '--json',
    ]);
    expect(out.code).toBe(4);
    const result = oneObject(out.stdout);
    expect(result).toMatchObject({ ok: false, exit_code: 4, recorded: false });
    const events = result.events as Array<{ ok: boolean; service: string; resend?: string }>;
    expect(events.map((event) => [event.service, event.ok])).toEqual([
      ['api', true],
      ['worker', false],
    ]);
    // The one not recorded says how to send it again: same id, same times.
    expect(events[1]?.resend).toMatch(
      /^dora deployment --id contract-id-\d+ --service worker --skip-git --started-at \d{19} --finished-at \d{19}$/,
    );
    expect(out.stderr).toContain(events[1]?.resend as string);
  });

  it('--soft-fail covers the rollback mark: the deployment recorded, the mark failed, ok false, exit 0', async () => {
    serveApi(server, doraApi());
    const out = await dora([
      ...['deployment', '--service', 'shop', '--env', 'prod', '--version', '1.4.1', '--started-at', 'now'],
      ...['--skip-git', '--rollback-of', '1.4.2', '--json', '--soft-fail'],
    ]);
    expect(out.code).toBe(0);
    const result = oneObject(out.stdout);
    expect(result).toMatchObject({ ok: false, exit_code: 4, recorded: true, remediated: null });
    expect(out.stderr).not.toMatch(/^error:/m);
    expect(out.stderr).toMatch(/^warning: No such deployment/m);
  });

  it('a single event not delivered prints its id, its window and the command that sends it again', async () => {
    const api = doraApi();
    api.answer = () => ({ status: 503, body: '{"errors":["busy"]}' });
    serveApi(server, api);
    const out = await dora([
      'incident',
      '--service',
      'shop',
      '--started-at',
      '1795690000',
      '--name',
      "it's down",
      '--json',
    ]);
    expect(out.code).toBe(5);
    const result = oneObject(out.stdout);
    expect(result).toMatchObject({ ok: false, exit_code: 5, kind: 'incident', started_at: '1795690000000000000' });
    expect(result.id).toMatch(/^contract-id-/);
    expect(result.resend).toBe(
      `dora incident --id ${result.id} --service shop --name 'it'\\''s down' --started-at 1795690000000000000`,
    );
    expect(out.stderr).toContain('Its window: from 2026-11-26T10:46:40Z');
  });
});

describe('--rollback-of marks what came before this deployment', () => {
  it('the newest deployment of that version that finished before this one started, never a later one', async () => {
    const api = doraApi([
      deployed('earlier-142-aaaaaaaa', '1.4.2', 1795600000),
      deployed('later-142-aaaaaaaaa', '1.4.2', 1795699000),
    ]);
    serveApi(server, api);
    // Recorded after the fact: this rollback started before the later deployment of 1.4.2 finished.
    const out = await dora([
      ...['deployment', '--service', 'shop', '--env', 'prod', '--version', '1.4.1', '--skip-git', '--json'],
      ...['--started-at', '1795650000', '--finished-at', '1795650060', '--rollback-of', '1.4.2'],
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(oneObject(out.stdout).remediated).toMatchObject({ id: 'earlier-142-aaaaaaaa' });
    expect(api.events.find((event) => event.id === 'earlier-142-aaaaaaaa')?.changeFailure).toBe(true);
    expect(api.events.find((event) => event.id === 'later-142-aaaaaaaaa')?.changeFailure).toBeUndefined();
  });
});

describe('one input step for every verb', () => {
  it.each([['deployment'], ['incident']])('DORA_SOFT_FAIL=maybe is refused by dora %s alike', async (noun) => {
    const out = await dora([noun, '--service', 'shop', '--started-at', 'now', '--dry-run'], {
      DORA_SOFT_FAIL: 'maybe',
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('DORA_SOFT_FAIL: "maybe" is not a boolean');
  });

  it.each([['-99999w'], ['-20000d'], ['-999999h']])(
    'a relative time reaching before 2000 (%s) is refused',
    async (time) => {
      const out = await dora(['deployment', '--service', 'shop', '--started-at', time, '--skip-git', '--dry-run']);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('--started-at');
      expect(out.stdout).toBe('');
    },
  );

  it.each([['--service'], ['--env'], ['--version'], ['--team']])(
    'a %s holding bytes that are not UTF-8 is refused, named',
    async (flag) => {
      const argv = ['deployment', '--service', 'shop', '--started-at', 'now', '--skip-git', '--dry-run'];
      const out = await dora(
        flag === '--service' ? ['deployment', '--service', 'sh\ufffdop', ...argv.slice(3)] : [...argv, flag, 'x\ufffd'],
      );
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`${flag} holds bytes that are not valid UTF-8`);
    },
  );

  it.each([
    [['--', ''], 'an empty command'],
    [['--'], 'no command'],
    [['--', '   '], 'a blank command'],
  ])('%j after -- is refused before anything runs, in a dry run too', async (tail) => {
    for (const dryRun of [[], ['--dry-run']]) {
      const out = await dora(['deployment', '--service', 'shop', '--skip-git', ...dryRun, ...tail]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('Nothing to run after --');
    }
  });
});

describe('words', () => {
  it.each([
    [['deployment', 'lst'], 'list'],
    [['deployment', 'delte', 'x'], 'delete'],
    [['incident', 'reslove', 'some-id'], 'resolve'],
  ])('%j: exit 2 and the verb it meant', async (argv, meant) => {
    const out = await dora(argv);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`unknown command '${argv[1]}'`);
    expect(out.stderr).toContain(`Did you mean ${meant}?`);
  });

  it('dora help deployment list shows the help of list, not of deployment', async () => {
    const out = await dora(['help', 'deployment', 'list']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: dora deployment list');
    expect(out.stdout).toContain('--limit');
  });

  it.each([
    [['deployment', 'help'], 'Usage: dora deployment [options]', '--started-at'],
    [['deployment', 'help', 'list'], 'Usage: dora deployment list', '--limit'],
    [['incident', 'help', 'resolve'], 'Usage: dora incident resolve', '--finished-at'],
  ])('dora %j shows that help, options included', async (argv, usage, option) => {
    const out = await dora(argv);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(usage);
    expect(out.stdout).toContain(option);
  });

  it('dora help of a command that does not exist says so and suggests one (exit 2), as the command itself would', async () => {
    const out = await dora(['help', 'deploymnt']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("unknown command 'deploymnt'");
    expect(out.stderr).toContain('Did you mean deployment?');
  });
});

describe('delete at a terminal', () => {
  it.each([
    ['interrupted', 130],
    ['no', 0],
  ] as const)('answered %s: nothing deleted, exit %i', async (answer, code) => {
    const api = doraApi([deployed('kept-deployment-001', '1', 1795600000)]);
    serveApi(server, api);
    const out = await dora(
      ['deployment', 'delete', 'kept-deployment-001', '--json'],
      {},
      { isTTY: true, confirm: async () => answer },
    );
    expect(out.code).toBe(code);
    expect(oneObject(out.stdout)).toMatchObject({ deleted: false, exit_code: code });
    expect(out.stderr).toContain('Nothing was deleted.');
    expect(api.events).toHaveLength(1);
  });
});

describe('incident list --open', () => {
  it('finds the open incidents behind more resolved ones than a page holds', async () => {
    const resolved = Array.from(
      { length: 1005 },
      (_, i): StoredEvent => ({
        kind: 'incident',
        id: `resolved-incident-${String(i).padStart(5, '0')}`,
        attributes: {
          services: ['shop'],
          started_at: `${1_795_690_000 + i}000000000`,
          finished_at: `${1_795_690_000 + i + 60}000000000`,
        },
      }),
    );
    const open = ['open-incident-000001', 'open-incident-000002'].map(
      (id, i): StoredEvent => ({
        kind: 'incident',
        id,
        attributes: { services: ['shop'], started_at: `${1_795_600_000 + i}000000000` },
      }),
    );
    serveApi(server, doraApi([...resolved, ...open]));
    const out = await dora(['incident', 'list', '--open', '--limit', '2', '--since', '-3d', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const result = oneObject(out.stdout);
    expect((result.data as Array<{ id: string }>).map((item) => item.id).sort()).toEqual([
      'open-incident-000001',
      'open-incident-000002',
    ]);
  });

  it('--open without --since finds an incident opened weeks ago and still open', async () => {
    const weeksAgo = NOW / 1_000_000_000n - 40n * 86_400n;
    serveApi(
      server,
      doraApi([
        {
          kind: 'incident',
          id: 'old-open-incident-001',
          attributes: { services: ['shop'], started_at: `${weeksAgo}000000000` },
        },
      ]),
    );
    const out = await dora(['incident', 'list', '--open', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect((oneObject(out.stdout).data as Array<{ id: string }>).map((item) => item.id)).toEqual([
      'old-open-incident-001',
    ]);
  });
});
