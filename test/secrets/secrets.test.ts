/**
 * No credential is ever printed or sent, whatever its source and whatever path a run takes. Every case first proves
 * it reached the path it is named after (the event reached the stand-in intake with the right repository URL, the
 * retry happened, the dry run printed its body, the proxy carried the request with the password intact, the refusal
 * named where the value came from), and only then searches stdout, stderr and every body sent for every spelling of
 * the secret. The search covers the whole output, so a message added later is covered without anyone listing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/cli.js';
import { type Intake, type RecordedRequest, startIntake } from '../helpers/intake.js';
import { type ProxyVisit, startProxy, type TestProxy } from '../helpers/proxy.js';

const API_KEY = 'abcdef0123456789abcdef0123456789';
const LOSING_KEY = 'losing-key-0123456789abcdef';
const APP_KEY = 'fedcba9876543210fedcba9876543210abcdef01';
const OTHER_APP_KEY = 'other-app-key-0123456789';
/** Every character URL parsers trip on, a space and a non-ASCII letter. */
const PASSWORD = 'Tr0ub4dor#3 x/y@z?é:w%zz';
const JOB_TOKEN = 'glcbt-JobT0kenAbcdef0123';
const JENKINS_TOKEN = 'ghp_JenkinsT0kenAbcdef0123';
const SHA = 'a'.repeat(40);
const KEYS = [API_KEY, LOSING_KEY, APP_KEY, OTHER_APP_KEY];
const REPOSITORY = 'https://git.example.com/team/app.git';
const WITH_PASSWORD = `https://deploy:${PASSWORD}@git.example.com/team/app.git`;

let intake: Intake;
let refusing: Intake;
let proxy: TestProxy;
let strictProxy: TestProxy;
const busyCalls = new Map<string, number>();
beforeAll(async () => {
  // /busy-N answers 503 once (echoing the keys, as error bodies sometimes quote a request), then accepts.
  intake = await startIntake((request) => {
    const busy = /^\/busy-\d+/.exec(request.path)?.[0];
    if (busy !== undefined) {
      const calls = (busyCalls.get(busy) ?? 0) + 1;
      busyCalls.set(busy, calls);
      if (calls === 1) return { status: 503, body: JSON.stringify({ errors: [`busy, keys ${KEYS.join(' ')}`] }) };
    }
    return { status: 202, body: '{"data":{"id":"x","type":"dora_deployment"}}' };
  });
  refusing = await startIntake(() => ({
    status: 403,
    body: JSON.stringify({ errors: [`Forbidden for ${KEYS.join(' and ')}`] }),
  }));
  // One proxy takes any credentials and records them; the other demands credentials nobody has.
  proxy = await startProxy();
  strictProxy = await startProxy({ credentials: { user: 'nobody', password: 'never-this-one' } });
});
afterAll(async () => {
  await Promise.all([intake.close(), refusing.close(), proxy.close(), strictProxy.close()]);
});

/** What a run left outside its streams: the requests each stand-in received and the proxies' visits, during it. */
interface Seen {
  requests: RecordedRequest[];
  refused: RecordedRequest[];
  visits: ProxyVisit[];
  strictVisits: ProxyVisit[];
}

async function observed(run: () => Promise<CliRun>): Promise<{ run: CliRun; seen: Seen }> {
  const before = [intake.requests.length, refusing.requests.length, proxy.visits.length, strictProxy.visits.length];
  const result = await run();
  return {
    run: result,
    seen: {
      requests: intake.requests.slice(before[0]),
      refused: refusing.requests.slice(before[1]),
      visits: proxy.visits.slice(before[2]),
      strictVisits: strictProxy.visits.slice(before[3]),
    },
  };
}

const spellings = (secret: string) => [
  ...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]),
];

/** Nothing of `secrets` in either stream, nor in any body a stand-in received. */
function expectNoLeak(run: CliRun, seen: Seen, secrets: readonly string[]): void {
  const bodies = [...seen.requests, ...seen.refused].map((request) => `${request.path}\n${request.body}`);
  const targets = [...seen.visits, ...seen.strictVisits].map((visit) => visit.target);
  const text = [run.stdout, run.stderr, ...bodies, ...targets].join('\n');
  for (const secret of secrets)
    for (const form of spellings(secret)) expect(text, `${JSON.stringify(form)} leaked`).not.toContain(form);
}

const posts = (requests: RecordedRequest[], path: string) =>
  requests.filter((request) => request.method === 'POST' && request.path.endsWith(path));

