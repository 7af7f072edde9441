/**
 * No credential is ever sent: a value of an event (or of a search) that holds a key of this run, the value of a
 * credential-named variable, or a URL with user info is refused (exit 2), whichever flag or variable brought it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/import/git-tags.js';
import { runCli } from '../helpers/cli.js';

const KEY = '0123456789abcdef0123456789abcdef';
const APP_KEY = 'fedcba9876543210fedcba9876543210fedcba98';

/** Where a value can come from in a deployment, an incident or a list: [argv before it, flag or variable]. */
const PLACES: Array<{ argv: string[]; flag?: string; variable?: string }> = [
  { argv: ['deployment', '--started-at', '-5m', '--skip-git', '--service', 'shop'], flag: '--env' },
  { argv: ['deployment', '--started-at', '-5m', '--skip-git', '--service', 'shop'], flag: '--version' },
  { argv: ['deployment', '--started-at', '-5m', '--skip-git', '--service', 'shop'], flag: '--team' },
  { argv: ['deployment', '--started-at', '-5m', '--skip-git'], flag: '--service' },
  { argv: ['deployment', '--started-at', '-5m', '--skip-git', '--service', 'shop'], variable: 'DD_ENV' },
  { argv: ['deployment', '--started-at', '-5m', '--skip-git', '--service', 'shop'], variable: 'DD_VERSION' },
  { argv: ['incident', '--started-at', '-5m', '--service', 'shop'], flag: '--name' },
  { argv: ['incident', '--started-at', '-5m', '--service', 'shop'], flag: '--severity' },
  { argv: ['deployment', 'list'], flag: '--service' },
];

const credential = fc.oneof(
  fc.constant(KEY),
  fc.constant('glcbt-SECRET-job-token'),
  fc.constantFrom('https://bob:hunter2@ci.example/job/1', 'see http://deploy:Tr0ub4dor#3@git.example.com/x'),
);

