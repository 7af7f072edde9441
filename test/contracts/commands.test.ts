/**
 * The whole CLI in-process (commander wiring, commands, delivery, exit codes) with msw as the intake, through the
 * Context production builds: both commands hit the right endpoint and every status class maps to its exit code.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliOptions, runCli } from '../helpers/cli.js';
import { checkAgainstModel } from '../helpers/models.js';
import { virtualClock } from '../helpers/virtual-clock.js';

const KEY = 'cli-test-key-0123456789abcdef';
const NOW = 1_795_700_000_123_456_789n;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The CLI in-process with the production Context: Node's https transport (msw intercepts it), a virtual clock. */
async function dora(argv: string[], env: Record<string, string> = {}, more: CliOptions = {}) {
  return runCli(argv, {
    env: { DD_API_KEY: KEY, DD_SITE: 'datadoghq.eu', ...env },
    nowNs: () => NOW,
    clock: virtualClock(),
    random: () => 0.5,
    newId: () => 'generated-id-0000-1111',
    enableFips: () => {
      throw new Error('no FIPS provider');
    },
    ...more,
  });
}

/** Answers POSTs to `path`, keeping each body after checking it against Datadog's published request model. */
function intake(path: string, reply: () => Response) {
  const bodies: string[] = [];
  server.use(
    http.post(`https://api.datadoghq.eu${path}`, async ({ request }) => {
      const body = await request.text();
      checkAgainstModel(body, path.endsWith('/deployment') ? 'DORADeploymentRequest' : 'DORAFailureRequest');
      bodies.push(body);
      return reply();
    }),
  );
  return bodies;
}

const accepted = (type: string) => () => HttpResponse.json({ data: { id: 'x', type } }, { status: 202 });

describe('dora incident through the CLI', () => {
  it('posts to /api/v2/dora/failure on the configured site, with exact times', async () => {
    const bodies = intake('/api/v2/dora/failure', accepted('dora_failure'));
    const out = await dora([
      'incident',
      '--service',
      'a',
      '--service',
      'b',
      '--team',
      't',
      '--started-at',
      '1795687200.000000001',
      '--json',
    ]);
    expect(out.code).toBe(0);
    expect(bodies[0]).toBe(
      '{"data":{"attributes":{"services":["a","b"],"team":"t","started_at":1795687200000000001,"id":"generated-id-0000-1111"}}}',
    );
    expect(JSON.parse(out.stdout)).toMatchObject({
      ok: true,
      kind: 'incident',
      id: 'generated-id-0000-1111',
      state: 'open',
    });
  });

  it('sends a service named twice once', async () => {
    const bodies = intake('/api/v2/dora/failure', accepted('dora_failure'));
    expect(
      (await dora(['incident', '--service', 'a', '--service', 'a', '--service', 'b', '--started-at', 'now'])).code,
    ).toBe(0);
    expect(JSON.parse(bodies[0] ?? '{}').data.attributes.services).toEqual(['a', 'b']);
  });

  it.each([
    [400, 4],
    [401, 3],
    [403, 3],
    [404, 4],
    [422, 4],
    [503, 5],
  ])('HTTP %i exits %i', async (status, exitCode) => {
    intake('/api/v2/dora/failure', () => HttpResponse.json({ errors: ['nope'] }, { status }));
    const out = await dora(['incident', '--service', 'a', '--started-at', 'now', '--max-attempts', '2']);
    expect(out.code).toBe(exitCode);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('nope');
    expect(out.stderr).not.toContain(KEY);
  });
});