const sentRepository = (request: RecordedRequest | undefined) =>
  (JSON.parse(request?.body ?? '{}') as { data?: { attributes?: { git?: { repository_url?: string } } } }).data
    ?.attributes?.git?.repository_url;

interface Source {
  name: string;
  /** Every string that must never appear. */
  secrets: string[];
  env?: Record<string, string>;
  args?: string[];
  /** The checkout's origin remote (and HEAD). */
  origin?: string;
  /** Sets HTTPS_PROXY and HTTP_PROXY to the scenario's proxy with this password. */
  proxyPassword?: string;
  /** The repository URL the event must carry, credentials removed. */
  repository?: string;
}

/** Sources a run carries all the way: each scenario below must still reach its path with them. */
const CARRIED: Source[] = [
  { name: 'DD_API_KEY', secrets: [API_KEY], env: { DD_API_KEY: API_KEY } },
  {
    name: 'DATADOG_API_KEY beside a losing DD_API_KEY',
    secrets: [API_KEY, LOSING_KEY],
    env: { DATADOG_API_KEY: API_KEY, DD_API_KEY: LOSING_KEY },
  },
  {
    name: 'DD_APP_KEY and DATADOG_APP_KEY',
    secrets: [API_KEY, APP_KEY, OTHER_APP_KEY],
    env: { DD_API_KEY: API_KEY, DD_APP_KEY: OTHER_APP_KEY, DATADOG_APP_KEY: APP_KEY },
  },
  {
    name: 'a GitLab job token, in CI_JOB_TOKEN and in the clone URL',
    secrets: [API_KEY, JOB_TOKEN],
    env: {
      DD_API_KEY: API_KEY,
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: JOB_TOKEN,
      CI_REPOSITORY_URL: `https://gitlab-ci-token:${JOB_TOKEN}@gitlab.example.com/g/shop.git`,
      CI_COMMIT_SHA: SHA,
    },
    repository: 'https://gitlab.example.com/g/shop.git',
  },
  {
    name: 'a Jenkins GIT_URL carrying a token as user name',
    secrets: [API_KEY, JENKINS_TOKEN],
    env: {
      DD_API_KEY: API_KEY,
      JENKINS_URL: 'https://ci.example/',
      GIT_URL: `https://${JENKINS_TOKEN}@git.example.com/team/app.git`,
      GIT_COMMIT: SHA,
    },
    repository: REPOSITORY,
  },
  {
    name: 'DD_GIT_REPOSITORY_URL whose password holds # ? / @ : a space and é',
    secrets: [API_KEY, PASSWORD],
    env: { DD_API_KEY: API_KEY, DD_GIT_REPOSITORY_URL: WITH_PASSWORD, DD_GIT_COMMIT_SHA: SHA },
    repository: REPOSITORY,
  },
  {
    name: '--git-repository-url with that password',
    secrets: [API_KEY, PASSWORD],
    env: { DD_API_KEY: API_KEY },
    args: ['--git-repository-url', WITH_PASSWORD, '--git-commit-sha', SHA],
    repository: REPOSITORY,
  },
  {
    name: '--git-repository-url in the scp form with that password',
    secrets: [API_KEY, PASSWORD],
    env: { DD_API_KEY: API_KEY },
    args: ['--git-repository-url', `bot:${PASSWORD}@github.com:org/repo.git`, '--git-commit-sha', SHA],
    repository: 'bot@github.com:org/repo.git',
  },
  {
    name: "the checkout's origin remote with that password",
    secrets: [API_KEY, PASSWORD],
    env: { DD_API_KEY: API_KEY },
    origin: WITH_PASSWORD,
    repository: REPOSITORY,
  },
  {
    name: 'HTTPS_PROXY and HTTP_PROXY with that password',
    secrets: [API_KEY, PASSWORD],
    env: { DD_API_KEY: API_KEY },
    proxyPassword: PASSWORD,
  },
];

interface Scenario {
  name: string;
  args: string[];
  /** The API base URL (a stand-in); none when the scenario is about the site. */
  api?: () => string;
  /** The proxy the run goes through; the proxy source goes through the accepting one otherwise. */
  proxy?: () => TestProxy;
  /** Whether the event reaches a stand-in, so a git source's URL and a proxy's visit can be checked. */
  sends?: true;
  reached(run: CliRun, seen: Seen, source: Source): void;
}

const DEPLOY = ['deployment', '--service', 'api', '--started-at', 'now'];
let busyPaths = 0;

