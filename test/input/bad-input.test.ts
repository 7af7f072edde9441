/**
 * Bad input, through the whole CLI in-process (the Context production builds, the real transport): every invalid
 * form must exit 2, name what to fix and send nothing, for both commands. Each case has its own local intake (with a
 * real key and URL), so "nothing sent" is checked per case, not assumed.
 */
import { describe, type ExpectStatic, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startIntake } from '../helpers/intake.js';

const KEY = 'bad-input-key-0123456789abcdef';
const SHA = 'a'.repeat(40);
const BASE = {
  deployment: [
    'deployment',
    '--service',
    'checkout',
    '--started-at',
    '1795687200',
    '--git-repository-url',
    'https://github.com/acme/shop',
    '--git-commit-sha',
    SHA,
  ],
  incident: ['incident', '--service', 'checkout', '--started-at', '1795687200'],
};

/** BASE's command with `args` in place of BASE's own values for the same flags (every BASE flag takes a value). */
function withArgs(base: string[], args: string[]): string[] {
  const given = new Set(args.filter((arg) => arg.startsWith('--')));
  const kept = [base[0] as string];
  for (let i = 1; i < base.length; i += 2) {
    if (!given.has(base[i] as string)) kept.push(base[i] as string, base[i + 1] as string);
  }
  return [...kept, ...args];
}

/** [what the case shows, extra arguments, text the message must contain]. Flags given here replace BASE's. */
type Case = [label: string, args: string[], names: string];

const SHARED: Case[] = [
  ['empty --service', ['--service', ''], '--service'],
  ['blank --service', ['--service', '   '], '--service'],
  ['201-char --service', ['--service', 's'.repeat(201)], '--service'],
  ['empty --env', ['--env', ''], '--env'],
  ['201-char --env', ['--env', 'e'.repeat(201)], '--env'],
  ['empty --version', ['--version', ''], '--version'],
  ['201-char --version', ['--version', 'v'.repeat(201)], '--version'],
  ['empty --team', ['--team', ''], '--team'],
  ['201-char --team', ['--team', 't'.repeat(201)], '--team'],
  ['--custom-tags without a value', ['--custom-tags', 'novalue'], '--custom-tags'],
  ['--custom-tags without a key', ['--custom-tags', ':value'], '--custom-tags'],
  ['201-char --custom-tags', ['--custom-tags', `k:${'v'.repeat(199)}`], '--custom-tags'],
  ['101 --custom-tags', Array.from({ length: 101 }, (_, i) => ['--custom-tags', `tag${i}:v`]).flat(), '--custom-tags'],
  ['short --id', ['--id', 'too-short'], '--id'],
  ['--id with spaces', ['--id', 'an id with spaces in it'], '--id'],
  ['non-ASCII --id', ['--id', 'déploiement-0001-abcdef'], '--id'],
  ['129-char --id', ['--id', 'i'.repeat(129)], '--id'],
  ['--started-at in words', ['--started-at', 'yesterday'], '--started-at'],
  ['empty --started-at', ['--started-at', ''], '--started-at'],
  ['--started-at without a zone', ['--started-at', '2026-11-26T10:00:00'], '--started-at'],
  ['--started-at with too many digits', ['--started-at', '123456789012345678901'], '--started-at'],
  ['--started-at before 2000', ['--started-at', '946684799'], '--started-at'],
  ['--finished-at in words', ['--finished-at', 'later'], '--finished-at'],
  ['--finished-at before --started-at', ['--finished-at', '1795687100'], '--finished-at'],
  ['short --git-commit-sha', ['--git-commit-sha', 'abc123'], '--git-commit-sha'],
  ['non-hex --git-commit-sha', ['--git-commit-sha', 'g'.repeat(40)], '--git-commit-sha'],
  ['empty --git-repository-url', ['--git-commit-sha', SHA, '--git-repository-url', ''], '--git-repository-url'],
  ['--site with a path', ['--site', 'datadoghq.com/api'], '--site'],
  ['--site with a scheme other than https', ['--site', 'ftp://datadoghq.eu'], '--site'],
  [
    '--api-url that already holds the API path',
    ['--api-url', 'https://gw.example/api/v2/dora/deployment'],
    'must be the base URL',
  ],
  ['--site with a space', ['--site', 'datadog hq.com'], '--site'],
  ['--api-url with another scheme', ['--api-url', 'ftp://127.0.0.1/'], '--api-url'],
  ['--api-url that is no URL', ['--api-url', 'not a url'], '--api-url'],
  ['zero --request-timeout', ['--request-timeout', '0'], '--request-timeout'],
  ['--request-timeout in words', ['--request-timeout', 'ten'], '--request-timeout'],
  ['--request-timeout above 300', ['--request-timeout', '301'], '--request-timeout'],
  ['negative --deadline', ['--deadline', '-1'], '--deadline'],
  ['--deadline too short for any attempt', ['--deadline', '0.1'], '--deadline'],
  ['--request-timeout too short for any attempt', ['--request-timeout', '0.2'], '--request-timeout'],
  ['--deadline above an hour', ['--deadline', '3601'], '--deadline'],
  ['--deadline in exponent form', ['--deadline', '1e3'], '--deadline'],
  ['zero --max-attempts', ['--max-attempts', '0'], '--max-attempts'],
  ['fractional --max-attempts', ['--max-attempts', '2.5'], '--max-attempts'],
  ['--max-attempts above 20', ['--max-attempts', '21'], '--max-attempts'],
  ['a flag missing its value', ['--env'], '--env'],
  ['an unknown flag', ['--bogus', 'x'], '--bogus'],
  ['--env given twice', ['--env', 'staging', '--env', 'prod'], '--env was given twice'],
  [
    '--started-at given twice',
    ['--started-at', '1795687200', '--started-at', '1795687201'],
    '--started-at was given twice',
  ],
  ['--id given twice', ['--id', 'dora-twice-0000000001', '--id', 'dora-twice-0000000002'], '--id was given twice'],
  ['--deadline given twice', ['--deadline', '5', '--deadline', '10'], '--deadline was given twice'],
];

