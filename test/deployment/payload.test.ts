import { describe, expect, it } from 'vitest';
import { deploymentBody } from '../../src/events/deployment.js';
import { failureBody } from '../../src/events/failure.js';
import { toJson } from '../../src/events/json.js';

const base = {
  service: 'checkout',
  startedAt: 1795687200123456789n,
  finishedAt: 1795687260987654321n,
  id: 'deploy-0001-abcdefgh',
};

describe('toJson', () => {
  it('writes bigint as a bare integer and escapes strings like JSON.stringify', () => {
    const text = toJson({ a: 1795687200123456789n, b: 'quote " newline \n é ✓', c: [1, null, true], d: undefined });
    expect(text).toBe('{"a":1795687200123456789,"b":"quote \\" newline \\n é ✓","c":[1,null,true]}');
    expect(JSON.parse(text).b).toBe('quote " newline \n é ✓');
  });
});

describe('deploymentBody', () => {
  it('wraps attributes as data.attributes, dropping what was not given', () => {
    const body = toJson(deploymentBody({ ...base, customTags: [] }));
    expect(body).toBe(
      '{"data":{"attributes":{"service":"checkout","started_at":1795687200123456789,' +
        '"finished_at":1795687260987654321,"id":"deploy-0001-abcdefgh"}}}',
    );
  });

  it('carries every optional field the API model knows, under its wire name', () => {
    const payload = deploymentBody({
      ...base,
      env: 'prod',
      version: '1.4.2',
      team: 'shop',
      customTags: ['region:eu', 'url:https://x'],
      git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: 'a'.repeat(40) },
    }) as { data: { attributes: Record<string, unknown> } };
    expect(Object.keys(payload.data.attributes).sort()).toEqual(
      ['custom_tags', 'env', 'finished_at', 'git', 'id', 'service', 'started_at', 'team', 'version'].sort(),
    );
  });
});

describe('failureBody', () => {
  const incident = { startedAt: 1795687200000000000n, id: 'incident-0001-abcd' };

  it('opens without finished_at and resolves with it', () => {
    const open = toJson(failureBody({ ...incident, services: ['a', 'b'], team: 'shop' }));
    expect(open).toBe(
      '{"data":{"attributes":{"services":["a","b"],"team":"shop","started_at":1795687200000000000,"id":"incident-0001-abcd"}}}',
    );
    const resolved = failureBody({ ...incident, services: ['a'], finishedAt: 1795687500000000001n }) as {
      data: { attributes: Record<string, unknown> };
    };
    expect(resolved.data.attributes.finished_at).toBe(1795687500000000001n);
  });

  it('leaves out an empty service list when a team alone names the incident', () => {
    expect(toJson(failureBody({ ...incident, services: [], team: 'sre' }))).not.toContain('services');
  });
});
