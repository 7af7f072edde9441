/**
 * `dora deployment` through the whole CLI in-process (the Context production builds, the real transport, a local
 * intake): output, refusals, sites and statuses. What needs a real process (git, TLS, the bin) is in deployment.e2e.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type Intake, startIntake } from '../helpers/intake.js';

const KEY = 'test-api-key-0123456789abcdef';
let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

describe('dora deployment in-process', () => {
  it('prints one JSON object with the id on stdout with --json', async () => {
    intake = await startIntake();
    const run = await runCli(['deployment', '--service', 'api', '--started-at', '1795687200', '--skip-git', '--json'], {
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; id: string };
    expect(result.ok).toBe(true);
    const sent = JSON.parse(intake.requests[0]?.body ?? '{}') as { data: { attributes: { id: string } } };
    expect(result.id).toBe(sent.data.attributes.id);
    expect(result.id).toMatch(/^[A-Za-z0-9\-_.:]{16,128}$/);
  });

  it('outside any checkout, still sends without git and says how to give it', async () => {
    intake = await startIntake();
    const run = await runCli(['deployment', '--service', 'api', '--started-at', 'now'], {
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(1);
    expect(JSON.parse(intake.requests[0]?.body ?? '').data.attributes.git).toBeUndefined();
    expect(run.stderr).toMatch(/change lead time/);
    expect(run.stderr).toMatch(/--git-repository-url/);
  });

  it.each([
    [['--started-at', '1795687200'], /--service is required/],
    [['--service', 'api'], /--started-at is required/],
    [['--service', 'api', '--started-at', 'yesterday'], /--started-at: "yesterday"[\s\S]*Accepted forms/],
    [['--service', 'api', '--started-at', '2026-11-26T10:00:00'], /no time zone/],
    [['--service', 'api', '--started-at', '1795687300', '--finished-at', '1795687200'], /after --finished-at/],
    [['--service', 'api', '--started-at', '1795687200', '--git-commit-sha', 'abc123'], /not a commit SHA/],
    [['--service', 'api', '--started-at', '1795687200', '--custom-tags', 'novalue'], /key:value/],
    [['--service', 'api', '--started-at', '1795687200', '--id', 'short'], /--id must be 16 to 128/],
    [['--service', 'api', '--started-at', '1795687200', '--site', 'datadoghq.eu/api'], /not a Datadog site/],
    [['--service', 'api', '--started-at', '1795687200', '--bogus'], /unknown option/],
  ])('refuses bad input %j with exit 2 and sends nothing', async (args, message) => {
    intake = await startIntake();
    const gitFlags = args.some((arg) => arg.startsWith('--git-'));
    const run = await runCli(['deployment', ...args, ...(gitFlags ? [] : ['--skip-git'])], {
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(intake.requests).toHaveLength(0);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('records an old deployment without a warning: Datadog no longer has an age limit', async () => {
    const old = await runCli(
      [
        'deployment',
        '--service',
        'api',
        '--started-at',
        '1795687200',
        '--finished-at',
        '1795687260',
        '--skip-git',
        '--dry-run',
      ],
      {},
    );
    expect(old.code).toBe(0);
    expect(old.stderr).not.toMatch(/warning/);
  });

  it("refuses a site outside Datadog's domains before anything is sent: the key would go there", async () => {
    const run = await runCli(
      ['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--site', 'datadoghq.cm'],
      {
        env: { DD_API_KEY: 'e2e-site-key-0123456789abcdef' },
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a Datadog site');
  });

  it('a dry run already warns about a Datadog site dora does not know, and shows where a real run would send', async () => {
    const run = await runCli(
      [
        'deployment',
        '--service',
        'api',
        '--started-at',
        'now',
        '--skip-git',
        '--dry-run',
        '--site',
        'us9.datadoghq.com',
      ],
      {},
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'us9.datadoghq.com is not a Datadog site dora knows; a real run would send to https://api.us9.datadoghq.com anyway.',
    );
  });

  it('keeps control characters and newlines in input from acting on the terminal or forging lines', async () => {
    const sha = 'a'.repeat(40);
    const run = await runCli(
      [
        'deployment',
        '--service',
        'api',
        '--started-at',
        'now',
        '--dry-run',
        '--git-commit-sha',
        sha,
        '--git-repository-url',
        'https://x.example/r\nerror: forged',
      ],
      {},
    );
    expect(run.stderr).not.toMatch(/^error: forged/m);
    const unknown = await runCli(['deployment', '--ser\u001b]0;PWNED\u0007vice', 'a'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toContain('\u001b');
    // A name that is no plain word is not echoed at all (it could as well be a pasted token).
    expect(unknown.stderr).toContain('unknown option (not shown: it may be a credential)');
  });

  it('a missing API key is exit 2 and names DD_API_KEY', async () => {
    const run = await runCli(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DD_API_KEY');
  });

  it('--version after the subcommand is the service version, not the CLI version', async () => {
    const run = await runCli(
      ['deployment', '--service', 'api', '--version', '9.9.9', '--started-at', '1795687200', '--skip-git', '--dry-run'],
      {},
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).data.attributes.version).toBe('9.9.9');
  });

  it.each([
    [401, 3, /API key/],
    [403, 3, /DD_SITE/],
    [400, 4, /service is invalid/],
  ])('HTTP %i from the intake exits %i with the API text', async (status, code, message) => {
    intake = await startIntake(() => ({
      status,
      body: JSON.stringify({
        errors: status === 400 ? [{ title: 'Bad Request', detail: 'service is invalid' }] : ['Forbidden'],
      }),
    }));
    const run = await runCli(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git'], {
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url },
    });
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(intake.requests).toHaveLength(1); // not retried
    expect(run.stderr).not.toContain(KEY);
  });
});
