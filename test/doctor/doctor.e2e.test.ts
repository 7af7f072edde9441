/** `dora doctor` from the built binary against a real local intake: the checks, the calls it makes, and its exit codes. */
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo } from '../helpers/git-repo.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { runDora } from '../helpers/run-dora.js';

const API_KEY = 'e2e0doctor0key0123456789abcdef42';
const APP_KEY = 'e2e0doctor0app0key0123456789abcdef0app7';
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

describe('dora doctor, end to end', () => {
  it('reports every check, calls only validate and the list, sends no event, exits 0', async () => {
    const repo = makeRepo('https://github.com/acme/shop.git');
    intake = await startIntake((request) =>
      request.path === '/api/v1/validate'
        ? { status: 200, body: '{"valid":true}', headers: { date: new Date().toUTCString() } }
        : {
            status: 200,
            body: JSON.stringify({
              data: [{ id: 'd1', attributes: { version: '1.4.1', finished_at: '2026-11-25T09:00:00Z' } }],
            }),
          },
    );
    const run = await runDora(['doctor', '--service', 'shop', '--env', 'prod', '--version', '1.4.2'], {
      cwd: repo.dir,
      env: { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DORA_API_URL: intake.url, NO_COLOR: '1' },
    });
    expect(run.code).toBe(0);
    expect(intake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/v1/validate',
      'POST /api/v2/dora/deployments',
    ]);
    const lines = run.stdout.trim().split('\n');
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      'ok   site',
      'ok   keys',
      'ok   event',
      'ok   api key',
      'ok   application key',
      'ok   last deployment',
      'ok   network',
      'ok   clock',
      'ok   ci',
      'ok   git',
      'ok   checkout',
      expect.stringMatching(/^(ok {2}|warn) runtime$/),
    ]);
    expect(run.stdout).toContain('shop in prod: version 1.4.1, finished 2026-11-25T09:00:00Z');
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
    expect(run.stdout + run.stderr).not.toContain(APP_KEY);
  });

  it('a rejected key exits 3 with --json on stdout', async () => {
    intake = await startIntake(() => ({ status: 403, body: '{"errors":["Forbidden"]}' }));
    const run = await runDora(['doctor', '--service', 'shop', '--json'], {
      env: { DD_API_KEY: API_KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(result.ok).toBe(false);
    expect(result.checks.find((check) => check.name === 'api key')?.status).toBe('fail');
  });
});

describe('dora doctor and TLS, end to end', () => {
  it('a certificate it cannot verify: exit 5, worded as a send would word it', async () => {
    intake = await startIntake(() => ({ status: 200, body: '{"valid":true}' }), { tls: true });
    const run = await runDora(['doctor', '--service', 'shop', '--json'], {
      env: { DD_API_KEY: API_KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(5);
    const result = JSON.parse(run.stdout) as { checks: Array<{ name: string; status: string; detail: string }> };
    const network = result.checks.find((check) => check.name === 'network');
    expect(network?.status).toBe('fail');
    expect(network?.detail).toContain('could not be verified');
    expect(network?.detail).toContain('NODE_EXTRA_CA_CERTS');
  });
});
