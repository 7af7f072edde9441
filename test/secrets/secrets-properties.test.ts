/**
 * Generated secrets through the whole CLI, in-process: passwords over the whole printable ASCII range (and some
 * non-ASCII), tokens and keys, placed in every source dora reads (flags, each variable, CI providers' variables, the
 * checkout's origin, proxies, the API URL). Each run first proves it took its path (the event reached the stand-in
 * with the URL sanitised, the proxy got the password intact, the refusal named its source), then stdout, stderr and
 * every body sent are searched for any piece of the secret (see test/helpers/secret-arbitraries.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/cli.js';
import { type Intake, type RecordedRequest, startIntake } from '../helpers/intake.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { apiKey, appKey, leakIn, password, token, userName } from '../helpers/secret-arbitraries.js';

const SHA = 'c'.repeat(40);
const KEY = '0123456789abcdef0123456789abcdef';
const RUNS = { numRuns: 12 };

let intake: Intake;
let echoing: Intake;
let proxy: TestProxy;
beforeAll(async () => {
  intake = await startIntake();
  // Refuses with both key headers echoed back, as a confused gateway might.
  echoing = await startIntake((request) => ({
    status: 403,
    body: JSON.stringify({
      errors: [`Forbidden: ${request.headers['dd-api-key']} / ${request.headers['dd-application-key'] ?? '-'}`],
    }),
  }));
  proxy = await startProxy();
});
afterAll(async () => {
  await Promise.all([intake.close(), echoing.close(), proxy.close()]);
});

/** Runs the CLI and returns what it printed and what the stand-ins received meanwhile, as one searchable text. */
async function cli(argv: string[], env: Record<string, string>, origin?: string) {
  const from = [intake.requests.length, echoing.requests.length, proxy.visits.length];
  const run: CliRun = await runCli(argv, {
    env,
    random: () => 0,
    ...(origin === undefined ? {} : { readLocalGit: async () => ({ repositoryUrl: origin, commitSha: SHA }) }),
  });
  const requests = intake.requests.slice(from[0]);
  const refused = echoing.requests.slice(from[1]);
  const visits = proxy.visits.slice(from[2]);
  const text = [run.stdout, run.stderr, ...[...requests, ...refused].map((r) => `${r.path} ${r.body}`)].join('\n');
  return { run, requests, refused, visits, text };
}

const repositoryOf = (request: RecordedRequest | undefined) =>
  (JSON.parse(request?.body ?? '{}') as { data: { attributes: { git?: { repository_url: string } } } }).data.attributes
    .git?.repository_url;

const DEPLOY = ['deployment', '--service', 'api', '--started-at', 'now'];

/** Where a repository URL can come from; `place` puts the URL there. */
const REPOSITORY_SOURCES: Array<{
  name: string;
  place(url: string): { env?: Record<string, string>; args?: string[]; origin?: string };
}> = [
  { name: '--git-repository-url', place: (url) => ({ args: ['--git-repository-url', url, '--git-commit-sha', SHA] }) },
  { name: 'DD_GIT_REPOSITORY_URL', place: (url) => ({ env: { DD_GIT_REPOSITORY_URL: url, DD_GIT_COMMIT_SHA: SHA } }) },
  {
    name: 'GitLab CI_REPOSITORY_URL',
    place: (url) => ({ env: { GITLAB_CI: 'true', CI_REPOSITORY_URL: url, CI_COMMIT_SHA: SHA } }),
  },
  {
    name: 'Jenkins GIT_URL',
    place: (url) => ({ env: { JENKINS_URL: 'https://ci.example/', GIT_URL: url, GIT_COMMIT: SHA } }),
  },
  {
    name: 'Azure Pipelines BUILD_REPOSITORY_URI',
    place: (url) => ({ env: { TF_BUILD: 'True', BUILD_REPOSITORY_URI: url, BUILD_SOURCEVERSION: SHA } }),
  },
  {
    name: 'CircleCI CIRCLE_REPOSITORY_URL',
    place: (url) => ({ env: { CIRCLECI: 'true', CIRCLE_REPOSITORY_URL: url, CIRCLE_SHA1: SHA } }),
  },
  {
    name: 'Buildkite BUILDKITE_REPO',
    place: (url) => ({ env: { BUILDKITE: 'true', BUILDKITE_REPO: url, BUILDKITE_COMMIT: SHA } }),
  },
  {
    name: 'Drone DRONE_GIT_HTTP_URL',
    place: (url) => ({ env: { DRONE: 'true', DRONE_GIT_HTTP_URL: url, DRONE_COMMIT_SHA: SHA } }),
  },
  { name: "the checkout's origin remote", place: (url) => ({ origin: url }) },
];