const SCENARIOS: Scenario[] = [
  {
    name: 'a recorded deployment, verbose',
    args: [...DEPLOY, '--verbose'],
    api: () => intake.url,
    sends: true,
    reached(run, seen, source) {
      expect(run.code).toBe(0);
      expect(posts(seen.requests, '/api/v2/dora/deployment')).toHaveLength(1);
      expect(run.stderr).toMatch(/Recorded deployment of api/);
      if (source.repository) expect(sentRepository(seen.requests[0])).toBe(source.repository);
    },
  },
  {
    name: 'a dry run with --json',
    args: [...DEPLOY, '--dry-run', '--json', '--verbose'],
    api: () => intake.url,
    reached(run, seen, source) {
      expect(run.code).toBe(0);
      expect(seen.requests).toEqual([]);
      const result = JSON.parse(run.stdout) as { dry_run: boolean; requests: Array<{ body: unknown }> };
      expect(result.dry_run).toBe(true);
      expect(JSON.stringify(result.requests[0]?.body)).toContain('"service":"api"');
      if (source.repository)
        expect(sentRepository({ body: JSON.stringify(result.requests[0]?.body) } as RecordedRequest)).toBe(
          source.repository,
        );
    },
  },
  {
    name: 'a retry after a 503 that echoes the keys',
    args: [...DEPLOY, '--verbose', '--json'],
    api: () => `${intake.url}/busy-${++busyPaths}`,
    sends: true,
    reached(run, seen) {
      expect(run.code).toBe(0);
      expect(posts(seen.requests, '/api/v2/dora/deployment')).toHaveLength(2);
      expect(run.stderr).toMatch(/Attempt 1 failed \(HTTP 503: busy, keys /);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, attempts: 2 });
    },
  },
  {
    name: 'a 403 that echoes every key',
    args: [...DEPLOY, '--json'],
    api: () => refusing.url,
    reached(run, seen) {
      expect(run.code).toBe(3);
      expect(posts(seen.refused, '/api/v2/dora/deployment')).toHaveLength(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exit_code: 3 });
      expect(run.stderr).toMatch(/Datadog refused the API key \(HTTP 403: Forbidden for /);
    },
  },
  {
    name: 'an incident refused',
    args: ['incident', '--service', 'api', '--started-at', 'now', '--verbose'],
    api: () => refusing.url,
    reached(run, seen) {
      expect(run.code).toBe(3);
      expect(posts(seen.refused, '/api/v2/dora/failure')).toHaveLength(1);
    },
  },
  {
    name: 'bad input with --json',
    args: [...DEPLOY, '--env', '', '--json'],
    api: () => intake.url,
    reached(run, seen) {
      expect(run.code).toBe(2);
      expect(seen.requests).toEqual([]);
      expect((JSON.parse(run.stdout) as { error: string }).error).toMatch(/--env/);
    },
  },
  {
    name: 'a site outside Datadog',
    args: [...DEPLOY, '--site', 'datadoghq.cm', '--verbose'],
    reached(run) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--site: "datadoghq.cm" is not a Datadog site');
    },
  },
  {
    name: 'through a proxy',
    args: [...DEPLOY, '--verbose'],
    api: () => intake.url,
    proxy: () => proxy,
    sends: true,
    reached(run, seen) {
      expect(run.code).toBe(0);
      // A CONNECT tunnel to the intake, or an absolute-URI request for it: either way the proxy carried it.
      expect(seen.visits.some((visit) => visit.target.includes(intake.url.replace('http://', '')))).toBe(true);
      expect(posts(seen.requests, '/api/v2/dora/deployment')).toHaveLength(1);
      expect(run.stderr).toContain(`Through the proxy http://127.0.0.1:${proxy.port}`);
    },
  },
  {
    name: 'a proxy that refuses',
    args: [...DEPLOY, '--verbose', '--max-attempts', '1'],
    api: () => intake.url,
    proxy: () => strictProxy,
    reached(run, seen) {
      expect(run.code).toBe(5);
      expect(seen.strictVisits.length).toBeGreaterThan(0);
      expect(seen.requests).toEqual([]);
      expect(run.stderr).toMatch(/the proxy http:\/\/127\.0\.0\.1:\d+ (refused the credentials|asks for credentials)/);
    },
  },
  {
    name: 'dora doctor',
    args: ['doctor', '--service', 'api'],
    api: () => intake.url,
    reached(run, _seen, source) {
      expect(run.stdout).toMatch(/^ok {3}site: API at http:\/\/127\.0\.0\.1/m);
      expect(run.stdout).toMatch(/^ok {3}keys: API key …/m);
      if (source.repository) expect(run.stdout).toContain(`git: repository ${source.repository} (`);
    },
  },
];

