/**
 * No credential is ever printed, whatever the input: every secret-bearing input below, from every source, is run
 * through the whole CLI in-process in every scenario below (success, dry run, verbose, refusals, retries, a proxy
 * that refuses, bad input, --json), and both streams are searched for every spelling of the secret. The assertion
 * is on the whole output, not on chosen messages, so a message added later is covered without anyone listing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

const API_KEY = 'abcdef0123456789abcdef0123456789';
const APP_KEY = 'fedcba9876543210fedcba9876543210abcdef01';
const PASSWORD = 'hunter 2#s/cr@t';

let intake: Intake;
let refusing: Intake;
let proxy: TestProxy;
beforeAll(async () => {
  // Answers by path: /ok accepts, /busy is a 503 once then accepts, anything else refuses with the key echoed back.
  let busy = 0;
  intake = await startIntake((request) =>
    request.path.startsWith('/busy') && busy++ % 2 === 0
      ? { status: 503, body: `{"errors":["busy, key ${API_KEY}"]}` }
      : { status: 202, body: '{"data":{"id":"x","type":"dora_deployment"}}' },
  );
  refusing = await startIntake(() => ({ status: 403, body: `{"errors":["Forbidden for ${API_KEY} and ${APP_KEY}"]}` }));
  proxy = await startProxy({ credentials: { user: 'ci-bot', password: 'another-one' } });
});
afterAll(async () => {
  await intake.close();
  await refusing.close();
  await proxy.close();
});

interface Source {
  name: string;
  /** Every string that must never appear. */
  secrets: string[];
  env?: Record<string, string>;
  args?: string[];
}

const SOURCES: Source[] = [
  { name: 'DD_API_KEY', secrets: [API_KEY], env: { DD_API_KEY: API_KEY } },
  {
    name: 'DATADOG_API_KEY beside a losing DD_API_KEY',
    secrets: [API_KEY, 'losing-key-0123456789abcdef'],
    env: { DATADOG_API_KEY: API_KEY, DD_API_KEY: 'losing-key-0123456789abcdef' },
  },
  {
    name: 'DD_APP_KEY and DATADOG_APP_KEY',
    secrets: [APP_KEY, 'other-app-key-0123456789'],
    env: { DD_API_KEY: API_KEY, DD_APP_KEY: 'other-app-key-0123456789', DATADOG_APP_KEY: APP_KEY },
  },
  {
    name: 'an API key with a space (unusable)',
    secrets: ['abcd efgh ijkl mnop'],
    env: { DD_API_KEY: 'abcd efgh ijkl mnop' },
  },
  { name: '--api-key=… (not an option)', secrets: [API_KEY], args: [`--api-key=${API_KEY}`] },
  { name: '--app-key … (not an option)', secrets: [APP_KEY], args: ['--app-key', APP_KEY] },
  { name: 'a key typed as --site', secrets: [API_KEY], args: ['--site', API_KEY] },
  {
    name: 'HTTPS_PROXY with a spaced, #, / and @ password',
    secrets: [PASSWORD, encodeURIComponent(PASSWORD)],
    env: { DD_API_KEY: API_KEY, HTTPS_PROXY: `http://ci-bot:${PASSWORD}@127.0.0.1:PORT` },
  },
  {
    name: 'HTTP_PROXY that cannot be parsed',
    secrets: ['p@ss w/rd'],
    env: { DD_API_KEY: API_KEY, HTTP_PROXY: 'http://bot:p@ss w/rd@proxy.example:notaport' },
  },
  {
    name: 'DORA_API_URL with user info',
    secrets: ['url-user:url-S3CRET'],
    env: { DD_API_KEY: API_KEY, DORA_API_URL: 'https://url-user:url-S3CRET@127.0.0.1:9/' },
  },
  {
    name: 'DD_GIT_REPOSITORY_URL with a token',
    secrets: ['ghp_EnvT0kenAbcdefghij'],
    env: {
      DD_API_KEY: API_KEY,
      DD_GIT_REPOSITORY_URL: 'https://x-access-token:ghp_EnvT0kenAbcdefghij@github.com/acme/shop.git',
      DD_GIT_COMMIT_SHA: 'a'.repeat(40),
    },
  },
  {
    name: '--git-repository-url with a token',
    secrets: ['glpat-FlagT0kenAbcdef'],
    args: [
      '--git-repository-url',
      'https://oauth2:glpat-FlagT0kenAbcdef@gitlab.com/acme/shop.git',
      '--git-commit-sha',
      'b'.repeat(40),
    ],
    env: { DD_API_KEY: API_KEY },
  },
  {
    name: "a CI provider's repository URL with the job token",
    secrets: ['glcbt-JobT0kenAbcdef'],
    env: {
      DD_API_KEY: API_KEY,
      GITLAB_CI: 'true',
      CI_REPOSITORY_URL: 'https://gitlab-ci-token:glcbt-JobT0kenAbcdef@gitlab.example.com/g/shop.git',
      CI_COMMIT_SHA: 'c'.repeat(40),
    },
  },
];

interface Scenario {
  name: string;
  args: string[];
  /** Where the API is, unless the source sets DORA_API_URL itself. */
  api?: () => string;
}

const DEPLOY = ['deployment', '--service', 'api', '--started-at', 'now'];
const SCENARIOS: Scenario[] = [
  { name: 'a recorded deployment, verbose', args: [...DEPLOY, '--verbose'], api: () => `${intake.url}/ok` },
  {
    name: 'a dry run with --json',
    args: [...DEPLOY, '--dry-run', '--json', '--verbose'],
    api: () => `${intake.url}/ok`,
  },
  {
    name: 'a retry after a 503 that echoes the key',
    args: [...DEPLOY, '--verbose', '--json'],
    api: () => `${intake.url}/busy`,
  },
  { name: 'a 403 that echoes both keys', args: [...DEPLOY, '--json'], api: () => refusing.url },
  {
    name: 'an incident refused',
    args: ['incident', '--service', 'api', '--started-at', 'now', '--verbose'],
    api: () => refusing.url,
  },
  { name: 'bad input with --json', args: [...DEPLOY, '--env', '', '--json'], api: () => intake.url },
  { name: 'a site outside Datadog', args: [...DEPLOY, '--site', 'datadoghq.cm', '--verbose'] },
];

const spellings = (secret: string) => [
  ...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]),
];

describe('no secret on either stream, from any source, in any scenario', () => {
  for (const source of SOURCES) {
    it.each(SCENARIOS)(`${source.name}: $name`, async (scenario) => {
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(source.env ?? {}))
        env[name] = value.replace('PORT', String(proxy.port));
      if (scenario.api && env.DORA_API_URL === undefined) env.DORA_API_URL = scenario.api();
      // A proxy that refuses our credentials: its 407 message names the proxy.
      const run = await runCli([...scenario.args, ...(source.args ?? [])], { env, random: () => 0 });
      const output = `${run.stdout}\n${run.stderr}`;
      for (const secret of source.secrets) {
        for (const form of spellings(secret)) expect(output, `${form} leaked`).not.toContain(form);
      }
      expect(run.code).not.toBe(1); // never "a bug", whatever the input
    });
  }
});
