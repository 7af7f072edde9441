/**
 * `dora doctor` through the whole CLI in-process: msw plays the API (valid, 403, silent, a skewed Date, lists with
 * and without deployments) and real temporary repositories play the checkouts (shallow, detached, folder remote,
 * none), under CI environments too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localGitReader } from '../../src/git/local.js';

/** The real checkout reader, with git found on this process's PATH. */
const readLocalGit = localGitReader(process.env);

import { type CliOptions, runCli } from '../helpers/cli.js';
import { makePlainDir, makeRepo } from '../helpers/git-repo.js';
import { virtualClock, WALL_START } from '../helpers/virtual-clock.js';

const API_KEY = '0123456789abcdef0123456789abcd42';
const APP_KEY = 'fedcba9876543210fedcba9876543210fedcapp7';
const BASE = 'https://api.datadoghq.eu';
const NOW = BigInt(WALL_START) * 1_000_000n;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Seen {
  validate: Request[];
  lists: Array<{ headers: Headers; body: unknown }>;
}

/** The API as a test wants it; every answer carries a Date (the server's clock), `skewMs` off the virtual wall clock. */
function api(
  options: { validate?: number | 'silent'; deployments?: unknown[]; list?: number; skewMs?: number } = {},
): Seen {
  const seen: Seen = { validate: [], lists: [] };
  const date = () => ({ Date: new Date(WALL_START + (options.skewMs ?? 0)).toUTCString() });
  server.use(
    http.get(`${BASE}/api/v1/validate`, async ({ request }) => {
      seen.validate.push(request);
      if (options.validate === 'silent') return new Promise<never>(() => undefined);
      const status = options.validate ?? 200;
      return status === 200
        ? HttpResponse.json({ valid: true }, { headers: date() })
        : HttpResponse.json({ errors: ['Forbidden'] }, { status, headers: date() });
    }),
    http.post(`${BASE}/api/v2/dora/deployments`, async ({ request }) => {
      seen.lists.push({ headers: request.headers, body: await request.json() });
      const status = options.list ?? 200;
      return status === 200
        ? HttpResponse.json({ data: options.deployments ?? [] }, { headers: date() })
        : HttpResponse.json({ errors: ['Forbidden'] }, { status, headers: date() });
    }),
  );
  return seen;
}

async function doctor(argv: string[], env: Record<string, string> = {}, more: CliOptions = {}) {
  const out = await runCli(['doctor', ...argv], {
    env: { DD_SITE: 'datadoghq.eu', ...env },
    nowNs: () => NOW,
    clock: virtualClock(),
    random: () => 0.5,
    ...more,
  });
  return out;
}

const KEYS = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };

type JsonCheck = { name: string; status: 'ok' | 'warn' | 'fail'; detail: string; fix: string | null };
function checks(stdout: string): { ok: boolean; checks: JsonCheck[] } {
  return JSON.parse(stdout) as { ok: boolean; checks: JsonCheck[] };
}
function check(stdout: string, name: string): JsonCheck {
  const found = checks(stdout).checks.find((one) => one.name === name);
  if (!found) throw new Error(`no check ${name} in ${stdout}`);
  return found;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
    },
  }).trim();
}

const REMOTE = 'https://github.com/acme/shop.git';

