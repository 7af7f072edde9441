/**
 * The whole CLI in-process (commander wiring, commands, delivery, exit codes) with msw as the intake and an injected
 * Context: shows both commands hit the right endpoint and that every status class maps to its exit code.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '../../src/api/client.js';
import { run } from '../../src/cli.js';
import { readConfig } from '../../src/config.js';
import type { Context } from '../../src/context.js';

const KEY = 'cli-test-key-0123456789abcdef';
const NOW = 1_795_700_000_123_456_789n;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function context(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  let sleptMs = 0;
  const ctx: Context = {
    config: readConfig({ DD_API_KEY: KEY, DD_SITE: 'datadoghq.eu', ...env }),
    cwd: '/nonexistent',
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    nowNs: () => NOW,
    clock: {
      monotonicMs: () => sleptMs,
      wallMs: () => Date.UTC(2026, 10, 26) + sleptMs,
      sleep: async (ms) => {
        sleptMs += ms;
      },
    },
    random: () => 0.5,
    newId: () => 'generated-id-0000-1111',
    io: { readFile: () => undefined },
    readLocalGit: async () => ({}),
    // msw intercepts Node's global fetch; undici's own fetch is exercised by the e2e tests.
    createTransport: async () => ({ transport: globalThis.fetch as unknown as Transport, close: async () => undefined }),
    signal: new AbortController().signal,
    cliVersion: '0.0.0-test',
    platform: 'node test',
    enableFips: () => {
      throw new Error('no FIPS provider');
    },
  };
  return { ctx, out };
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
    const { ctx, out } = context();
    const code = await run(['incident', '--service', 'a', '--service', 'b', '--team', 't', '--started-at', '1795687200.000000001', '--json'], ctx);
    expect(code).toBe(0);
    expect(bodies[0]).toBe(
      '{"data":{"attributes":{"services":["a","b"],"team":"t","started_at":1795687200000000001,"id":"generated-id-0000-1111"}}}',
    );
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, kind: 'incident', id: 'generated-id-0000-1111', state: 'open' });
  });

  it('sends a service named twice once', async () => {
    const bodies = intake('/api/v2/dora/failure', accepted('dora_failure'));
    const { ctx } = context();
    expect(await run(['incident', '--service', 'a', '--service', 'a', '--service', 'b', '--started-at', 'now'], ctx)).toBe(0);
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
    const { ctx, out } = context();
    expect(await run(['incident', '--service', 'a', '--started-at', 'now', '--max-attempts', '2'], ctx)).toBe(exitCode);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('nope');
    expect(out.stderr).not.toContain(KEY);
  });
});

describe('dora deployment through the CLI', () => {
  it('posts to /api/v2/dora/deployment with "now" from the injected clock', async () => {
    const bodies = intake('/api/v2/dora/deployment', accepted('dora_deployment'));
    const { ctx } = context({ DD_SERVICE: 'svc', DD_ENV: 'prod' });
    expect(await run(['deployment', '--started-at', '1795687200', '--skip-git'], ctx)).toBe(0);
    expect(bodies[0]).toContain('"finished_at":1795700000123456789');
    expect(JSON.parse(bodies[0] ?? '{}').data.attributes).toMatchObject({ service: 'svc', env: 'prod' });
  });

  it('blames --started-at, not an absent --finished-at, for a start in the future', async () => {
    const { ctx, out } = context();
    expect(await run(['deployment', '--service', 's', '--started-at', '2099-01-01T00:00:00Z', '--skip-git', '--dry-run'], ctx)).toBe(2);
    expect(out.stderr).toMatch(/--started-at is in the future/);
  });

  it('refuses a second --service instead of silently keeping the last one', async () => {
    const { ctx, out } = context();
    expect(await run(['deployment', '--service', 'a', '--service', 'b', '--started-at', 'now', '--skip-git', '--dry-run'], ctx)).toBe(2);
    expect(out.stderr).toMatch(/--service was given twice/);
    expect(out.stdout).toBe('');
  });

  it('retries 5xx and succeeds, reporting the attempts', async () => {
    let calls = 0;
    intake('/api/v2/dora/deployment', () => (++calls < 3 ? HttpResponse.text('busy', { status: 502 }) : accepted('d')()));
    const { ctx, out } = context();
    expect(await run(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--json'], ctx)).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ attempts: 3, status: 202 });
  });

  it('refuses FIPS when the runtime cannot, unless told to ignore it', async () => {
    intake('/api/v2/dora/deployment', accepted('d'));
    const refused = context();
    expect(await run(['deployment', '--service', 's', '--started-at', 'now', '--skip-git', '--fips'], refused.ctx)).toBe(2);
    expect(refused.out.stderr).toMatch(/FIPS/);
    const ignored = context({ DATADOG_FIPS: 'true', DATADOG_FIPS_IGNORE_ERROR: 'true' });
    expect(await run(['deployment', '--service', 's', '--started-at', 'now', '--skip-git'], ignored.ctx)).toBe(0);
    expect(ignored.out.stderr).toMatch(/warning: FIPS/);
  });

  it('masks the key even in commander\'s own "unknown option" echo', async () => {
    const { ctx, out } = context();
    expect(await run(['deployment', `--api-key=${KEY}`, '--service', 's', '--started-at', 'now'], ctx)).toBe(2);
    expect(out.stderr).toMatch(/unknown option '--api-key=\[redacted\]'/);
    expect(out.stderr).not.toContain(KEY);
  });

  it('prints usage errors from commander on stderr with exit 2, and help on stdout with exit 0', async () => {
    const bad = context();
    expect(await run(['deploy'], bad.ctx)).toBe(2);
    expect(bad.out.stderr).toMatch(/unknown command 'deploy'/);
    const help = context();
    expect(await run(['incident', '--help'], help.ctx)).toBe(0);
    expect(help.out.stdout).toMatch(/--finished-at now/);
    const none = context();
    expect(await run([], none.ctx)).toBe(2);
    expect(none.out.stderr).toMatch(/Usage: dora/);
  });
});
