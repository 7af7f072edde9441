/** The pure parts of `dora doctor`: NO_PROXY as the proxy transport reads it, the Node.js table, verdicts and exit codes. */
import { describe, expect, it } from 'vitest';
import { noProxyExempts } from '../../src/api/transports/no-proxy.js';
import { checksJson, exitCodeOf, fail, ok, renderChecks, warn } from '../../src/doctor/check.js';
import { judgeNetwork } from '../../src/doctor/remote.js';
import { judgeRuntime } from '../../src/doctor/runtime.js';
import { DeliveryError } from '../../src/errors.js';
import { PLAIN } from '../../src/output/reporter.js';

const API = 'https://api.datadoghq.eu';

describe('noProxyExempts', () => {
  it.each([
    ['*', '*'],
    ['api.datadoghq.eu', 'api.datadoghq.eu'],
    ['datadoghq.eu', 'datadoghq.eu'],
    ['.datadoghq.eu', '.datadoghq.eu'],
    ['*.datadoghq.eu', '*.datadoghq.eu'],
    ['localhost, API.DATADOGHQ.EU', 'API.DATADOGHQ.EU'],
    ['api.datadoghq.eu:443', 'api.datadoghq.eu:443'],
  ])('NO_PROXY=%j exempts the API host (entry %j)', (noProxy, entry) => {
    expect(noProxyExempts(noProxy, API)).toBe(entry);
  });

  it.each([['api.datadoghq.eu:8443'], ['hq.eu'], ['datadoghq.com'], ['example.com,other'], ['']])(
    'NO_PROXY=%j does not',
    (noProxy) => {
      expect(noProxyExempts(noProxy, API)).toBeUndefined();
    },
  );

  it('treats an IP address as having no subdomains: .0.0.1 or *.0.0.1 does not exempt 127.0.0.1', () => {
    for (const noProxy of ['.0.0.1', '*.0.0.1', '0.0.1', '.1']) {
      expect(noProxyExempts(noProxy, 'http://127.0.0.1:8126')).toBeUndefined();
    }
    expect(noProxyExempts('127.0.0.1', 'http://127.0.0.1:8126')).toBe('127.0.0.1');
  });

  it("compares a port-bound entry with the URL's own port", () => {
    expect(noProxyExempts('127.0.0.1:8126', 'http://127.0.0.1:8126')).toBe('127.0.0.1:8126');
    expect(noProxyExempts('127.0.0.1:80', 'http://127.0.0.1:8126')).toBeUndefined();
  });
});

describe('judgeRuntime', () => {
  const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
  it('warns once a line is past its end of life, naming the date', () => {
    const check = judgeRuntime('v20.19.0', day('2026-05-01'));
    expect(check.status).toBe('warn');
    expect(check.detail).toContain('end of life on 2026-04-30');
    expect(check.fix).toContain('Node.js 24');
  });
  it('is fine before it and for lines not in the table', () => {
    expect(judgeRuntime('v20.19.0', day('2026-04-29')).status).toBe('ok');
    expect(judgeRuntime('v22.1.0', day('2026-12-01')).status).toBe('ok');
    expect(judgeRuntime('v22.1.0', day('2027-05-01')).status).toBe('warn');
    expect(judgeRuntime('v26.0.0', day('2026-12-01')).status).toBe('ok');
  });
});

describe('verdicts', () => {
  const checks = [
    ok('site', 'fine'),
    warn('event', 'no version', 'Pass --version.'),
    fail('network', 'down', 'Check it.', 5),
    fail('keys', 'none', 'Set it.', 2),
  ];

  it('exit with the most basic failure: configuration before key before network; warnings alone exit 0', () => {
    expect(exitCodeOf(checks)).toBe(2);
    expect(exitCodeOf([checks[2]!, fail('api key', 'no', 'fix', 3)])).toBe(3);
    expect(exitCodeOf(checks.slice(0, 2))).toBe(0);
  });

  it('render plain: ok/warn/fail and the fix after an arrow', () => {
    expect(renderChecks(checks.slice(0, 3), PLAIN, false)).toEqual([
      'ok   site: fine',
      'warn event: no version -> Pass --version.',
      'fail network: down -> Check it.',
    ]);
    expect(renderChecks(checks.slice(0, 1), PLAIN, true)).toEqual(['✓ site: fine']);
  });

  it('the JSON shape: ok and checks of {name, status, detail, fix}', () => {
    expect(checksJson(checks.slice(0, 2))).toEqual({
      ok: true,
      checks: [
        { name: 'site', status: 'ok', detail: 'fine', fix: null },
        { name: 'event', status: 'warn', detail: 'no version', fix: 'Pass --version.' },
      ],
    });
  });
});

describe('judgeNetwork', () => {
  const target = { site: 'datadoghq.eu', host: 'api.datadoghq.eu' };
  it('names the proxy, or the NO_PROXY entry that bypasses it', () => {
    expect(judgeNetwork({ status: 200, rttMs: 42.4 }, { proxy: 'http://proxy:3128' }, target).detail).toBe(
      'through the proxy http://proxy:3128; api.datadoghq.eu answered in 42 ms',
    );
    expect(
      judgeNetwork({ status: 200 }, { proxy: 'http://proxy:3128', exemptBy: '.datadoghq.eu' }, target).detail,
    ).toContain('direct (NO_PROXY entry ".datadoghq.eu" exempts api.datadoghq.eu from the proxy http://proxy:3128)');
  });
  it("fails with the send's own message when the API is unreachable, pointing at the proxy when one is used", () => {
    const check = judgeNetwork(
      {
        error: new DeliveryError(
          'Request not completed: the TLS certificate of api.datadoghq.eu could not be verified.',
        ),
      },
      { proxy: 'http://proxy:3128' },
      target,
    );
    expect(check).toMatchObject({ status: 'fail', exitCode: 5 });
    expect(check.detail).toContain('TLS certificate');
    expect(check.fix).toContain('HTTPS_PROXY');
  });
});

describe('judgeNetwork before any request', () => {
  it('does not claim an answer when the call never started (FIPS refused): fails with that reason and its exit code', async () => {
    const { UsageError } = await import('../../src/errors.js');
    const check = judgeNetwork(
      { error: new UsageError('FIPS mode could not be enabled (no provider).') },
      {},
      { site: 'datadoghq.eu', host: 'api.datadoghq.eu' },
    );
    expect(check).toMatchObject({ status: 'fail', exitCode: 2 });
    expect(check.detail).toContain('not checked: FIPS mode could not be enabled');
  });
});