describe('dora doctor against the API', () => {
  it('all well: exit 0, one JSON object with every check, the last deployment of the service, no key printed', async () => {
    const seen = api({
      deployments: [
        {
          id: 'dep-1',
          type: 'dora_deployment',
          attributes: { service: 'shop', env: 'prod', version: '1.4.1', finished_at: '2026-11-25T09:00:00Z' },
        },
      ],
    });
    const repo = makeRepo(REMOTE);
    const out = await doctor(['--service', 'shop', '--env', 'prod', '--version', '1.4.2', '--json'], KEYS, {
      cwd: repo.dir,
      readLocalGit,
    });
    expect(out.code).toBe(0);
    const result = checks(out.stdout);
    expect(result.ok).toBe(true);
    expect(result.checks.map((one) => one.name)).toEqual([
      'site',
      'keys',
      'event',
      'api key',
      'application key',
      'last deployment',
      'network',
      'clock',
      'ci',
      'git',
      'checkout',
      'runtime',
    ]);
    for (const one of result.checks) {
      expect(Object.keys(one)).toEqual(['name', 'status', 'detail', 'fix']);
      if (one.name !== 'runtime') expect(one.status, one.name).toBe('ok');
    }
    expect(check(out.stdout, 'keys').detail).toBe('API key …cd42 (DD_API_KEY); application key …app7 (DD_APP_KEY)');
    expect(check(out.stdout, 'site').detail).toContain('datadoghq.eu (DD_SITE), API at https://api.datadoghq.eu');
    expect(check(out.stdout, 'last deployment').detail).toBe(
      'shop in prod: version 1.4.1, finished 2026-11-25T09:00:00Z (id dep-1)',
    );
    expect(check(out.stdout, 'git').detail).toBe(
      `repository ${REMOTE} (local checkout), commit ${repo.head} (local checkout)`,
    );
    expect(seen.validate[0]?.headers.get('dd-api-key')).toBe(API_KEY);
    expect(seen.lists[0]?.headers.get('dd-application-key')).toBe(APP_KEY);
    expect(seen.lists[0]?.body).toMatchObject({
      data: {
        type: 'dora_deployments_list_request',
        attributes: { limit: 1, query: 'service:shop env:prod', sort: '-finished_at' },
      },
    });
    expect(out.stdout + out.stderr).not.toContain(API_KEY);
    expect(out.stdout + out.stderr).not.toContain(APP_KEY);
  });

  it('a 403 from validate: exit 3, the key is named as not valid for this site, and nothing goes elsewhere', async () => {
    const seen = api({ validate: 403 });
    const out = await doctor(['--service', 'shop', '--json'], KEYS);
    expect(out.code).toBe(3);
    const key = check(out.stdout, 'api key');
    expect(key.status).toBe('fail');
    expect(key.detail).toBe('HTTP 403: the API key is not valid for datadoghq.eu (api.datadoghq.eu)');
    expect(key.fix).toContain('An API key belongs to one Datadog site');
    expect(checks(out.stdout).ok).toBe(false);
    // Like every failing result, it says what went wrong: the check that decided the exit code.
    expect(JSON.parse(out.stdout)).toMatchObject({
      exit_code: 3,
      error: 'api key: HTTP 403: the API key is not valid for datadoghq.eu (api.datadoghq.eu)',
    });
    expect(seen.validate).toHaveLength(1);
    expect(seen.lists).toHaveLength(0); // the application key is not tried with a rejected API key
    // The refusal still tells the clock and the network.
    expect(check(out.stdout, 'clock').status).toBe('ok');
    expect(check(out.stdout, 'network').status).toBe('ok');
    // One JSON object on stdout, not a second error object.
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a 404 from validate (not the API dora expects there): exit 4, as documented, with the reason', async () => {
    api({ validate: 404 });
    const out = await doctor(['--service', 'shop', '--json'], KEYS);
    expect(out.code).toBe(4);
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({ ok: false, exit_code: 4 });
    expect(result.error).toMatch(/HTTP 404/);
  });

  it("an API that never answers: exit 5 within the deadline, the network check fails with a send's wording", async () => {
    const clock = virtualClock();
    api({ validate: 'silent' });
    const out = await doctor(['--service', 'shop', '--json', '--deadline', '2', '--request-timeout', '0.5'], KEYS, {
      clock,
    });
    expect(out.code).toBe(5);
    const network = check(out.stdout, 'network');
    expect(network.status).toBe('fail');
    expect(network.detail).toContain('Request not completed after');
    expect(network.detail).toContain('no answer within 0.5s');
    expect(check(out.stdout, 'api key').detail).toBe('not checked: the API was not reached');
    expect(check(out.stdout, 'clock').status).toBe('warn');
    expect(clock.elapsed()).toBeLessThanOrEqual(2000);
  });

  it('a server clock 5 minutes off: a warning naming the skew, still exit 0', async () => {
    api({ skewMs: -5 * 60_000 });
    const out = await doctor(['--service', 'shop', '--version', '1', '--json'], KEYS);
    expect(out.code).toBe(0);
    const clock = check(out.stdout, 'clock');
    expect(clock.status).toBe('warn');
    expect(clock.detail).toBe("the local clock is 5 min ahead of the server's");
    expect(clock.fix).toContain('NTP');
  });

  it('no deployment recorded yet: a warning, exit 0', async () => {
    api({ deployments: [] });
    const out = await doctor(['--service', 'shop', '--env', 'prod', '--json'], KEYS);
    expect(out.code).toBe(0);
    expect(check(out.stdout, 'last deployment')).toMatchObject({
      status: 'warn',
      detail: 'none recorded for shop in prod in the last 90 days',
    });
  });

  it("several --service, as a deployment takes them: all named, the first one's last deployment looked up", async () => {
    const seen = api({ deployments: [] });
    const out = await doctor(['--service', 'api', '--service', 'worker', '--version', '2', '--json'], KEYS);
    expect(out.code).toBe(0);
    expect(check(out.stdout, 'event').detail).toBe('services api, worker (--service), no env, version 2 (--version)');
    expect(seen.lists[0]?.body).toMatchObject({ data: { attributes: { query: 'service:api' } } });
  });

  it('an application key without dora_metrics_read: a warning only, since sending does not need it', async () => {
    api({ list: 403 });
    const out = await doctor(['--service', 'shop', '--json'], KEYS);
    expect(out.code).toBe(0);
    expect(check(out.stdout, 'application key')).toMatchObject({ status: 'warn' });
    expect(check(out.stdout, 'application key').fix).toContain('dora_metrics_read');
  });

  it('no key at all: exit 2, says which checks need one, and reads the clock from the refusal (sent with no key header)', async () => {
    const seen = api({ validate: 403, skewMs: 90_000 });
    const out = await doctor(['--json']);
    expect(out.code).toBe(2);
    expect(check(out.stdout, 'keys')).toMatchObject({ status: 'fail' });
    expect(check(out.stdout, 'keys').fix).toContain('the API key and application key checks need it');
    expect(check(out.stdout, 'api key').detail).toBe('not checked: no API key');
    expect(check(out.stdout, 'clock').detail).toBe("the local clock is 90 s behind the server's");
    expect(seen.validate[0]?.headers.has('dd-api-key')).toBe(false);
  });

  it('ddog-gov.com: DORA Metrics is not there, exit 2', async () => {
    server.use(http.get('https://api.ddog-gov.com/api/v1/validate', () => HttpResponse.json({ valid: true })));
    const out = await doctor(['--json'], { DD_API_KEY: API_KEY, DD_SITE: 'ddog-gov.com' });
    expect(out.code).toBe(2);
    expect(check(out.stdout, 'site')).toMatchObject({ status: 'fail' });
    expect(check(out.stdout, 'site').detail).toContain('DORA Metrics is not available on ddog-gov.com');
  });

  it('an unusable site: exit 2 with the reason, no request, and git and runtime still reported', async () => {
    const seen = api();
    const out = await doctor(['--json', '--site', 'datadoghq.cm'], KEYS);
    expect(out.code).toBe(2);
    expect(check(out.stdout, 'site').detail).toContain('is not a Datadog site');
    expect(seen.validate).toHaveLength(0);
    expect(check(out.stdout, 'runtime').detail).toContain(process.version);
  });

  it('--fips on a Node without a FIPS provider: exit 2 before any request, as a send would', async () => {
    const seen = api();
    const out = await doctor(['--json', '--fips'], KEYS, {
      enableFips: () => {
        throw new Error('no FIPS provider');
      },
    });
    expect(out.code).toBe(2);
    expect(seen.validate).toHaveLength(0);
    expect(check(out.stdout, 'network')).toMatchObject({ status: 'fail' });
    expect(check(out.stdout, 'network').detail).toContain('FIPS mode could not be enabled');
  });

  it('--dry-run touches no network', async () => {
    const seen = api();
    const out = await doctor(['--service', 'shop', '--json', '--dry-run'], KEYS);
    expect(seen.validate).toHaveLength(0);
    expect(out.code).toBe(0);
    expect(check(out.stdout, 'api key').status).toBe('warn');
  });

  it('reads at a terminal as one line per check, ok/warn/fail without colour, the fix after the arrow', async () => {
    api({ validate: 403 });
    const out = await doctor(['--service', 'shop'], { ...KEYS, NO_COLOR: '1' }, { isTTY: true });
    expect(out.code).toBe(3);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ok {3}site: datadoghq\.eu/);
    expect(lines.find((line) => line.startsWith('fail api key:'))).toContain(
      '-> An API key belongs to one Datadog site',
    );
    expect(lines.find((line) => line.startsWith('warn event:'))).toContain('-> Pass --version');
    expect(out.stdout).not.toMatch(/\u001b\[/);
    expect(out.stdout).not.toContain('✓');
  });
});

