/** Reading the CLI's --json result (the contract and today's shapes) and rendering the job summary. */
import { describe, expect, it } from 'vitest';
import { parseResult } from '../../src/action/result.js';
import { commitUrl, duration, renderSummary } from '../../src/action/summary.js';
import { annotation, escapeData, maskCommands, outputEntry, scrub } from '../../src/action/workflow.js';

const SHA = '2b66fd261ee5c6cfc8de7fa466bab600bcfe4f69';
const plan = { kind: 'deployment' as const, given: { services: ['checkout'] } };

describe('parseResult', () => {
  it('reads the contract: nanoseconds as strings, exactly', () => {
    const outcome = parseResult(
      JSON.stringify({
        ok: true,
        kind: 'deployment',
        id: 'abc',
        status: 202,
        attempts: 1,
        service: 'checkout',
        env: 'prod',
        started_at: '1795687200123456789',
        finished_at: '1795687260987654321',
        git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: SHA },
      }),
    );
    expect(outcome?.events).toEqual([
      expect.objectContaining({
        recorded: true,
        dryRun: false,
        id: 'abc',
        status: 202,
        service: 'checkout',
        env: 'prod',
        startedAt: 1795687200123456789n,
        finishedAt: 1795687260987654321n,
        repositoryUrl: 'https://github.com/acme/shop.git',
        commitSha: SHA,
      }),
    ]);
  });

  it("reads today's integers without losing digits", () => {
    const outcome = parseResult(
      '{"ok":true,"kind":"deployment","id":"abc","status":202,"started_at":1795687200123456789,"finished_at":1795687260987654321}',
    );
    expect(outcome?.events[0]?.startedAt).toBe(1795687200123456789n);
    expect(outcome?.events[0]?.finishedAt).toBe(1795687260987654321n);
  });

  it('reads a failure object, with its id when known', () => {
    const outcome = parseResult(
      '{"ok":false,"exit_code":4,"error":"no such deployment","kind":"deployment","id":"abc"}',
    );
    expect(outcome?.error).toBe('no such deployment');
    expect(outcome?.events[0]).toMatchObject({ recorded: false, id: 'abc', error: 'no such deployment' });
  });

  it('reads several events', () => {
    const outcome = parseResult(
      JSON.stringify({
        ok: false,
        events: [
          { ok: true, kind: 'deployment', id: 'a1', status: 202, service: 'api' },
          { ok: false, exit_code: 5, error: 'not delivered', kind: 'deployment', id: 'w1', service: 'worker' },
        ],
      }),
    );
    expect(outcome?.events.map((event) => [event.id, event.recorded, event.service])).toEqual([
      ['a1', true, 'api'],
      ['w1', false, 'worker'],
    ]);
  });

  it("reads both dry runs: the contract's request, and today's bare body", () => {
    const body = {
      data: {
        attributes: {
          service: 'checkout',
          env: 'prod',
          id: 'dry-id',
          started_at: 1795687200000000000,
          finished_at: 1795687230000000000,
        },
      },
    };
    const today = parseResult(JSON.stringify(body));
    expect(today?.events[0]).toMatchObject({
      dryRun: true,
      recorded: false,
      id: 'dry-id',
      service: 'checkout',
      startedAt: 1795687200000000000n,
    });
    const contract = parseResult(
      JSON.stringify({
        ok: true,
        dry_run: true,
        kind: 'deployment',
        id: 'dry-id',
        request: { method: 'POST', url: 'https://api.datadoghq.com/api/v2/dora/deployment', body },
      }),
    );
    expect(contract?.events[0]).toMatchObject({
      dryRun: true,
      recorded: false,
      id: 'dry-id',
      service: 'checkout',
      env: 'prod',
    });
  });

  it('is undefined for anything else', () => {
    for (const line of ['', 'deploying…', '{not json', '[1,2]', '{"hello":"world"}'])
      expect(parseResult(line)).toBeUndefined();
  });
});

describe('the job summary', () => {
  it('shows what was recorded, the commit linked, the window and its duration', () => {
    const outcome = parseResult(
      JSON.stringify({
        ok: true,
        kind: 'deployment',
        id: 'abc',
        status: 202,
        service: 'checkout',
        env: 'prod',
        version: '1.4.2',
        started_at: '1795687200123456789',
        finished_at: '1795690861000000000',
        git: { repository_url: 'git@github.com:acme/shop.git', commit_sha: SHA },
      }),
    );
    const summary = renderSummary({ plan, outcome, exitCode: 0, errors: [] });
    expect(summary).toBe(
      '### DORA deployment recorded\n\n' +
        '| | service | env | version | commit | window | id |\n| --- | --- | --- | --- | --- | --- | --- |\n' +
        `| ✅ | checkout | prod | 1.4.2 | [\`2b66fd2\`](https://github.com/acme/shop/commit/${SHA}) | ` +
        '2026-11-26T10:00:00.123Z → 11:01:01.000Z (1 h 1 min 0 s) | `abc` |\n',
    );
  });

  it("shows a failure and the CLI's message, made inert", () => {
    const summary = renderSummary({
      plan,
      outcome: undefined,
      exitCode: 4,
      errors: ['Rejected: service <b>|x</b> is [bad](http://evil)'],
    });
    expect(summary).toContain('### ❌ DORA deployment not recorded (exit code 4)');
    expect(summary).toContain('> Rejected: service &lt;b&gt;\\|x&lt;/b&gt; is \\[bad\\](http://evil)');
    expect(summary).toContain('| ❌ | checkout |');
  });

  it('one row per event when several were sent, each with its own mark', () => {
    const outcome = parseResult(
      JSON.stringify({
        ok: false,
        events: [
          { ok: true, kind: 'deployment', id: 'a1', service: 'api' },
          { ok: false, exit_code: 5, error: 'worker: not delivered', kind: 'deployment', id: 'w1', service: 'worker' },
        ],
      }),
    );
    const summary = renderSummary({ plan, outcome, exitCode: 5, errors: [] });
    expect(summary).toContain('> worker: not delivered');
    expect(summary).toContain('| ✅ | api |');
    expect(summary).toContain('| ❌ | worker |');
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

  it('writes durations a person reads', () => {
    expect(duration(1_234_567_890n)).toBe('1.234 s');
    expect(duration(61_000_000_000n)).toBe('1 min 1 s');
    expect(duration(3_723_000_000_000n)).toBe('1 h 2 min 3 s');
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
});