async function runScenario(source: Source, scenario: Scenario) {
  const env: Record<string, string> = { ...source.env };
  if (scenario.api) env.DORA_API_URL = scenario.api();
  const through = scenario.proxy?.() ?? (source.proxyPassword !== undefined ? proxy : undefined);
  if (through) {
    const userInfo = source.proxyPassword === undefined ? '' : `ci-bot:${source.proxyPassword}@`;
    env.HTTP_PROXY = `http://${userInfo}127.0.0.1:${through.port}`;
    env.HTTPS_PROXY = env.HTTP_PROXY;
  }
  const origin = source.origin;
  return observed(() =>
    runCli([...scenario.args, ...(source.args ?? [])], {
      env,
      random: () => 0,
      ...(origin ? { readLocalGit: async () => ({ repositoryUrl: origin, commitSha: SHA, headSha: SHA }) } : {}),
    }),
  );
}

describe('no secret on either stream or in a body, from any source, on every path', () => {
  for (const source of CARRIED) {
    it.each(SCENARIOS)(`${source.name}: $name`, async (scenario) => {
      const { run, seen } = await runScenario(source, scenario);
      scenario.reached(run, seen, source);
      // The proxy source's password reached the proxy intact, percent-encoding undone: it was used, not mangled.
      if (source.proxyPassword !== undefined && scenario.sends) {
        const expected = `Basic ${Buffer.from(`ci-bot:${source.proxyPassword}`).toString('base64')}`;
        expect(seen.visits.map((visit) => visit.proxyAuthorization)).toContain(expected);
      }
      expectNoLeak(run, seen, source.secrets);
    });
  }
});

/** Sources a run refuses: the refusal names where the value came from, and never echoes it. */
interface Refused {
  name: string;
  secrets: string[];
  env?: Record<string, string>;
  args?: string[];
  /** What the refusal says, naming the variable or flag. */
  says: string | RegExp;
  /** The dry run needs no key: it shows its body instead of refusing. */
  dryRunShows?: true;
  /** How doctor reports it: a failed check (exit 2) or a warning on its line. */
  doctor: 'fails' | 'warns';
}

const NOT_SHOWN = '(not shown: it may be a credential)';