const URL_SHAPES = [
  {
    name: 'https://user:password@host/path',
    url: (user: string, pw: string) => `https://${user}:${pw}@git.example.com/team/app.git`,
    sent: 'https://git.example.com/team/app.git',
  },
  {
    name: 'the scp form user:password@host:path',
    url: (user: string, pw: string) => `${user}:${pw}@github.com:org/repo.git`,
    sent: (user: string) => `${user}@github.com:org/repo.git`,
  },
] as const;

describe('a repository URL with a generated password, from every source', () => {
  for (const source of REPOSITORY_SOURCES) {
    for (const shape of URL_SHAPES) {
      it(`${source.name}, ${shape.name}: sent, shown and checked without it`, async () => {
        await fc.assert(
          fc.asyncProperty(userName, password, async (user, pw) => {
            const { env = {}, args = [], origin } = source.place(shape.url(user, pw));
            const sent = typeof shape.sent === 'string' ? shape.sent : shape.sent(user);
            const base = { DD_API_KEY: KEY, DORA_API_URL: intake.url, ...env };

            const send = await cli([...DEPLOY, '--json', '--verbose', ...args], base, origin);
            expect(send.run.code).toBe(0);
            expect(repositoryOf(send.requests[0])).toBe(sent);
            expect(JSON.parse(send.run.stdout)).toMatchObject({ ok: true, git: { repository_url: sent } });
            expect(leakIn(send.text, pw)).toBeUndefined();

            const dry = await cli([...DEPLOY, '--dry-run', '--verbose', ...args], base, origin);
            expect(dry.run.code).toBe(0);
            expect(dry.requests).toEqual([]);
            expect(repositoryOf({ body: dry.run.stdout } as RecordedRequest)).toBe(sent);
            expect(leakIn(dry.text, pw)).toBeUndefined();

            const doctor = await cli(['doctor', '--service', 'api', ...args], base, origin);
            expect(doctor.run.stdout).toContain(`git: repository ${sent} (`);
            expect(leakIn(doctor.text, pw)).toBeUndefined();
          }),
          RUNS,
        );
      });
    }
  }
});

