/** The check every imported record passes: the input core's rules, in the record's own words. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportRecord } from '../../src/import/record.js';
import { recordCheck } from '../../src/input/import.js';

const NOW = 1_800_000_000n * 1_000_000_000n;
const check = recordCheck(NOW, []);
const deployment = (flags: ImportRecord['flags']): ImportRecord => ({ line: 2, kind: 'deployment', flags });
const SHA = 'a'.repeat(40);

describe('recordCheck', () => {
  it('checks a deployment as dora deployment checks its flags, and gives the same event twice', () => {
    const record = deployment({
      service: ['shop'],
      env: 'prod',
      finishedAt: '2026-11-26T10:00:00Z',
      startedAt: '1795687100',
      gitRepositoryUrl: 'https://bot:tok3n@github.com/org/shop.git',
      gitCommitSha: SHA.toUpperCase(),
      customTags: ['tier:1'],
    });
    const first = check(record);
    expect(first).toEqual(check(record));
    expect(first).toMatchObject({
      ok: true,
      event: {
        kind: 'deployment',
        services: ['shop'],
        env: 'prod',
        startedAt: 1_795_687_100_000_000_000n,
        finishedAt: 1_795_687_200_000_000_000n,
        git: { repository_url: 'https://github.com/org/shop.git', commit_sha: SHA },
        customTags: ['tier:1'],
      },
    });
  });

  it('takes nothing from the environment: DD_SERVICE and DD_ENV do not fill a record', () => {
    process.env.DD_SERVICE = 'from-env';
    try {
      expect(check(deployment({ finishedAt: '1795687200', startedAt: '1795687200' }))).toEqual({
        ok: false,
        field: 'service',
        reason: 'is required: the service that was deployed',
      });
    } finally {
      delete process.env.DD_SERVICE;
    }
  });

  it.each([
    [{ service: ['shop'], finishedAt: '1795687200', startedAt: '1795687200', id: 'short' }, 'id', /16 to 128/],
    [{ service: ['sh\u0007op'], finishedAt: '1795687200', startedAt: '1795687200' }, 'service', /control/],
    [{ service: ['shop'], finishedAt: '1795687200', startedAt: '1795687300' }, 'started_at', /after finished_at/],
    [{ service: ['shop'], finishedAt: '1895687200', startedAt: '1795687200' }, 'finished_at', /ahead|future/],
    [
      { service: ['shop'], finishedAt: '1795687200', startedAt: '1795687200', gitCommitSha: SHA },
      'git_commit_sha',
      /needs git_repository_url/,
    ],
    [
      { service: ['shop'], finishedAt: '1795687200', startedAt: '1795687200', gitRepositoryUrl: '/srv/repo.git' },
      'git_repository_url',
      /./,
    ],
  ] as const)('refuses %j: field %s', (flags, field, reason) => {
    const checked = check(deployment({ ...flags, service: [...flags.service] }));
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.field).toBe(field);
      expect(checked.reason).toMatch(reason);
      expect(checked.reason).not.toMatch(/--[a-z]/);
    }
  });

  it('refuses every relative time form: history must not depend on when it is imported', () => {
    const relative = fc.oneof(
      fc.constantFrom('now', 'NOW', ' now '),
      fc
        .tuple(fc.integer({ min: 1, max: 9999 }), fc.constantFrom('s', 'm', 'h', 'd', 'w'))
        .map(([n, u]) => `-${n}${u}`),
    );
    fc.assert(
      fc.property(relative, fc.constantFrom('startedAt', 'finishedAt'), (value, flag) => {
        const flags = { service: ['shop'], startedAt: '1795687200', finishedAt: '1795687200', [flag]: value };
        const checked = check(deployment(flags));
        expect(checked).toMatchObject({ ok: false, field: flag === 'startedAt' ? 'started_at' : 'finished_at' });
        if (!checked.ok) expect(checked.reason).toMatch(/relative to now; history needs an absolute time/);
      }),
    );
  });

  it("names an incident's services as the record does", () => {
    const checked = check({ line: 3, kind: 'incident', flags: { startedAt: '1795687200' } });
    expect(checked).toMatchObject({ ok: false, field: 'services' });
  });
});

describe('recordCheck: credentials', () => {
  const KEY = 'f3a9c2e1d4b5a6978877665544332211';
  const withKey = recordCheck(NOW, [KEY]);
  const base = { service: ['shop'], startedAt: '2026-11-26T09:58:20Z', finishedAt: '2026-11-26T10:00:00Z' };

  it('refuses a record whose values hold a secret of this run, naming the member and never the secret', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('env', 'version', 'team', 'customTags', 'service'),
        fc.string({ maxLength: 8 }),
        fc.string({ maxLength: 8 }),
        (member, before, after) => {
          const value = `${before}${KEY}${after}`.replaceAll(',', '');
          const flags: ImportRecord['flags'] = {
            ...base,
            [member]:
              member === 'service' || member === 'customTags'
                ? [member === 'customTags' ? `k:${value}` : value]
                : value,
          };
          const result = withKey(deployment(flags));
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(JSON.stringify(result)).not.toContain(KEY);
          expect(result.reason).toMatch(/credential/);
        },
      ),
    );
  });

  it('refuses an incident whose name holds the secret', () => {
    const result = withKey({ line: 3, kind: 'incident', flags: { ...base, name: `db down, key ${KEY}` } });
    expect(result).toMatchObject({ ok: false, field: 'name' });
  });

  it('takes the same record when the run knows no such secret', () => {
    expect(check(deployment({ ...base, env: KEY })).ok).toBe(true);
  });
});