const REFUSED: Refused[] = [
  {
    name: '--api-key=… (dora has no such option)',
    secrets: [API_KEY],
    args: [`--api-key=${API_KEY}`],
    says: "unknown option '--api-key",
    doctor: 'fails',
  },
  {
    name: '--app-key … (dora has no such option)',
    secrets: [APP_KEY],
    args: ['--app-key', APP_KEY],
    says: "unknown option '--app-key'",
    doctor: 'fails',
  },
  {
    name: 'a key typed as --site',
    secrets: [API_KEY],
    args: ['--site', API_KEY],
    says: `--site: the value ${NOT_SHOWN} is not a Datadog site`,
    doctor: 'fails',
  },
  {
    name: 'a key in DD_SITE (a swapped CI secret)',
    secrets: [API_KEY],
    env: { DD_SITE: API_KEY },
    says: `DD_SITE: the value ${NOT_SHOWN} is not a Datadog site`,
    doctor: 'fails',
  },
  {
    name: 'a token in DORA_API_URL',
    secrets: [JOB_TOKEN],
    env: { DORA_API_URL: JOB_TOKEN },
    says: `--api-url / DORA_API_URL: the value ${NOT_SHOWN} is not a URL.`,
    doctor: 'fails',
  },
  {
    name: 'DORA_API_URL with user info',
    secrets: [PASSWORD],
    env: { DORA_API_URL: `https://url-user:${PASSWORD}@127.0.0.1:9/` },
    says: '--api-url / DORA_API_URL must not carry user info (user:password@)',
    doctor: 'fails',
  },
  {
    name: '--api-url with user info and no host',
    secrets: [PASSWORD],
    args: ['--api-url', `https://bot:${PASSWORD}@`],
    says: '--api-url / DORA_API_URL must not carry user info (user:password@), and names no host',
    doctor: 'fails',
  },
  {
    name: 'HTTPS_PROXY with user info and no host ($PROXY_HOST unset)',
    secrets: [PASSWORD],
    env: { HTTPS_PROXY: `http://bot:${PASSWORD}@` },
    says: 'HTTPS_PROXY: "http://" holds user info (user:password@) but no proxy host.',
    doctor: 'fails',
  },
  {
    name: 'http_proxy that cannot be parsed',
    secrets: [PASSWORD],
    env: { http_proxy: `http://bot:${PASSWORD}@proxy.example:notaport` },
    says: 'http_proxy: "http://proxy.example:notaport" is not a proxy URL',
    doctor: 'fails',
  },
  {
    name: 'a key in HTTP_PROXY',
    secrets: [API_KEY],
    env: { HTTP_PROXY: API_KEY },
    says: `HTTP_PROXY: the value ${NOT_SHOWN} has neither a scheme nor a port`,
    doctor: 'fails',
  },
  {
    name: '--git-repository-url with user info and no host',
    secrets: [PASSWORD],
    args: ['--git-repository-url', `https://tok:${PASSWORD}@`, '--git-commit-sha', SHA],
    says: '--git-repository-url: "https://" holds user info (user:password@) but no host.',
    doctor: 'warns',
  },
  {
    name: 'DD_GIT_REPOSITORY_URL in the scp form with user info and no host',
    secrets: [PASSWORD],
    env: { DD_GIT_REPOSITORY_URL: `bot:${PASSWORD}@`, DD_GIT_COMMIT_SHA: SHA },
    says: `DD_GIT_REPOSITORY_URL: the value ${NOT_SHOWN} holds user info (user:password@) but no host.`,
    doctor: 'warns',
  },
  {
    name: 'a key in DD_GIT_COMMIT_SHA',
    secrets: [API_KEY],
    env: { DD_GIT_COMMIT_SHA: API_KEY },
    says: `DD_GIT_COMMIT_SHA: the value ${NOT_SHOWN} is not a commit SHA`,
    doctor: 'warns',
  },
  {
    name: 'an API key with a space (unusable)',
    secrets: ['abcd efgh ijkl mnop'],
    env: { DD_API_KEY: 'abcd efgh ijkl mnop' },
    says: 'DD_API_KEY contains spaces, control or non-ASCII characters',
    dryRunShows: true,
    doctor: 'fails',
  },
];

const MODES = ['a send', 'a send with --json', 'a send with --verbose', 'a dry run', 'dora doctor'] as const;