describe('a credential in an event value', () => {
  it('is refused before anything is sent, and never printed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PLACES),
        credential,
        fc.constantFrom('', 'prefix-'),
        fc.boolean(),
        async (place, secret, prefix, dryRun) => {
          const value = `${prefix}${secret}`;
          const requests: string[] = [];
          const env: Record<string, string> = {
            DD_API_KEY: KEY,
            DD_APP_KEY: APP_KEY,
            CI_JOB_TOKEN: 'glcbt-SECRET-job-token',
          };
          if (place.variable) env[place.variable] = value;
          const argv = [...place.argv, ...(place.flag ? [place.flag, value] : []), ...(dryRun ? ['--dry-run'] : [])];
          const run = await runCli([...argv, '--json'], {
            env,
            createTransport: async () => ({
              transport: async (url) => {
                requests.push(url);
                throw new Error('nothing may be sent');
              },
              close: async () => undefined,
            }),
          });
          expect(run.code).toBe(2);
          expect(requests).toEqual([]);
          expect(JSON.parse(run.stdout).error).toMatch(/holds .*: dora never sends a credential/);
          for (const piece of ['hunter2', 'Tr0ub4dor', KEY, 'SECRET-job-token']) {
            expect(`${run.stdout}${run.stderr}`).not.toContain(piece);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a custom tag that holds one', async () => {
    const run = await runCli(
      ['deployment', '--service', 'shop', '--started-at', '-5m', '--skip-git', '--custom-tags', `k:${KEY}`],
      { env: { DD_API_KEY: KEY } },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--custom-tags holds a credential of this environment');
  });

  it('lets an ordinary URL through: no user info, no secret', async () => {
    const run = await runCli(
      ['incident', '--service', 'shop', '--started-at', '-5m', '--name', 'see https://ci.example/job/1', '--dry-run'],
      { env: {} },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('see https://ci.example/job/1');
  });
});

/**
 * Every other way a value reaches Datadog: an event's id (in the body, or in a request's path), a search term, and
 * the host a request goes to (its DNS lookup carries it before any request). `{}` is where the value goes.
 */
const WAYS_OUT: Array<{ argv: string[]; variable?: [string, string] }> = [
  { argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--skip-git', '--id', '{}'] },
  { argv: ['incident', '--service', 'shop', '--started-at', '-5m', '--id', '{}'] },
  { argv: ['deployment', 'update', '{}', '--change-failure'] },
  {
    argv: ['deployment', 'update', 'dep-0000000000000001', '--remediated-by', '{}', '--remediation-type', 'rollback'],
  },
  { argv: ['deployment', 'show', '{}'] },
  { argv: ['incident', 'delete', '{}', '--yes'] },
  { argv: ['incident', 'resolve', '{}'] },
  { argv: ['deployment', 'list', '--query', 'version:{}'] },
  { argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--skip-git', '--rollback-of', '{}'] },
  { argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--skip-git', '--site', '{}.datadoghq.com'] },
  { argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--skip-git', '--api-url', 'https://{}.invalid'] },
  {
    argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--skip-git'],
    variable: ['DD_SITE', '{}.datadoghq.eu'],
  },
  {
    argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--skip-git'],
    variable: ['HTTPS_PROXY', 'http://{}:8080'],
  },
  // In a repository URL, past its user info: the path, or the user of the scp form (which is kept).
  {
    argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--git-commit-sha', 'a'.repeat(40)],
    variable: ['DD_GIT_REPOSITORY_URL', 'https://gitlab.example.com/{}/repo.git'],
  },
  {
    argv: ['deployment', '--service', 'shop', '--started-at', '-5m', '--git-commit-sha', 'a'.repeat(40)],
    variable: ['DD_GIT_REPOSITORY_URL', '{}@gitlab.example.com:org/repo.git'],
  },
];

describe('a credential in an id, a search term or a host name', () => {
  it('is refused before anything is sent or looked up, and never printed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WAYS_OUT),
        fc.constantFrom(KEY, 'glcbt-SECRET-job-token', 'ghp_SECRETpersonalAccessTok'),
        async (way, secret) => {
          const requests: string[] = [];
          const env: Record<string, string> = {
            DD_API_KEY: KEY,
            DD_APP_KEY: APP_KEY,
            CI_JOB_TOKEN: 'glcbt-SECRET-job-token',
            GITHUB_PAT: 'ghp_SECRETpersonalAccessTok',
          };
          if (way.variable) env[way.variable[0]] = way.variable[1].replace('{}', secret);
          const run = await runCli([...way.argv.map((word) => word.replace('{}', secret)), '--json'], {
            env,
            createTransport: async () => ({
              transport: async (url) => {
                requests.push(url);
                throw new Error('nothing may be sent');
              },
              close: async () => undefined,
            }),
          });
          expect(run.code, run.stderr).toBe(2);
          expect(requests).toEqual([]);
          // Refused as a credential, or as no host name at all (a token's `_` is none): never looked up either way.
          expect(JSON.parse(run.stdout).error).toMatch(/credential/);
          for (const piece of [KEY, 'SECRET-job-token', 'SECRETpersonal']) {
            expect(`${run.stdout}${run.stderr}`).not.toContain(piece);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** Every character as a percent-escape, in upper- or lower-case hex. */
const percentEncoded = (text: string, upper: boolean) =>
  [...Buffer.from(text)]
    .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
    .map((hex) => (upper ? hex.toUpperCase() : hex))
    .join('');

describe('a percent-encoded credential', () => {
  it('is refused as the credential itself, wherever a value goes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PLACES.filter((place) => place.flag !== undefined)),
        fc.boolean(),
        fc.boolean(),
        async (place, upper, whole) => {
          const encoded = whole
            ? percentEncoded(KEY, upper)
            : `x/${percentEncoded(KEY.slice(0, 4), upper)}${KEY.slice(4)}`;
          const run = await runCli([...place.argv, place.flag as string, encoded, '--json'], {
            env: { DD_API_KEY: KEY, DD_APP_KEY: APP_KEY },
            createTransport: async () => {
              throw new Error('nothing may be sent');
            },
          });
          expect(run.code, run.stderr).toBe(2);
          expect(JSON.parse(run.stdout).error).toMatch(/holds a credential of this environment/);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("an import's options and records", () => {
  it.each([
    [['import', 'x.jsonl', '--format', 'ghp_Secret123Value456xyz']],
    [['import', 'x.jsonl', '--concurrency', 'ghp_Secret123Value456xyz']],
  ])('never echo a value that may be a credential: %j', async (argv) => {
    const run = await runCli([...argv, '--dry-run'], { env: {} });
    expect(run.code).toBe(2);
    expect(`${run.stdout}${run.stderr}`).not.toContain('Secret123');
    expect(run.stderr).toContain('not shown: it may be a credential');
  });
});

describe('--duration of --git-tags', () => {
  it('never echoes a value that may be a credential', () => {
    expect(() => parseDuration('ghp_Secret123Value456xyz')).toThrow(/not shown: it may be a credential/);
  });
});
