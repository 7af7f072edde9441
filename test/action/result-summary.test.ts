/** Reading the CLI's one --json result line, rendering the job summary, and the workflow-command helpers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameKeyInputs } from '../../src/action/keys.js';
import { type ActionResult, eventsOf, parseResult, remediationOf } from '../../src/action/result.js';
import { commitUrl, renderSummary } from '../../src/action/summary.js';
import { annotation, escapeData, LogStream, maskCommands, outputEntry, scrub } from '../../src/action/workflow.js';
import type { EventsResult } from '../../src/result.js';

const SHA = '2b66fd261ee5c6cfc8de7fa466bab600bcfe4f69';
const plan = { kind: 'deployment' as const, given: { services: ['checkout'] } };

function read(result: unknown): ActionResult {
  const parsed = parseResult(`${JSON.stringify(result)}\n`);
  if (!('result' in parsed)) throw new Error(parsed.problem);
  return parsed.result;
}

const RECORDED: EventsResult = {
  ok: true,
  exit_code: 0,
  recorded: true,
  kind: 'deployment',
  id: 'abc-0001-abcdefghijkl',
  status: 202,
  attempts: 1,
  service: 'checkout',
  env: 'prod',
  version: '1.4.2',
  started_at: '1795687200123456789',
  finished_at: '1795690861000000000',
  git: { repository_url: 'git@github.com:acme/shop.git', commit_sha: SHA },
};

describe('parseResult', () => {
  it('reads a result line into the result type, nanosecond strings exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.bigInt({ min: 0n, max: 10n ** 15n }), (start, d) => {
        const result = read({ ...RECORDED, started_at: String(start), finished_at: String(start + d) });
        expect(result.started_at).toBe(String(start));
        expect(BigInt(result.finished_at ?? '') - BigInt(result.started_at ?? '')).toBe(d);
      }),
    );
    expect(read(RECORDED)).toEqual({ ...RECORDED, attempts: undefined });
  });

  it('reads a failure before any event (no `recorded`) as nothing recorded', () => {
    const result = read({ ok: false, exit_code: 2, error: 'No API key: set DD_API_KEY.' });
    expect(result).toMatchObject({ ok: false, exit_code: 2, recorded: false, error: 'No API key: set DD_API_KEY.' });
    expect(eventsOf(result)).toEqual([]);
  });

  it('reads several events, and one event from the top level', () => {
    const several = read({
      ok: false,
      exit_code: 5,
      recorded: false,
      kind: 'deployment',
      events: [
        { ok: true, kind: 'deployment', id: 'a1', status: 202, service: 'api', started_at: '1' },
        {
          ok: false,
          exit_code: 5,
          error: 'not delivered',
          kind: 'deployment',
          id: 'w1',
          service: 'worker',
          started_at: '1',
        },
      ],
    });
    expect(eventsOf(several).map((event) => [event.id, event.ok, event.service])).toEqual([
      ['a1', true, 'api'],
      ['w1', false, 'worker'],
    ]);
    const one = eventsOf(read({ ...RECORDED, ok: false, exit_code: 4, error: 'mark failed', remediated: null }));
    // One event went through: the result says recorded, whatever the later step did.
    expect(one).toEqual([expect.objectContaining({ ok: true, id: RECORDED.id, status: 202 })]);
  });

  it('reads a dry run: its event and the requests it would make', () => {
    const result = read({
      ...RECORDED,
      status: undefined,
      recorded: false,
      dry_run: true,
      requests: [{ method: 'POST', url: 'https://api.datadoghq.com/api/v2/dora/deployment', body: { data: {} } }],
    });
    expect(result).toMatchObject({ dry_run: true, recorded: false, id: RECORDED.id });
  });

  it('says why a line is not a result, and takes none of the older shapes', () => {
    const problems = [
      '',
      'deploying…',
      '{not json',
      '[1,2]',
      '{"hello":"world"}',
      // a dry run that printed the body alone
      '{"data":{"attributes":{"service":"s","started_at":1795687200000000000}}}',
      // times as bare integers
      '{"ok":true,"exit_code":0,"recorded":true,"kind":"deployment","id":"x","started_at":1795687200000000000}',
      // the result glued to a wrapped command's last output
      `{"status":"deployed"}${JSON.stringify(RECORDED)}`,
      // two lines: the command's output, then the result
      `deployed\n${JSON.stringify(RECORDED)}`,
    ].map((text) => parseResult(text));
    for (const parsed of problems) expect(parsed).toEqual({ problem: expect.stringMatching(/^dora printed /) });
    expect(parseResult('{"ok":true,"exit_code":0,"started_at":17}')).toEqual({
      problem: expect.stringContaining('started_at'),
    });
  });
});

describe('remediationOf', () => {
  const mark = { id: 'old', service: 'checkout', version: '1.4.1', type: 'rollback' as const, status: 202 };
  it('true when every mark was made, false when one was not or none was tried, undefined when none was asked', () => {
    expect(remediationOf(read({ ...RECORDED, remediated: mark }), true)).toBe(true);
    expect(remediationOf(read({ ...RECORDED, remediated: null }), true)).toBe(false);
    expect(remediationOf(read({ ...RECORDED, remediations: [mark, mark] }), true)).toBe(true);
    expect(remediationOf(read({ ...RECORDED, remediations: [mark, null] }), true)).toBe(false);
    expect(remediationOf(read({ ...RECORDED, recorded: false }), true)).toBe(false);
    expect(remediationOf(undefined, true)).toBe(false);
    expect(remediationOf(read(RECORDED), false)).toBeUndefined();
  });
});

describe('the job summary', () => {
  it('shows what was recorded, the commit linked, the window to the nanosecond and its duration', () => {
    const summary = renderSummary({ plan, result: read(RECORDED), exitCode: 0, errors: [], remediated: undefined });
    expect(summary).toBe(
      '### DORA deployment recorded\n\n' +
        '| | service | env | version | commit | window | id |\n| --- | --- | --- | --- | --- | --- | --- |\n' +
        `| ✅ | checkout | prod | 1.4.2 | [\`2b66fd2\`](https://github.com/acme/shop/commit/${SHA}) | ` +
        '2026-11-26T10:00:00.123456789Z → 11:01:01Z (1 h 1 min) | `abc-0001-abcdefghijkl` |\n',
    );
  });

  it('says each message once above the table, every line of it, made inert', () => {
    const summary = renderSummary({
      plan,
      result: undefined,
      exitCode: 4,
      errors: ['Rejected: service <b>|x</b> is [bad](http://evil)\nsecond line', 'another'],
      remediated: undefined,
    });
    expect(summary).toContain(
      '### ❌ DORA deployment not recorded (exit code 4)\n\n' +
        '> Rejected: service &lt;b&gt;\\|x&lt;/b&gt; is \\[bad\\](http://evil)\n> second line\n>\n> another\n\n',
    );
    expect(summary).toContain('| ❌ | checkout |');
  });

  it('a dry run and an open incident', () => {
    const dry = renderSummary({
      plan,
      result: read({ ...RECORDED, status: undefined, recorded: false, dry_run: true }),
      exitCode: 0,
      errors: [],
      remediated: false,
    });
    expect(dry).toContain('### DORA deployment: dry run, nothing sent\n');
    expect(dry).toContain('| dry run | checkout |');
    const incident = renderSummary({
      plan: { kind: 'incident', given: { services: [] } },
      result: read({
        ok: true,
        exit_code: 0,
        recorded: true,
        kind: 'incident',
        id: 'inc-0001-abcdefghijkl',
        services: ['checkout', 'payments'],
        state: 'open',
        started_at: '1795687200000000000',
      }),
      exitCode: 0,
      errors: [],
      remediated: undefined,
    });
    expect(incident).toContain('### DORA incident recorded');
    expect(incident).toContain('| ✅ | checkout, payments |  |  |  | 2026-11-26T10:00:00Z → (open) |');
  });

  it('puts each resend command in a code block no backtick in it can close', () => {
    const resend = "dora deployment --service 'a```b' --id x-0001-abcdefghijkl";
    const summary = renderSummary({
      plan,
      result: read({ ...RECORDED, ok: false, recorded: false, exit_code: 5, status: undefined, resend }),
      exitCode: 5,
      errors: ['not delivered'],
      remediated: undefined,
    });
    expect(summary).toContain(`Send it again with:\n\n\`\`\`\`sh\n${resend}\n\`\`\`\`\n`);
  });

  it('links commits on the hosts people use, and not what a browser cannot open', () => {
    expect(commitUrl('https://github.com/acme/shop.git', SHA)).toBe(`https://github.com/acme/shop/commit/${SHA}`);
    expect(commitUrl('git@gitlab.com:acme/sub/shop.git', SHA)).toBe(`https://gitlab.com/acme/sub/shop/-/commit/${SHA}`);
    expect(commitUrl('https://bitbucket.org/acme/shop', SHA)).toBe(`https://bitbucket.org/acme/shop/commits/${SHA}`);
    expect(commitUrl('ssh://git@git.example.com:2222/acme/shop.git', SHA)).toBe(
      `https://git.example.com/acme/shop/commit/${SHA}`,
    );
    expect(commitUrl('https://git.example.com:8443/acme/shop', SHA)).toBe(
      `https://git.example.com:8443/acme/shop/commit/${SHA}`,
    );
    expect(commitUrl('/srv/git/shop.git', SHA)).toBeUndefined();
    expect(commitUrl('javascript:alert(1)', SHA)).toBeUndefined();
    expect(commitUrl('https://github.com/acme/shop', 'not-a-sha')).toBeUndefined();
  });
});

describe('naming the key inputs', () => {
  it('rewords every way the CLI names a key variable, once per mention, for the inputs given only', () => {
    const cases: Array<[string, string[], string]> = [
      [
        'Check that DD_API_KEY (or DATADOG_API_KEY) is a valid API key.',
        ['api-key'],
        'Check that the api-key input is a valid API key.',
      ],
      [
        'needs an API key (DD_API_KEY) and an application key (DD_APP_KEY or DATADOG_APP_KEY)',
        ['api-key', 'app-key'],
        'needs an API key (the api-key input) and an application key (the app-key input)',
      ],
      [
        'No application key: set DD_APP_KEY (or DATADOG_APP_KEY) to a key.',
        ['api-key'],
        'No application key: set DD_APP_KEY (or DATADOG_APP_KEY) to a key.',
      ],
      ['Set DATADOG_APP_KEY.', ['app-key'], 'Set the app-key input.'],
      ['MY_DD_API_KEY and DD_API_KEYS are other names.', ['api-key'], 'MY_DD_API_KEY and DD_API_KEYS are other names.'],
      ['Set DD_API_KEY.', [], 'Set DD_API_KEY.'],
    ];
    for (const [message, given, expected] of cases) expect(nameKeyInputs(message, given)).toBe(expected);
  });
});

describe('workflow commands and the output file', () => {
  it('escapes messages so they cannot end the command or start another', () => {
    expect(escapeData('50% done\r\n::error::x')).toBe('50%25 done%0D%0A::error::x');
    expect(annotation('warning', 'a\nb')).toBe('::warning::a%0Ab');
    expect(maskCommands('line1\nline2\n')).toEqual(['::add-mask::line1', '::add-mask::line2']);
  });

  it('writes one-line values as name=value, others with a delimiter absent from the value', () => {
    expect(outputEntry('id', 'abc', () => 'x')).toBe('id=abc\n');
    const randoms = ['1', '2'];
    expect(outputEntry('ids', 'a\ndora_1\nb', () => randoms.shift() ?? '9')).toBe(
      'ids<<dora_2\na\ndora_1\nb\ndora_2\n',
    );
  });

  it('scrubs every line of every secret', () => {
    expect(scrub('key=abc123 and def456', ['abc123', 'def456\n'])).toBe('key=*** and ***');
  });

  it('a log stream writes its commands on lines of their own, masked', () => {
    let written = '';
    const stream = new LogStream(
      (text) => {
        written += text;
      },
      ['abc123'],
    );
    stream.command('::warning::first');
    stream.push('progress 10%');
    stream.command('::error::abc123 refused');
    stream.push('done\n');
    stream.command('::warning::last');
    expect(written).toBe('::warning::first\nprogress 10%\n::error::*** refused\ndone\n::warning::last\n');
  });
});