describe('dora doctor on git checkouts and CI', () => {
  it('a shallow clone: a warning', async () => {
    api();
    const source = makeRepo();
    git(source.dir, 'commit', '-q', '--allow-empty', '-m', 'second');
    const dest = join(mkdtempSync(join(tmpdir(), 'dora-shallow-')), 'clone');
    git(source.dir, 'clone', '-q', '--depth', '1', `file://${source.dir}`, dest);
    git(dest, 'remote', 'set-url', 'origin', REMOTE);
    const out = await doctor(['--service', 'shop', '--json'], KEYS, { cwd: dest, readLocalGit });
    expect(check(out.stdout, 'checkout')).toMatchObject({ status: 'warn', detail: 'a shallow clone' });
    expect(check(out.stdout, 'checkout').fix).toContain('fetch-depth: 0');
    expect(out.code).toBe(0);
  });

  it('a detached HEAD: the commit checked out is the one reported, no warning', async () => {
    api();
    const repo = makeRepo(REMOTE);
    git(repo.dir, 'checkout', '-q', '--detach');
    const out = await doctor(['--json'], KEYS, { cwd: repo.dir, readLocalGit });
    expect(check(out.stdout, 'git')).toMatchObject({ status: 'ok' });
    expect(check(out.stdout, 'git').detail).toContain(`commit ${repo.head} (local checkout)`);
    expect(check(out.stdout, 'checkout')).toMatchObject({
      status: 'ok',
      detail: `HEAD ${repo.head.slice(0, 12)}, full history`,
    });
  });

  it('a remote that is a folder: a warning that it is not sent', async () => {
    api();
    const repo = makeRepo('/srv/git/shop.git');
    const out = await doctor(['--service', 'shop', '--json'], KEYS, { cwd: repo.dir, readLocalGit });
    const gitCheck = check(out.stdout, 'git');
    expect(gitCheck.status).toBe('warn');
    expect(gitCheck.detail).toContain('no repository URL');
    expect(gitCheck.detail).toContain('a folder on this machine');
    expect(out.code).toBe(0);
  });

  it('no checkout and nothing given: warns that there is no lead time', async () => {
    api();
    const out = await doctor(['--json'], KEYS, { cwd: makePlainDir(), readLocalGit });
    expect(check(out.stdout, 'git').detail).toContain('no git data, so no change lead time');
    expect(check(out.stdout, 'checkout')).toMatchObject({ status: 'ok', detail: 'not inside a git checkout' });
    expect(check(out.stdout, 'ci').detail).toBe('no CI provider detected (a local run)');
  });

  it("GitLab CI building another commit than the checkout's HEAD: names the provider and the commit dora sends", async () => {
    api();
    const repo = makeRepo(REMOTE);
    const built = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
    const out = await doctor(
      ['--json'],
      {
        ...KEYS,
        GITLAB_CI: 'true',
        CI: 'true',
        CI_COMMIT_SHA: built,
        CI_COMMIT_BRANCH: 'main',
        CI_REPOSITORY_URL: 'https://gitlab-ci-token:tok3n-secret-value@gitlab.com/acme/shop.git',
      },
      { cwd: repo.dir, readLocalGit },
    );
    expect(check(out.stdout, 'ci').detail).toBe('GitLab CI (branch main)');
    expect(check(out.stdout, 'git').detail).toBe(
      `repository https://gitlab.com/acme/shop.git (GitLab CI environment, CI_REPOSITORY_URL), commit ${built} (GitLab CI environment, CI_COMMIT_SHA)`,
    );
    const checkout = check(out.stdout, 'checkout');
    expect(checkout.status).toBe('warn');
    expect(checkout.detail).toContain(
      `HEAD ${repo.head.slice(0, 12)} is not the commit dora sends, ${built.slice(0, 12)} (GitLab CI environment, CI_COMMIT_SHA)`,
    );
    expect(out.stdout).not.toContain('tok3n-secret-value');
  });
});