describe('dora deployment through the CLI', () => {
  it('posts to /api/v2/dora/deployment with "now" from the injected clock', async () => {
    const bodies = intake('/api/v2/dora/deployment', accepted('dora_deployment'));
    expect(
      (await dora(['deployment', '--started-at', '1795687200', '--skip-git'], { DD_SERVICE: 'svc', DD_ENV: 'prod' }))
        .code,
    ).toBe(0);
    expect(bodies[0]).toContain('"finished_at":1795700000123456789');
    expect(JSON.parse(bodies[0] ?? '{}').data.attributes).toMatchObject({ service: 'svc', env: 'prod' });
  });

  it("takes a start up to a minute ahead as another clock's skew, finishing it no earlier than it starts", async () => {
    const ahead = String(NOW + 1_000_000_000n); // 1 s ahead of this machine's clock, in nanoseconds
    const out = await dora(['deployment', '--service', 's', '--started-at', ahead, '--skip-git', '--dry-run']);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).data.attributes).toMatchObject({
      started_at: Number(ahead),
      finished_at: Number(ahead),
    });
  });

  it.each([
    ['deployment', '--started-at', ['--started-at', '2099-01-01T00:00:00Z']],
    ['deployment', '--finished-at', ['--started-at', 'now', '--finished-at', '2150-01-01T00:00:00Z']],
    ['incident', '--started-at', ['--started-at', String(NOW + 61_000_000_000n)]],
    ['incident', '--finished-at', ['--started-at', 'now', '--finished-at', String(NOW + 86_400_000_000_000n)]],
  ])('refuses a %s %s more than a minute ahead, dry run or not, naming both instants', async (command, flag, times) => {
    for (const dryRun of [['--dry-run'], []]) {
      const out = await dora([
        command,
        '--service',
        's',
        ...times,
        ...(command === 'deployment' ? ['--skip-git'] : []),
        ...dryRun,
      ]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(
        new RegExp(
          `${flag} is in the future: .*Z is after this machine's clock, 2026-11-26T\\d{2}:\\d{2}:\\d{2}\\.123456789Z`,
        ),
      );
    }
  });

  it('records one deployment per --service, each with its own id, sharing the times', async () => {
    const bodies = intake('/api/v2/dora/deployment', accepted('dora_deployment'));
    let n = 0;
    const out = await dora(
      [
        'deployment',
        '--service',
        'api',
        '--service',
        'worker',
        '--service',
        'api',
        '--started-at',
        '1795687200',
        '--skip-git',
        '--json',
      ],
      {},
      { newId: () => `generated-id-0000-${++n}000` },
    );
    expect(out.code, out.stderr).toBe(0);
    const sent = bodies.map((body) => JSON.parse(body).data.attributes);
    expect(sent.map((event) => [event.service, event.id])).toEqual([
      ['api', 'generated-id-0000-1000'],
      ['worker', 'generated-id-0000-2000'],
    ]);
    expect(new Set(sent.map((event) => `${event.started_at}/${event.finished_at}`)).size).toBe(1);
    const result = JSON.parse(out.stdout);
    expect(result.ok).toBe(true);
    expect(result.events.map((event: { service: string; ok: boolean }) => [event.service, event.ok])).toEqual([
      ['api', true],
      ['worker', true],
    ]);
    expect(out.stderr.match(/Recorded deployment of/g)).toHaveLength(2);
  });

  it('refuses --id with several services: one id cannot name two events', async () => {
    const out = await dora([
      'deployment',
      '--service',
      'a',
      '--service',
      'b',
      '--id',
      'deploy-0001-abcdefgh',
      '--started-at',
      'now',
      '--skip-git',
      '--dry-run',
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--id names one event/);
    expect(out.stdout).toBe('');
  });

  it('with one of several services refused, records the others, names both groups and exits with the failure', async () => {
    server.use(
      http.post('https://api.datadoghq.eu/api/v2/dora/deployment', async ({ request }) =>
        (await request.text()).includes('"worker"')
          ? HttpResponse.json({ errors: [{ title: 'Bad Request', detail: 'no such service' }] }, { status: 400 })
          : accepted('dora_deployment')(),
      ),
    );
    let n = 0;
    const options = { newId: () => `generated-id-0000-${++n}000` };
    const out = await dora(
      ['deployment', '--service', 'worker', '--service', 'api', '--started-at', 'now', '--skip-git', '--json'],
      {},
      options,
    );
    expect(out.code).toBe(4);
    expect(out.stderr).toContain(
      '1 of 2 events not confirmed as recorded: deployment of worker (id generated-id-0000-1000). Recorded: deployment of api (id generated-id-0000-2000).',
    );
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({
      ok: false,
      events: [
        { ok: false, exit_code: 4, service: 'worker' },
        { ok: true, service: 'api' },
      ],
    });
    n = 0;
    const soft = await dora(
      ['deployment', '--service', 'worker', '--service', 'api', '--started-at', 'now', '--skip-git', '--soft-fail'],
      {},
      options,
    );
    expect(soft.code).toBe(0);
    expect(soft.stderr).toMatch(/^warning: 1 of 2 events not confirmed as recorded/m);
    expect(soft.stderr).not.toMatch(/^error:/m);
  });

  it('a failure with --json prints {ok:false, exit_code, error} on stdout, and --soft-fail (or DORA_SOFT_FAIL) exits 0', async () => {
    intake('/api/v2/dora/deployment', () => HttpResponse.json({ errors: ['Forbidden'] }, { status: 403 }));
    const out = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--json']);
    expect(out.code).toBe(3);
    expect(JSON.parse(out.stdout)).toMatchObject({
      ok: false,
      exit_code: 3,
      kind: 'deployment',
      id: 'generated-id-0000-1111',
    });
    const soft = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--json'], {
      DORA_SOFT_FAIL: 'true',
    });
    expect(soft.code).toBe(0);
    expect(JSON.parse(soft.stdout)).toMatchObject({ ok: false, exit_code: 3 });
    expect(soft.stderr).toMatch(/^warning: Datadog refused the API key/m);
    const usage = await dora(['deployment', '--started-at', 'now', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({
      ok: false,
      exit_code: 2,
      error: '--service is required (or set DD_SERVICE).',
    });
  });

  it('--json --dry-run prints the result object with the request, and nanosecond times stay exact', async () => {
    const out = await dora([
      'deployment',
      '--service',
      's',
      '--started-at',
      '1795687200.123456789',
      '--finished-at',
      '1795687260',
      '--skip-git',
      '--json',
      '--dry-run',
    ]);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({
      ok: true,
      dry_run: true,
      kind: 'deployment',
      id: 'generated-id-0000-1111',
      requests: [{ method: 'POST', url: 'https://api.datadoghq.eu/api/v2/dora/deployment' }],
    });
    expect(out.stdout).toContain('"started_at":1795687200123456789');
  });

  it('puts nanosecond times in the --json result as strings, which jq cannot round', async () => {
    intake('/api/v2/dora/deployment', accepted('dora_deployment'));
    const out = await dora([
      'deployment',
      '--service',
      's',
      '--started-at',
      '1795687200.123456789',
      '--skip-git',
      '--json',
    ]);
    expect(JSON.parse(out.stdout)).toMatchObject({ started_at: '1795687200123456789', finished_at: String(NOW) });
  });

  it('retries 5xx and succeeds, reporting the attempts', async () => {
    let calls = 0;
    intake('/api/v2/dora/deployment', () =>
      ++calls < 3 ? HttpResponse.text('busy', { status: 502 }) : accepted('d')(),
    );
    const out = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ attempts: 3, status: 202 });
  });

  it('refuses FIPS when the runtime cannot, unless told to ignore it', async () => {
    intake('/api/v2/dora/deployment', accepted('d'));
    const refused = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--fips']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/FIPS/);
    const ignored = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git'], {
      DATADOG_FIPS: 'true',
      DATADOG_FIPS_IGNORE_ERROR: 'true',
    });
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toMatch(/warning: FIPS/);
  });

  it('masks the key even in commander\'s own "unknown option" echo', async () => {
    const out = await dora(['deployment', `--api-key=${KEY}`, '--service', 's', '--started-at', 'now']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/unknown option '--api-key'$/m);
    expect(out.stderr).not.toContain(KEY);
  });

  it('prints usage errors from commander on stderr with exit 2, and help on stdout with exit 0', async () => {
    const bad = await dora(['deploy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'deploy'/);
    const help = await dora(['incident', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/dora incident resolve/);
    const none = await dora([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: dora/);
  });
});
