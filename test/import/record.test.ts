import { describe, expect, it } from 'vitest';
import { deploymentBody } from '../../src/events/deployment.js';
import { failureBody } from '../../src/events/failure.js';
import { toJson } from '../../src/events/json.js';
import { numbersAsText } from '../../src/import/parse.js';
import { memberOf, normalizeRecord } from '../../src/import/record.js';

const normalize = (values: unknown) => normalizeRecord({ line: 7, values });
const fromJson = (text: string) => normalize(JSON.parse(numbersAsText(text)));
const SHA = 'a'.repeat(40);

describe('normalizeRecord', () => {
  it('reads the CLI names in snake case into the option values of dora deployment', () => {
    expect(
      normalize({
        service: 'shop',
        env: 'prod',
        version: '1.4.2',
        team: 'web',
        id: 'deploy-000000000001',
        started_at: '2026-11-26T09:55:00Z',
        finished_at: '2026-11-26T10:00:00Z',
        custom_tags: ['region:eu'],
        git_repository_url: 'https://github.com/o/shop',
        git_commit_sha: SHA,
      }),
    ).toEqual({
      ok: true,
      record: {
        line: 7,
        kind: 'deployment',
        flags: {
          service: ['shop'],
          env: 'prod',
          version: '1.4.2',
          team: 'web',
          id: 'deploy-000000000001',
          startedAt: '2026-11-26T09:55:00Z',
          finishedAt: '2026-11-26T10:00:00Z',
          customTags: ['region:eu'],
          gitRepositoryUrl: 'https://github.com/o/shop',
          gitCommitSha: SHA,
        },
      },
    });
  });

  it('reads the API attribute shape (git as an object)', () => {
    const result = normalize({
      service: 'shop',
      finished_at: '1795687200',
      git: { repository_url: 'https://github.com/o/shop', commit_sha: SHA },
    });
    expect(result.ok && result.record.flags).toMatchObject({
      gitRepositoryUrl: 'https://github.com/o/shop',
      gitCommitSha: SHA,
    });
  });

  it('reads the bodies dora deployment and dora incident print in a dry run, nanoseconds exact', () => {
    const deployment = toJson(
      deploymentBody({
        service: 'shop',
        startedAt: 1795687200123456789n,
        finishedAt: 1795687260987654321n,
        id: 'deploy-000000000001',
        env: 'prod',
        git: { repository_url: 'https://github.com/o/shop', commit_sha: SHA },
      }),
    );
    expect(fromJson(deployment)).toEqual({
      ok: true,
      record: {
        line: 7,
        kind: 'deployment',
        flags: {
          service: ['shop'],
          env: 'prod',
          id: 'deploy-000000000001',
          startedAt: '1795687200123456789',
          finishedAt: '1795687260987654321',
          gitRepositoryUrl: 'https://github.com/o/shop',
          gitCommitSha: SHA,
        },
      },
    });
    const incident = toJson(
      failureBody({
        services: ['shop', 'api'],
        startedAt: 1795687200000000000n,
        id: 'incident-00000000001',
        name: 'Down',
      }),
    );
    expect(fromJson(incident)).toMatchObject({
      ok: true,
      record: { kind: 'incident', flags: { service: ['shop', 'api'], name: 'Down', startedAt: '1795687200000000000' } },
    });
  });

  it('takes a kind beside the body, and infers an incident from services', () => {
    expect(
      normalize({ kind: 'incident', data: { attributes: { team: 'web', started_at: '1795687200' } } }),
    ).toMatchObject({
      ok: true,
      record: { kind: 'incident', flags: { team: 'web' } },
    });
    expect(normalize({ services: 'shop', started_at: '1795687200' })).toMatchObject({
      ok: true,
      record: { kind: 'incident', flags: { service: ['shop'] } },
    });
  });

  it('infers an incident from a team without a service (a team-only incident), a deployment from a service', () => {
    expect(normalize({ team: 'web', started_at: '1795687200' })).toMatchObject({
      ok: true,
      record: { kind: 'incident', flags: { team: 'web' } },
    });
    expect(normalize({ data: { attributes: { team: 'web', started_at: '1795687200' } } })).toMatchObject({
      ok: true,
      record: { kind: 'incident' },
    });
    expect(normalize({ service: 'shop', team: 'web', finished_at: '1795687200' })).toMatchObject({
      ok: true,
      record: { kind: 'deployment' },
    });
  });

  it('gives a deployment started_at = finished_at when it has no start, and needs finished_at', () => {
    expect(normalize({ service: 'shop', finished_at: '1795687200' })).toMatchObject({
      ok: true,
      record: { flags: { startedAt: '1795687200', finishedAt: '1795687200' } },
    });
    expect(normalize({ service: 'shop', started_at: '1795687200' })).toEqual({
      ok: false,
      problem: { line: 7, field: 'finished_at', reason: expect.stringMatching(/required.*history has no "now"/) },
    });
  });

  it('leaves an incident open when it has no finish', () => {
    const result = normalize({ kind: 'incident', services: ['shop'], started_at: '1795687200' });
    expect(result.ok && result.record.flags.finishedAt).toBeUndefined();
  });

  it('reads null as absent, as jq writes a missing value', () => {
    expect(
      normalize({ service: 'shop', finished_at: '1795687200', version: null, git: null, services: null }),
    ).toMatchObject({
      ok: true,
      record: { kind: 'deployment', flags: { service: ['shop'] } },
    });
  });

  it.each([
    [{ service: 'shop', finished_at: '1', colour: 'red' }, 'colour', /not a record field \(the fields: kind, service/],
    [
      { data: { attributes: { service: 's', finished_at: '1', when: 1 } } },
      'data.attributes.when',
      /not a record field/,
    ],
    [{ data: { attributes: {} }, service: 's' }, 'service', /not a member of a record given as/],
    [{ data: { type: 'x', attributes: {} } }, 'data.type', /data.attributes only/],
    [{ kind: 'rollback', service: 's', finished_at: '1' }, 'kind', /"deployment" or "incident"/],
    [{ service: ['a', 'b'], finished_at: '1' }, 'service', /one name/],
    [{ kind: 'deployment', services: ['a'], finished_at: '1' }, 'services', /belongs to incidents/],
    [{ service: 's', name: 'n', finished_at: '1' }, 'name', /belongs to incidents/],
    [{ kind: 'incident', service: 's', started_at: '1' }, 'service', /an incident names its services with services/],
    [{ service: 's', finished_at: '1', version: true }, 'version', /must be text, not boolean true/],
    [{ service: 's', finished_at: '1', custom_tags: 'a:b' }, 'custom_tags', /must be a list/],
    [{ service: 's', finished_at: '1', custom_tags: ['a:b', 3] }, 'custom_tags[1]', /must be text/],
    [
      { service: 's', finished_at: '1', git: { repository_url: 'u', branch: 'main' } },
      'git.branch',
      /repository_url and commit_sha/,
    ],
    [{ service: 's', finished_at: '1', git: { commit_sha: SHA }, git_commit_sha: SHA }, 'git', /give one/],
    [['service', 's'], '(record)', /must be an object/],
  ])('refuses %j, naming %s', (values, field, reason) => {
    const result = normalize(values);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.field).toBe(field);
      expect(result.problem.reason).toMatch(reason);
      expect(result.problem.line).toBe(7);
    }
  });

  it('names the record member of an option, for the input core to speak the file’s names', () => {
    expect(memberOf('startedAt')).toBe('started_at');
    expect(memberOf('gitCommitSha')).toBe('git_commit_sha');
    expect(memberOf('customTags')).toBe('custom_tags');
    expect(memberOf('service')).toBe('service');
  });
});
