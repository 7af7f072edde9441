import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { deploymentPayload } from '../../src/events/deployment.js';
import { failurePayload } from '../../src/events/failure.js';
import { toJson } from '../../src/events/json.js';

const base = {
  service: 'checkout',
  started_at: 1795687200123456789n,
  finished_at: 1795687260987654321n,
  id: 'deploy-0001-abcdefgh',
};

describe('toJson', () => {
  it('writes bigint as a bare integer and escapes strings like JSON.stringify', () => {
    const text = toJson({ a: 1795687200123456789n, b: 'quote " newline \n é ✓', c: [1, null, true], d: undefined });
    expect(text).toBe('{"a":1795687200123456789,"b":"quote \\" newline \\n é ✓","c":[1,null,true]}');
    expect(JSON.parse(text).b).toBe('quote " newline \n é ✓');
  });
});

describe('deploymentPayload', () => {
  it('wraps attributes as data.attributes, dropping what was not given', () => {
    const body = toJson(deploymentPayload({ ...base, env: undefined, custom_tags: [] }));
    expect(body).toBe(
      '{"data":{"attributes":{"service":"checkout","started_at":1795687200123456789,' +
        '"finished_at":1795687260987654321,"id":"deploy-0001-abcdefgh"}}}',
    );
  });

  it('carries every optional field the API model knows', () => {
    const payload = deploymentPayload({
      ...base,
      env: 'prod',
      version: '1.4.2',
      team: 'shop',
      custom_tags: ['region:eu', 'url:https://x'],
      git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: 'a'.repeat(40) },
    }) as { data: { attributes: Record<string, unknown> } };
    expect(Object.keys(payload.data.attributes).sort()).toEqual(
      ['custom_tags', 'env', 'finished_at', 'git', 'id', 'service', 'started_at', 'team', 'version'].sort(),
    );
  });

  it.each([
    [{ service: '' }, /--service/],
    [{ service: '   ' }, /--service/],
    [{ env: 'x'.repeat(201) }, /--env .*longer than 200/],
    [{ id: 'too-short' }, /--id must be 16 to 128/],
    [{ id: 'has spaces in it, sadly' }, /--id/],
    [{ id: 'x'.repeat(129) }, /--id/],
    [{ custom_tags: ['novalue'] }, /key:value/],
    [{ custom_tags: [':value'] }, /key:value/],
    [{ custom_tags: ['key:'] }, /key:value/],
    [{ custom_tags: Array.from({ length: 101 }, (_, i) => `k${i}:v`) }, /at most 100/],
    [{ started_at: 1795687300000000000n }, /after --finished-at/],
  ])('refuses bad attributes (case %#)', (override, message) => {
    expect(() => deploymentPayload({ ...base, ...override })).toThrow(UsageError);
    expect(() => deploymentPayload({ ...base, ...override })).toThrow(message);
  });

  it('accepts exactly 100 tags and ids of 16 and 128 characters', () => {
    const tags = Array.from({ length: 100 }, (_, i) => `k${i}:v`);
    expect(() => deploymentPayload({ ...base, custom_tags: tags })).not.toThrow();
    expect(() => deploymentPayload({ ...base, id: 'a'.repeat(16) })).not.toThrow();
    expect(() => deploymentPayload({ ...base, id: 'A-z_0.9:'.repeat(16) })).not.toThrow();
  });
});

describe('failurePayload', () => {
  const incident = { started_at: 1795687200000000000n, id: 'incident-0001-abcd' };

  it('opens without finished_at and resolves with it', () => {
    const open = toJson(failurePayload({ ...incident, services: ['a', 'b'], team: 'shop' }));
    expect(open).toBe(
      '{"data":{"attributes":{"services":["a","b"],"team":"shop","started_at":1795687200000000000,"id":"incident-0001-abcd"}}}',
    );
    const resolved = failurePayload({ ...incident, services: ['a'], finished_at: 1795687500000000001n }) as {
      data: { attributes: Record<string, unknown> };
    };
    expect(resolved.data.attributes.finished_at).toBe(1795687500000000001n);
  });

  it('needs a service or a team', () => {
    expect(() => failurePayload({ ...incident })).toThrow(/--service .*or a --team/);
    expect(() => failurePayload({ ...incident, team: 'shop' })).not.toThrow();
  });

  it('refuses a resolution before the start and an oversized name', () => {
    expect(() => failurePayload({ ...incident, team: 't', finished_at: 1n })).toThrow(/after --finished-at/);
    expect(() => failurePayload({ ...incident, team: 't', name: 'n'.repeat(1025) })).toThrow(/--name/);
  });
});