describe('dora doctor judges the event a send would build', () => {
  it.each([
    [['--git-commit-sha', 'abcd', '--git-repository-url', REMOTE], 'is not a commit SHA'],
    [['--git-repository-url', '/srv/git/shop.git', '--git-commit-sha', 'a'.repeat(40)], 'a folder on this machine'],
    [['--started-at', '1795600000', '--finished-at', '1795590000'], 'cannot finish before it starts'],
    [['--rollback-of', '1.4.1'], 'needs --env'],
  ])('%j: the event check fails and doctor exits 2, as a send would', async (argv, why) => {
    api();
    const out = await doctor(['--service', 'shop', '--version', '2', '--json', ...argv], KEYS, { cwd: makePlainDir() });
    expect(out.code).toBe(2);
    const event = check(out.stdout, 'event');
    expect(event.status).toBe('fail');
    expect(event.detail).toContain(why);
  });

  it('a commit of one repository with the URL of another: refused, as a send refuses it', async () => {
    api();
    const out = await doctor(
      ['--service', 'shop', '--version', '2', '--json', '--git-repository-url', 'https://github.com/acme/other.git'],
      {
        ...KEYS,
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: 'b'.repeat(40),
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SERVER_URL: 'https://github.com',
      },
      { cwd: makePlainDir() },
    );
    expect(out.code).toBe(2);
    expect(check(out.stdout, 'event').detail).toContain('name different repositories');
  });

  it('takes the whole deployment line, -- <command> included, and judges it without running it', async () => {
    api();
    const dir = makePlainDir();
    const marker = join(dir, 'ran');
    const out = await doctor(
      ['--service', 'shop', '--version', '2', '--env', 'prod', '--json', '--', 'sh', '-c', `touch ${marker}`],
      KEYS,
      { cwd: dir },
    );
    expect(out.code, out.stdout).toBe(0);
    expect(check(out.stdout, 'event').status).toBe('ok');
    expect(existsSync(marker)).toBe(false);
  });

  it('an address whose validate answer is not Datadog’s is no API (exit 4), not a bad key; a 429 to the end is no "not reached"', async () => {
    api();
    server.use(
      http.get(`${BASE}/api/v1/validate`, () =>
        HttpResponse.json({ data: { id: 'x', type: 'dora_deployment' } }, { status: 202 }),
      ),
    );
    const other = await doctor(['--service', 'shop', '--json'], KEYS);
    expect(other.code).toBe(4);
    expect(check(other.stdout, 'api key')).toMatchObject({ status: 'fail' });
    expect(check(other.stdout, 'api key').detail).toMatch(/not as Datadog's validate endpoint does/);
    server.resetHandlers();
    api({ validate: 429 });
    const limited = await doctor(['--service', 'shop', '--json'], KEYS);
    expect(check(limited.stdout, 'api key').detail).toMatch(/answered HTTP 429/);
    expect(check(limited.stdout, 'api key').detail).not.toMatch(/not reached/);
  });

  it('--rollback-of without an application key: the keys check fails, since the mark needs one', async () => {
    api();
    const out = await doctor(['--service', 'shop', '--version', '2', '--env', 'prod', '--rollback-of', '1', '--json'], {
      DD_API_KEY: API_KEY,
    });
    expect(out.code).toBe(2);
    expect(check(out.stdout, 'keys')).toMatchObject({ status: 'fail' });
    expect(check(out.stdout, 'keys').detail).toContain('--rollback-of');
    // The application key's own line agrees: it does not say that sending needs none.
    expect(check(out.stdout, 'application key')).toMatchObject({ status: 'fail' });
    expect(check(out.stdout, 'application key').detail).not.toContain('sending needs none');
  });

  it('says git could not read the checkout, rather than "not inside a git checkout", when git is missing', async () => {
    api();
    const out = await doctor(['--service', 'shop', '--json'], KEYS, {
      cwd: makePlainDir(),
      readLocalGit: async () => ({ problem: 'git is not installed or not found on PATH' }),
    });
    expect(check(out.stdout, 'checkout').detail).toContain('git is not installed');
  });

  it('a real run that could not call the API never advises running without --dry-run', async () => {
    const out = await doctor(['--service', 'shop', '--site', 'not a site', '--json'], KEYS);
    expect(out.stdout).not.toContain('without --dry-run');
  });

  it('colours its marks at a colour terminal, as colour and not as escaped text', async () => {
    api();
    const out = await doctor(['--service', 'shop', '--version', '2'], KEYS, { isTTY: true });
    expect(out.stdout).toMatch(/\u001b\[32m✓\u001b\[39m site/);
    expect(out.stdout).not.toContain('\\u001b');
  });
});

describe('dora doctor names where each value came from', () => {
  it('the site a gateway stands in for, and the variable it was read from; no DORA Metrics there is a warning still', async () => {
    const out = await doctor(['--service', 'shop', '--version', '1', '--json', '--dry-run'], {
      ...KEYS,
      DD_SITE: 'ddog-gov.com',
      DORA_API_URL: 'https://gateway.example.test',
    });
    const site = check(out.stdout, 'site');
    expect(site.detail).toContain('(DORA_API_URL, in place of the site ddog-gov.com from DD_SITE)');
    expect(site.status).toBe('warn');
    expect(site.detail).toContain('DORA Metrics is not available on ddog-gov.com');
  });

  it('names GITHUB_SHA as where the commit came from on GitHub Actions', async () => {
    const sha = 'c'.repeat(40);
    const out = await doctor(
      ['--service', 'shop', '--version', '1', '--json', '--dry-run'],
      {
        ...KEYS,
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: sha,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_EVENT_NAME: 'push',
      },
      { cwd: makePlainDir() },
    );
    expect(check(out.stdout, 'git').detail).toContain(`commit ${sha} (GitHub Actions environment, GITHUB_SHA)`);
  });
});
