/**
 * The whole CLI in-process (commander wiring, commands, delivery, exit codes) with msw as the intake, through the
 * Context production builds: both commands hit the right endpoint and every status class maps to its exit code.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliOptions } from '../helpers/cli.js';
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

function intake(path: string, reply: () => Response) {
  const bodies: string[] = [];
  server.use(
    http.post(`https://api.datadoghq.eu${path}`, async ({ request }) => {
      bodies.push(await request.text());
      return reply();
    }),
  );
  return bodies;
}

const accepted = (type: string) => () => HttpResponse.json({ data: { id: 'x', type } }, { status: 202 });

describe('dora incident through the CLI', () => {
  it('posts to /api/v2/dora/failure on the configured site, with exact times', async () => {
    const bodies = intake('/api/v2/dora/failure', accepted('dora_failure'));
    const out = await dora(['incident', '--service', 'a', '--service', 'b', '--team', 't', '--started-at', '1795687200.000000001', '--json']);
    expect(out.code).toBe(0);
    expect(bodies[0]).toBe(
      '{"data":{"attributes":{"services":["a","b"],"team":"t","started_at":1795687200000000001,"id":"generated-id-0000-1111"}}}',
    );
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, kind: 'incident', id: 'generated-id-0000-1111', state: 'open' });
  });

  it('sends a service named twice once', async () => {
    const bodies = intake('/api/v2/dora/failure', accepted('dora_failure'));
    expect((await dora(['incident', '--service', 'a', '--service', 'a', '--service', 'b', '--started-at', 'now'])).code).toBe(0);
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
    expect((await dora(['deployment', '--started-at', '1795687200', '--skip-git'], { DD_SERVICE: 'svc', DD_ENV: 'prod' })).code).toBe(0);
    expect(bodies[0]).toContain('"finished_at":1795700000123456789');
    expect(JSON.parse(bodies[0] ?? '{}').data.attributes).toMatchObject({ service: 'svc', env: 'prod' });
  });

  it('blames --started-at, not an absent --finished-at, for a start in the future', async () => {
    const out = await dora(['deployment', '--service', 's', '--started-at', '2099-01-01T00:00:00Z', '--skip-git', '--dry-run']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--started-at is in the future/);
  });

  it('refuses a second --service instead of silently keeping the last one', async () => {
    const out = await dora(['deployment', '--service', 'a', '--service', 'b', '--started-at', 'now', '--skip-git', '--dry-run']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--service was given twice/);
    expect(out.stdout).toBe('');
  });

  it('retries 5xx and succeeds, reporting the attempts', async () => {
    let calls = 0;
    intake('/api/v2/dora/deployment', () => (++calls < 3 ? HttpResponse.text('busy', { status: 502 }) : accepted('d')()));
    const out = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ attempts: 3, status: 202 });
  });

  it('refuses FIPS when the runtime cannot, unless told to ignore it', async () => {
    intake('/api/v2/dora/deployment', accepted('d'));
    const refused = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--fips']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/FIPS/);
    const ignored = await dora(['deployment', '--service', 's', '--started-at', 'now', '--skip-git'], { DATADOG_FIPS: 'true', DATADOG_FIPS_IGNORE_ERROR: 'true' });
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toMatch(/warning: FIPS/);
  });

  it('masks the key even in commander\'s own "unknown option" echo', async () => {
    const out = await dora(['deployment', `--api-key=${KEY}`, '--service', 's', '--started-at', 'now']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/unknown option '--api-key=\[redacted\]'/);
    expect(out.stderr).not.toContain(KEY);
  });

  it('prints usage errors from commander on stderr with exit 2, and help on stdout with exit 0', async () => {
    const bad = await dora(['deploy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'deploy'/);
    const help = await dora(['incident', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--finished-at now/);
    const none = await dora([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: dora/);
  });
});