const INCIDENT_ONLY: Case[] = [
  ['empty --name', ['--name', ''], '--name'],
  ['1025-char --name', ['--name', 'n'.repeat(1025)], '--name'],
  ['empty --severity', ['--severity', ''], '--severity'],
  ['201-char --severity', ['--severity', 'S'.repeat(201)], '--severity'],
  [
    '--git-repository-url without the commit',
    ['--git-repository-url', 'https://github.com/acme/shop'],
    '--git-commit-sha',
  ],
];

/** [what the case shows, command, environment, text the message must contain]. */
const ENVIRONMENT: Array<
  [string, keyof typeof BASE | 'deployment-no-service' | 'incident-no-service', Record<string, string>, string]
> = [
  ["DD_SERVICE='' counts as unset", 'deployment-no-service', { DD_SERVICE: '' }, '--service'],
  ["DD_SERVICE='' counts as unset (incident)", 'incident-no-service', { DD_SERVICE: '' }, '--service'],
  ['DD_SITE with a space', 'deployment', { DD_SITE: 'datadog hq.com' }, 'DD_SITE'],
  ['DD_SITE with a path', 'incident', { DD_SITE: 'datadoghq.com/x' }, 'DD_SITE'],
  ['DD_SITE with another scheme', 'deployment', { DD_SITE: 'ftp://datadoghq.com' }, 'DD_SITE'],
  ['DATADOG_FIPS that is no boolean', 'deployment', { DATADOG_FIPS: 'sometimes' }, 'DATADOG_FIPS'],
  [
    'DORA_API_URL with user info',
    'deployment',
    { DORA_API_URL: 'https://user:hunter2-secret@127.0.0.1:9/' },
    'DORA_API_URL',
  ],
  ['DORA_REQUEST_TIMEOUT in words', 'deployment', { DORA_REQUEST_TIMEOUT: 'ten' }, 'DORA_REQUEST_TIMEOUT'],
  ['zero DORA_DEADLINE', 'incident', { DORA_DEADLINE: '0' }, 'DORA_DEADLINE'],
  ['DORA_MAX_ATTEMPTS in words', 'incident', { DORA_MAX_ATTEMPTS: 'many' }, 'DORA_MAX_ATTEMPTS'],
  ['an API key with a space inside', 'deployment', { DD_API_KEY: 'abcd efgh' }, 'DD_API_KEY'],
];

async function expectRefused(expect: ExpectStatic, args: string[], names: string, env: Record<string, string> = {}) {
  const intake = await startIntake();
  try {
    const run = await runCli(args, { env: { DD_API_KEY: KEY, DORA_API_URL: intake.url, ...env } });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(names);
    expect(run.stdout).toBe('');
    expect(intake.requests).toHaveLength(0);
    expect(run.stderr).not.toContain(KEY);
    expect(run.stderr).not.toContain('hunter2-secret');
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
  } finally {
    await intake.close();
  }
}

describe.concurrent('bad input is refused with exit 2 and nothing sent', () => {
  for (const command of ['deployment', 'incident'] as const) {
    const cases = command === 'incident' ? [...SHARED, ...INCIDENT_ONLY] : SHARED;
    it.for(cases)(`dora ${command}: %s`, async ([, args, names], { expect }) => {
      await expectRefused(expect, withArgs(BASE[command], args), names);
    });
  }

  it.for(ENVIRONMENT)('%s', async ([, command, env, names], { expect }) => {
    const args =
      command === 'deployment-no-service'
        ? ['deployment', '--started-at', '1795687200', '--skip-git']
        : command === 'incident-no-service'
          ? ['incident', '--started-at', '1795687200']
          : BASE[command];
    await expectRefused(expect, args, names, env);
  });
});

