/** List rows into typed events: exact times, the members beyond the published schema read when present. */
import { describe, expect, it } from 'vitest';
import { readPage } from '../../src/metrics/read.js';

const deploymentRow = (attributes: Record<string, unknown>) => ({
  id: 'dep-000000000000001',
  type: 'dora_deployment',
  attributes: {
    service: 'shop',
    started_at: '2026-11-26T10:00:00Z',
    finished_at: '2026-11-26T10:05:00.123456789Z',
    ...attributes,
  },
});

describe('readPage', () => {
  it('keeps nanoseconds exact and reads the documented members', () => {
    const [d] = readPage('deployment', {
      data: [
        deploymentRow({ env: 'prod', team: 'web', version: '1.2.3', git: { commit_sha: 'ABCDEF'.padEnd(40, '0') } }),
      ],
    });
    expect(d).toEqual({
      id: 'dep-000000000000001',
      service: 'shop',
      env: 'prod',
      team: 'web',
      version: '1.2.3',
      startedAt: 1_795_687_200_000_000_000n,
      finishedAt: 1_795_687_500_123_456_789n,
      commitSha: 'abcdef'.padEnd(40, '0'),
    });
  });

  it('reads change_failure, deployment_type, recovery_time_sec, remediation and commits when present', () => {
    const [d] = readPage('deployment', {
      data: [
        deploymentRow({
          change_failure: true,
          deployment_type: 'rollback',
          recovery_time_sec: 420,
          remediation: { id: 'fix-000000000000001', type: 'rollforward' },
          commits: [
            { commit_sha: 'b'.repeat(40), change_lead_time: 3600.5, time_to_deploy: 60 },
            { sha: 'c'.repeat(40) },
          ],
        }),
      ],
    });
    expect(d).toMatchObject({
      changeFailure: true,
      deploymentType: 'rollback',
      recoveryTimeSec: 420,
      remediationId: 'fix-000000000000001',
      commitLeadTimes: [3600.5], // the entry without a lead time is left out
    });
  });

  it('tells a null change_failure (not evaluated yet) from an absent one', () => {
    const [evaluated, absent] = readPage('deployment', {
      data: [deploymentRow({ change_failure: null }), deploymentRow({})],
    });
    expect(evaluated?.changeFailure).toBeNull();
    expect(absent && 'changeFailure' in absent).toBe(false);
  });

  it('counts an undocumented member of an unexpected shape as absent, not as an unreadable answer', () => {
    const [d] = readPage('deployment', {
      data: [deploymentRow({ change_failure: 'yes', recovery_time_sec: '420', commits: 'many', remediation: 7 })],
    });
    expect(d).not.toHaveProperty('changeFailure');
    expect(d).not.toHaveProperty('recoveryTimeSec');
    expect(d).not.toHaveProperty('commitLeadTimes');
    expect(d).not.toHaveProperty('remediationId');
  });

  it('refuses a row without a documented required member, with exit 5', () => {
    expect(() => readPage('deployment', { data: [{ id: 'x', attributes: { service: 'shop' } }] })).toThrow(
      expect.objectContaining({ exitCode: 5, message: expect.stringContaining('started_at') }),
    );
    expect(() => readPage('failure', { data: [{ id: 'x', attributes: { started_at: 'yesterday-ish' } }] })).toThrow(
      /time dora cannot read/,
    );
  });

  it('reads other RFC 3339 forms exactly, and refuses a date that does not exist', () => {
    const [d] = readPage('deployment', {
      data: [
        deploymentRow({ started_at: '2026-11-26T11:00:00.123456789+01:00', finished_at: '2026-11-26T10:00:00.5Z' }),
      ],
    });
    expect(d?.startedAt).toBe(1_795_687_200_123_456_789n);
    expect(d?.finishedAt).toBe(1_795_687_200_500_000_000n);
    const [four] = readPage('deployment', { data: [deploymentRow({ finished_at: '2026-11-26T10:00:00.1234Z' })] });
    expect(four?.finishedAt).toBe(1_795_687_200_123_400_000n);
    const [leap] = readPage('deployment', { data: [deploymentRow({ finished_at: '2028-02-29T23:59:59Z' })] });
    expect(leap?.finishedAt).toBe(BigInt(Date.UTC(2028, 1, 29, 23, 59, 59)) * 1_000_000n);
    expect(() => readPage('deployment', { data: [deploymentRow({ finished_at: '2026-02-29T00:00:00Z' })] })).toThrow(
      /cannot read/,
    );
    expect(() => readPage('deployment', { data: [deploymentRow({ finished_at: '2026-02-30T00:00:00Z' })] })).toThrow(
      /time dora cannot read \("2026-02-30T00:00:00Z"\)/,
    );
  });

  it('refuses a documented member of the wrong type, naming it', () => {
    expect(() => readPage('deployment', { data: [deploymentRow({ env: 42 })] })).toThrow(
      /shape dora does not know \(env\)/,
    );
    expect(() => readPage('deployment', { data: [deploymentRow({ git: 'abc' })] })).toThrow(/\(git\)/);
    expect(() =>
      readPage('failure', {
        data: [{ id: 'f', attributes: { started_at: '2026-11-26T10:00:00Z', services: 'shop' } }],
      }),
    ).toThrow(/\(services\)/);
  });

  it('reads failures open and resolved, with all their services', () => {
    const failures = readPage('failure', {
      data: [
        { id: 'f1', attributes: { started_at: '2026-11-26T10:00:00Z', services: ['shop', 'cart'], env: 'prod' } },
        {
          id: 'f2',
          attributes: {
            started_at: '2026-11-26T10:00:00Z',
            finished_at: '2026-11-26T11:00:00Z',
            services: null,
            team: 'web',
            time_to_restore: 3600,
          },
        },
      ],
    });
    expect(failures).toEqual([
      { id: 'f1', services: ['shop', 'cart'], env: 'prod', startedAt: 1_795_687_200_000_000_000n },
      {
        id: 'f2',
        services: [],
        team: 'web',
        startedAt: 1_795_687_200_000_000_000n,
        finishedAt: 1_795_690_800_000_000_000n,
      },
    ]);
  });
});