describe('a proxy URL with a generated password', () => {
  const safeDecode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };

  it.each(['HTTP_PROXY', 'http_proxy'])('%s: the proxy gets the password intact, nothing prints it', async (name) => {
    await fc.assert(
      fc.asyncProperty(userName, password, async (user, pw) => {
        const env = {
          DD_API_KEY: KEY,
          DORA_API_URL: intake.url,
          [name]: `http://${user}:${pw}@127.0.0.1:${proxy.port}`,
        };
        const send = await cli([...DEPLOY, '--verbose', '--json', '--skip-git'], env);
        expect(send.run.code).toBe(0);
        expect(send.requests).toHaveLength(1);
        // Percent-encoding the user typed is undone, as curl does; every other character arrives as typed.
        const expected = `Basic ${Buffer.from(`${user}:${safeDecode(pw)}`).toString('base64')}`;
        expect(send.visits.map((visit) => visit.proxyAuthorization)).toContain(expected);
        expect(leakIn(send.text, pw)).toBeUndefined();

        const doctor = await cli(['doctor', '--service', 'api'], env);
        expect(doctor.run.stdout).toContain(`through the proxy http://127.0.0.1:${proxy.port}`);
        expect(leakIn(doctor.text, pw)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it.each(['HTTPS_PROXY', 'https_proxy'])('%s: read and kept, nothing prints it', async (name) => {
    await fc.assert(
      fc.asyncProperty(userName, password, async (user, pw) => {
        // The stand-in speaks plain http, so this proxy is read (an unreadable one refuses the run) but not used.
        const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url, [name]: `http://${user}:${pw}@127.0.0.1:9` };
        const send = await cli([...DEPLOY, '--verbose', '--skip-git'], env);
        expect(send.run.code).toBe(0);
        expect(send.requests).toHaveLength(1);
        expect(leakIn(send.text, pw)).toBeUndefined();
      }),
      RUNS,
    );
  });
});

/** Modes a refusal is checked in: each must refuse and name the source, and doctor must report it. */
const REFUSING_MODES: Array<{ name: string; argv: (extra: string[]) => string[]; doctor?: true }> = [
  { name: 'a send', argv: (extra) => [...DEPLOY, '--verbose', ...extra] },
  { name: 'a send with --json', argv: (extra) => [...DEPLOY, '--json', ...extra] },
  { name: 'a dry run', argv: (extra) => [...DEPLOY, '--dry-run', ...extra] },
  { name: 'doctor', argv: (extra) => ['doctor', '--service', 'api', ...extra], doctor: true },
];

describe('user info where none may be, or with no host: refused, named, never echoed', () => {
  const cases: Array<{
    name: string;
    place(user: string, pw: string): { env?: Record<string, string>; args?: string[] };
    says: string;
    doctorLine: 'fail site' | 'warn git';
  }> = [
    {
      name: 'DORA_API_URL with user info',
      place: (user, pw) => ({ env: { DORA_API_URL: `https://${user}:${pw}@127.0.0.1:9/base` } }),
      says: '--api-url / DORA_API_URL must not carry user info',
      doctorLine: 'fail site',
    },
    {
      name: '--api-url with user info',
      place: (user, pw) => ({ args: ['--api-url', `https://${user}:${pw}@gw.example`] }),
      says: '--api-url / DORA_API_URL must not carry user info',
      doctorLine: 'fail site',
    },
    {
      name: 'DORA_API_URL with user info and no host',
      place: (user, pw) => ({ env: { DORA_API_URL: `https://${user}:${pw}@` } }),
      says: 'and names no host',
      doctorLine: 'fail site',
    },
    ...(['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const).map((name) => ({
      name: `${name} with user info and no host`,
      place: (user: string, pw: string) => ({ env: { [name]: `http://${user}:${pw}@` } }),
      says: `${name}: "http://" holds user info (user:password@) but no proxy host.`,
      doctorLine: 'fail site' as const,
    })),
    {
      name: '--git-repository-url with user info and no host',
      place: (user, pw) => ({ args: ['--git-repository-url', `https://${user}:${pw}@`, '--git-commit-sha', SHA] }),
      says: '--git-repository-url: "https://" holds user info (user:password@) but no host.',
      doctorLine: 'warn git',
    },
    {
      name: 'DD_GIT_REPOSITORY_URL with user info and no host',
      place: (user, pw) => ({ env: { DD_GIT_REPOSITORY_URL: `https://${user}:${pw}@`, DD_GIT_COMMIT_SHA: SHA } }),
      says: 'DD_GIT_REPOSITORY_URL: "https://" holds user info (user:password@) but no host.',
      doctorLine: 'warn git',
    },
  ];

  for (const { name, place, says, doctorLine } of cases) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(userName, password, fc.constantFrom(...REFUSING_MODES), async (user, pw, mode) => {
          const { env = {}, args = [] } = place(user, pw);
          const run = await cli(mode.argv(args), { DD_API_KEY: KEY, DORA_API_URL: intake.url, ...env });
          expect(run.requests.filter((request) => request.method === 'POST')).toEqual([]);
          if (mode.doctor) expect(run.run.stdout).toMatch(new RegExp(`^${doctorLine}: .*${literal(says)}`, 'm'));
          else {
            expect(run.run.code).toBe(2);
            expect(run.run.stderr).toContain(says);
          }
          expect(leakIn(run.text, pw)).toBeUndefined();
        }),
        { numRuns: 16 },
      );
    });
  }
});