describe('a refused value is named, never echoed', () => {
  for (const refused of REFUSED) {
    it.each(MODES)(`${refused.name}: %s`, async (mode) => {
      const env = { DD_API_KEY: API_KEY, DORA_API_URL: intake.url, ...refused.env };
      const extra = { 'a send': [], 'a send with --json': ['--json'], 'a send with --verbose': ['--verbose'] };
      const argv =
        mode === 'dora doctor'
          ? ['doctor', '--service', 'api', ...(refused.args ?? [])]
          : [...DEPLOY, ...(mode === 'a dry run' ? ['--dry-run'] : extra[mode]), ...(refused.args ?? [])];
      const { run, seen } = await observed(() => runCli(argv, { env }));

      expect(seen.requests.filter((request) => request.path.startsWith('/api/v2/dora/deployment'))).toEqual([]);
      if (mode === 'a dry run' && refused.dryRunShows) {
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^\{"data":\{"attributes":\{"service":"api"/);
      } else if (mode === 'dora doctor' && !/unknown option/.test(String(refused.says))) {
        const line = refused.doctor === 'fails' ? /^fail (site|keys): (.*)$/m : /^warn git: (.*)$/m;
        expect(run.stdout).toMatch(line);
        expect(run.stdout).toContain(refused.says);
      } else {
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(refused.says);
        if (mode === 'a send with --json')
          expect((JSON.parse(run.stdout) as { error: string }).error).toContain(refused.says);
      }
      expectNoLeak(run, seen, refused.secrets);
    });
  }
});

describe('a wrapped command in a dry run', () => {
  it('shows URL user info removed from its arguments, and the body it would send', async () => {
    const { run, seen } = await observed(() =>
      runCli([...DEPLOY, '--dry-run', '--skip-git', '--', 'git', 'push', WITH_PASSWORD], {
        env: { DORA_API_URL: intake.url },
      }),
    );
    expect(run.code).toBe(0);
    expect(seen.requests).toEqual([]);
    expect(run.stderr).toMatch(
      /Dry run: would run git push '?https:\/\/git\.example\.com\/team\/app\.git'? and record/,
    );
    expect(run.stdout).toMatch(/^\{"data":\{"attributes":\{"service":"api"/);
    expectNoLeak(run, seen, [PASSWORD]);
  });
});

describe('over-masking: a value shaped like a key is not a secret', () => {
  const BUILD_ID = '0123456789abcdef0123456789abcdef';

  it('keeps a 32-hex --version in the --json result, in the exact dry-run body and in the resolve hint', async () => {
    const fixed = ['--id', 'deployment-0123456789', '--started-at', '1795687200', '--version', BUILD_ID];
    const deploy = ['deployment', '--service', 'api', ...fixed, '--finished-at', '1795687260', '--skip-git'];
    const env = { DD_API_KEY: API_KEY, DORA_API_URL: intake.url };
    const dry = await runCli([...deploy, '--dry-run'], { env });
    const { seen } = await observed(() => runCli([...deploy, '--json'], { env }));
    // The dry run shows the exact body a real run sends, byte for byte.
    expect(dry.stdout.trim()).toBe(seen.requests[0]?.body);
    expect(dry.stdout).toContain(`"version":"${BUILD_ID}"`);
    const json = await runCli([...deploy, '--json', '--dry-run'], { env });
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain(`"version":"${BUILD_ID}"`);
    const incident = await runCli(['incident', '--service', 'api', ...fixed], { env });
    expect(incident.code).toBe(0);
    expect(incident.stderr).toContain(`--version ${BUILD_ID}`);
    expect(`${dry.stdout}${json.stdout}${incident.stdout}${incident.stderr}`).not.toContain('[redacted]');
  });
});

/**
 * Values echoed in errors and a wrapped command's arguments in a dry run: each case reaches its path (the refusal
 * names where the value came from, or the dry run shows the command) and leaks nothing.
 */
describe('values in the wrong place, and wrapped commands', () => {
  const TOKEN = 'ghp_SwappedT0kenAbcdef0123';
  const DRY_WRAP = [...DEPLOY, '--dry-run', '--skip-git', '--'];
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; names: string; secrets: string[] }> =
    [
      {
        name: "an unknown option's value (safeCommanderMessage in src/cli.ts)",
        argv: [...DEPLOY, `--pat=${TOKEN}`],
        names: "unknown option '--pat",
        secrets: [TOKEN],
      },
      {
        name: 'a token in DORA_DEADLINE (echoValue in src/input/delivery.ts numberSetting)',
        argv: [...DEPLOY],
        env: { DORA_DEADLINE: TOKEN },
        names: 'DORA_DEADLINE: ',
        secrets: [TOKEN],
      },
      {
        name: 'a token as --started-at (echoValue in src/time.ts invalid)',
        argv: ['deployment', '--service', 'api', '--started-at', TOKEN],
        names: '--started-at: ',
        secrets: [TOKEN],
      },
      {
        name: 'a token in DORA_SOFT_FAIL (echoValue in src/config.ts switchValue)',
        argv: [...DEPLOY],
        env: { DORA_SOFT_FAIL: TOKEN },
        names: 'DORA_SOFT_FAIL: ',
        secrets: [TOKEN],
      },
      {
        name: "a wrapped command's --password=… and --token … (displayCommand in src/commands/deployment.ts)",
        argv: [...DRY_WRAP, './deploy.sh', `--password=${TOKEN}`, '--token', PASSWORD],
        names: 'Dry run: would run ./deploy.sh ',
        secrets: [TOKEN, PASSWORD],
      },
      {
        name: 'a wrapped curl -u admin:… (displayCommand)',
        argv: [...DRY_WRAP, 'curl', '-u', `admin:${TOKEN}`, 'https://x.example'],
        names: 'Dry run: would run curl -u ',
        secrets: [TOKEN],
      },
      {
        name: "a wrapped sh -c 'deploy --token=…' (displayCommand)",
        argv: [...DRY_WRAP, 'sh', '-c', `deploy --token=${TOKEN}`],
        names: 'Dry run: would run sh -c ',
        secrets: [TOKEN],
      },
    ];
  for (const { name, argv, env, names, secrets } of cases) {
    it(name, async () => {
      const { run, seen } = await observed(() => runCli(argv, { env: { DORA_API_URL: intake.url, ...env } }));
      expect(run.stderr).toContain(names);
      expect(seen.requests).toEqual([]);
      expectNoLeak(run, seen, secrets);
    });
  }
});