describe.concurrent('values that look odd but are valid', () => {
  it.for(['https://datadoghq.eu', 'datadoghq.eu/', 'https://api.datadoghq.eu', 'app.datadoghq.eu'])(
    'reads the site spelled %s as datadoghq.eu',
    async (site, { expect }) => {
      const run = await runCli([
        'deployment',
        '--service',
        'api',
        '--started-at',
        '1795687200',
        '--skip-git',
        '--dry-run',
        '--site',
        site,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('to https://api.datadoghq.eu/api/v2/dora/deployment');
    },
  );

  it('warns that ddog-gov.com has no DORA Metrics', async ({ expect }) => {
    const run = await runCli(['incident', '--service', 'api', '--started-at', '1795687200', '--dry-run'], {
      env: { DD_SITE: 'ddog-gov.com' },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: DORA Metrics is not available on ddog-gov.com');
  });

  it("DD_SITE='' and other empty variables count as unset, not as errors", async ({ expect }) => {
    const run = await runCli(
      ['deployment', '--service', 'api', '--started-at', '1795687200', '--skip-git', '--dry-run'],
      {
        env: { DD_SITE: '', DATADOG_SITE: '', DD_ENV: '', DORA_DEADLINE: '', DORA_MAX_ATTEMPTS: '', HTTPS_PROXY: '' },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('https://api.datadoghq.com/api/v2/dora/deployment');
    expect(JSON.parse(run.stdout).data.attributes).not.toHaveProperty('env');
  });

  it('accepts the limits themselves: 100 tags, a 200-char env and a 1024-char name', async ({ expect }) => {
    const intake = await startIntake();
    try {
      const tags = Array.from({ length: 100 }, (_, i) => `tag${i}:v`);
      const run = await runCli(
        [
          'incident',
          '--service',
          'api',
          '--started-at',
          '1795687200',
          '--env',
          'e'.repeat(200),
          '--name',
          'n'.repeat(1024),
          ...tags.flatMap((tag) => ['--custom-tags', tag]),
        ],
        { env: { DD_API_KEY: KEY, DORA_API_URL: intake.url } },
      );
      expect(run.code, run.stderr).toBe(0);
      const sent = JSON.parse(intake.requests[0]?.body ?? '{}').data.attributes;
      expect(sent.custom_tags).toEqual(tags);
      expect(sent.name).toHaveLength(1024);
    } finally {
      await intake.close();
    }
  });
});

describe('unicode and quotes arrive byte-exact; control characters are refused', () => {
  const values = {
    service: 'chéckout ☃ "blue" \\ slash',
    env: 'prod – eu',
    team: "O'Brien & Søn 日本",
    version: '1.0.0+build.ü',
    tag: 'note:"quoted" 😀 next',
    name: 'Checkout "5xx" — 💥 after',
  };

  it.each([
    ['a deployment', ['deployment', '--service', values.service, '--skip-git'], { service: values.service }],
    [
      'an incident',
      ['incident', '--service', values.service, '--name', values.name],
      { services: [values.service], name: values.name },
    ],
  ] as const)('in %s', async (_, command, own) => {
    const intake = await startIntake();
    try {
      const run = await runCli(
        [
          ...command,
          '--started-at',
          '1795687200',
          '--finished-at',
          '1795687260',
          '--env',
          values.env,
          '--team',
          values.team,
          '--version',
          values.version,
          '--custom-tags',
          values.tag,
          '--id',
          'byte-exact-0001-abcdef',
        ],
        { env: { DD_API_KEY: KEY, DORA_API_URL: intake.url } },
      );
      expect(run.code, run.stderr).toBe(0);
      const raw = intake.requests[0]?.body ?? '';
      expect(JSON.parse(raw).data.attributes).toMatchObject({
        ...own,
        env: values.env,
        team: values.team,
        version: values.version,
        custom_tags: [values.tag],
      });
      // The raw text uses plain JSON escapes (\", \\) and UTF-8 characters as they are, nothing re-encoded.
      for (const value of [values.service, values.env, values.team, values.version, values.tag])
        expect(raw).toContain(JSON.stringify(value));
      expect(Number(intake.requests[0]?.headers['content-length'])).toBe(Buffer.byteLength(raw, 'utf8'));
    } finally {
      await intake.close();
    }
  });

  it.each([
    ['--env', 'prod\nsecond line'],
    ['--service', 'api\u001b[31m'],
    ['--name', 'Checkout\r\nforged'],
    ['--custom-tags', 'k:v\nw'],
  ])('refuses %s holding a control character instead of sending it byte for byte', async (flag, value) => {
    await expectRefused(expect, withArgs(BASE.incident, [flag, value]), flag);
  });

  it('trims flags as it trims environment variables', async () => {
    const run = await runCli([
      'deployment',
      '--service',
      ' api\n',
      '--env',
      ' prod ',
      '--started-at',
      ' 1795687200 ',
      '--skip-git',
      '--dry-run',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).data.attributes).toMatchObject({ service: 'api', env: 'prod' });
  });
});

describe('a deploy command to wrap', () => {
  it('refuses a --started-at ahead of now: the deployment cannot start after the command it times', async () => {
    const now = 1_795_687_200_000_000_000n;
    const run = await runCli(
      ['deployment', '--service', 'checkout', '--skip-git', '--started-at', '1795687230', '--', 'true'],
      { env: { DD_API_KEY: KEY }, nowNs: () => now },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--started-at is ahead of now');
  });
});