describe('keys', () => {
  const key = fc.oneof(apiKey, appKey, token);

  it.each([
    ['DD_API_KEY', {}],
    ['DATADOG_API_KEY', { DD_API_KEY: 'the-losing-api-key-0123' }],
    ['DD_APP_KEY', { DD_API_KEY: KEY }],
    ['DATADOG_APP_KEY', { DD_API_KEY: KEY, DD_APP_KEY: 'the-losing-app-key-0123' }],
  ])('in %s, echoed back by a refusing API: never printed', async (name, others) => {
    await fc.assert(
      fc.asyncProperty(key, async (value) => {
        const env = { DORA_API_URL: echoing.url, ...others, [name]: value };
        const run = await cli([...DEPLOY, '--skip-git', '--verbose', '--json'], env);
        expect(run.run.code).toBe(3);
        expect(run.refused).toHaveLength(1);
        expect(run.run.stderr).toMatch(/Datadog refused the API key \(HTTP 403: Forbidden: /);
        expect(leakIn(run.text, value, ...Object.values(others))).toBeUndefined();

        const list = await cli(['deployment', 'list', '--service', 'api', '--json'], { ...env, DD_APP_KEY: value });
        expect(list.run.code).toBe(3);
        expect(leakIn(list.text, value)).toBeUndefined();
      }),
      RUNS,
    );
  });

  /** `names`: what the refusal must say to name where the value came from. */
  const SWAPPED: Array<{
    name: string;
    names: string;
    place(value: string): { env?: Record<string, string>; args?: string[] };
  }> = [
    { name: 'DD_SITE', names: 'DD_SITE', place: (value) => ({ env: { DD_SITE: value, DORA_API_URL: '' } }) },
    {
      name: 'DATADOG_SITE',
      names: 'DATADOG_SITE',
      place: (value) => ({ env: { DATADOG_SITE: value, DORA_API_URL: '' } }),
    },
    { name: '--site', names: '--site', place: (value) => ({ args: ['--site', value], env: { DORA_API_URL: '' } }) },
    { name: 'DORA_API_URL', names: 'DORA_API_URL', place: (value) => ({ env: { DORA_API_URL: value } }) },
    {
      name: 'DORA_API_URL after https://',
      names: 'DORA_API_URL',
      place: (value) => ({ env: { DORA_API_URL: `https://${value}` } }),
    },
    { name: '--api-url', names: '--api-url', place: (value) => ({ args: ['--api-url', value] }) },
    { name: 'HTTPS_PROXY', names: 'HTTPS_PROXY', place: (value) => ({ env: { HTTPS_PROXY: value } }) },
    {
      name: 'HTTPS_PROXY after http://',
      names: 'HTTPS_PROXY',
      place: (value) => ({ env: { HTTPS_PROXY: `http://${value}` } }),
    },
    { name: 'http_proxy', names: 'http_proxy', place: (value) => ({ env: { http_proxy: value } }) },
    {
      name: 'DD_GIT_COMMIT_SHA',
      names: 'DD_GIT_COMMIT_SHA',
      place: (value) => ({ env: { DD_GIT_COMMIT_SHA: value } }),
    },
    { name: '--git-commit-sha', names: '--git-commit-sha', place: (value) => ({ args: ['--git-commit-sha', value] }) },
    {
      name: 'DD_GIT_REPOSITORY_URL',
      names: 'DD_GIT_REPOSITORY_URL',
      place: (value) => ({ env: { DD_GIT_REPOSITORY_URL: value, DD_GIT_COMMIT_SHA: SHA } }),
    },
    {
      name: '--git-repository-url',
      names: '--git-repository-url',
      place: (value) => ({ args: ['--git-repository-url', value, '--git-commit-sha', SHA] }),
    },
  ];

  it.each(SWAPPED)(
    'put in $name by mistake (a swapped CI secret): refused, named, never echoed',
    async ({ name, names, place }) => {
      // An application key has 40 hex characters, as a commit SHA does: in a SHA setting it is one, and is sent.
      const wrong = /COMMIT_SHA|commit-sha/.test(name) ? fc.oneof(apiKey, token) : key;
      await fc.assert(
        fc.asyncProperty(wrong, async (value) => {
          const { env = {}, args = [] } = place(value);
          const merged: Record<string, string> = { DD_API_KEY: KEY, DORA_API_URL: intake.url, ...env };
          if (merged.DORA_API_URL === '') delete merged.DORA_API_URL;
          const run = await cli([...DEPLOY, '--json', ...args], merged);
          expect(run.run.code).toBe(2);
          expect(run.requests).toEqual([]);
          expect((JSON.parse(run.run.stdout) as { error: string }).error).toContain(names);
          expect(leakIn(run.text, value)).toBeUndefined();
        }),
        RUNS,
      );
    },
  );
});

describe('over-masking: a value shaped like a key stays as typed', () => {
  const hex32 = apiKey;

  it('a 32-hex --version: in the --json result, in the byte-exact dry-run body, in the incident resolve hint', async () => {
    await fc.assert(
      fc.asyncProperty(hex32, fc.constantFrom('--version', '--team', '--env'), async (value, flag) => {
        fc.pre(value !== KEY);
        const fixed = ['--id', 'build-0123456789abcdef', '--started-at', '1795687200', flag, value];
        const deploy = ['deployment', '--service', 'api', ...fixed, '--finished-at', '1795687260', '--skip-git'];
        const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url };
        const dry = await cli([...deploy, '--dry-run'], env);
        const sent = await cli([...deploy, '--json'], env);
        expect(sent.run.code).toBe(0);
        expect(dry.run.stdout.trim()).toBe(sent.requests[0]?.body);
        expect(dry.run.stdout).toContain(`:"${value}"`);
        const json = await cli([...deploy, '--dry-run', '--json'], env);
        expect(json.run.stdout).toContain(`"${value}"`);
        const incident = await cli(['incident', '--service', 'api', ...fixed], env);
        expect(incident.run.code).toBe(0);
        expect(incident.run.stderr).toContain(`${flag} ${value}`);
        expect([dry.text, json.text, incident.text].join('')).not.toContain('[redacted]');
      }),
      { numRuns: 8 },
    );
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
