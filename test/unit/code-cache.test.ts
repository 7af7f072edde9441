import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFileName, pruneStale, requireWithCodeCache, usableCacheDir } from '../../src/boot/code-cache.js';

describe('usableCacheDir', () => {
  it('creates a private folder', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dora-cc-')), 'cache');
    expect(usableCacheDir(dir)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a folder others may write to', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dora-cc-')), 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(usableCacheDir(dir)).toBe(false);
  });

  it('refuses a symlink, even to a private folder of ours, and a relative path', () => {
    const parent = mkdtempSync(join(tmpdir(), 'dora-cc-'));
    const real = join(parent, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(parent, 'link'));
    expect(usableCacheDir(join(parent, 'link'))).toBe(false);
    expect(usableCacheDir('relative-tmp/dora-cache')).toBe(false);
  });

  it('gives up at once where the parent cannot be created (this hung forever with recursive mkdir)', () => {
    expect(usableCacheDir('/proc/dora-no-such-dir/cache')).toBe(false);
  });
});

describe('requireWithCodeCache', () => {
  it('loads a CommonJS file with working relative requires, cache or no cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-cc-'));
    writeFileSync(join(dir, 'helper.js'), 'module.exports = 41;');
    writeFileSync(join(dir, 'entry.js'), 'exports.answer = require("./helper.js") + 1; exports.file = __filename;');
    const nearby = createRequire(join(dir, 'entry.js'));
    const loaded = requireWithCodeCache(
      join(dir, 'entry.js'),
      join(dir, 'cache'),
      nearby,
      'test-build',
      () => undefined,
    ) as { answer: number; file: string };
    expect(loaded.answer).toBe(42);
    expect(loaded.file).toBe(join(dir, 'entry.js'));
    const unusable = requireWithCodeCache(
      join(dir, 'entry.js'),
      '/proc/dora-no-such-dir/cache',
      nearby,
      'test-build',
      () => undefined,
    ) as { answer: number };
    expect(unusable.answer).toBe(42);
  });
});

describe('cacheFileName', () => {
  it('changes with the build, an edit after install, the install path and Node, so stale code is never reused', () => {
    const stats = { size: 138_047, mtimeMs: 499_162_500_000 };
    const original = cacheFileName('/a/dist/cli.js', stats, 'build-1', 'v20.20.2');
    expect(cacheFileName('/a/dist/cli.js', stats, 'build-2', 'v20.20.2')).not.toBe(original);
    expect(cacheFileName('/a/dist/cli.js', { ...stats, mtimeMs: stats.mtimeMs + 1 }, 'build-1', 'v20.20.2')).not.toBe(
      original,
    );
    expect(cacheFileName('/b/dist/cli.js', stats, 'build-1', 'v20.20.2')).not.toBe(original);
    expect(cacheFileName('/a/dist/cli.js', stats, 'build-1', 'v20.20.2')).toBe(original);
    expect(original).toMatch(/^cli\.js-[0-9a-f]{8}-[0-9a-f]{8}-v20\.20\.2\.v8cache$/);
  });
});

describe('pruneStale', () => {
  it('keeps only the current cache of this install for this Node version; other installs and Nodes keep theirs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-cc-'));
    const names = [
      'cli.js-1111aaaa-0000000a-v20.20.2.v8cache', // this install, an older build, same Node: removed
      'cli.js-1111aaaa-0000000b-v20.20.2.v8cache', // current
      'cli.js-2222bbbb-0000000a-v20.20.2.v8cache', // another install of dora on the machine: kept
      'cli.js-1111aaaa-0000000c-v22.1.0.v8cache', // another Node version: kept
      'notes.txt',
    ];
    for (const name of names) writeFileSync(join(dir, name), 'x');
    pruneStale(dir, 'cli.js-1111aaaa-0000000b-v20.20.2.v8cache');
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
  });

  it("is what a real load does: a second install does not remove the first one's cache", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-cc-'));
    const cache = join(dir, 'cache');
    for (const install of ['a', 'b']) {
      mkdirSync(join(dir, install));
      writeFileSync(join(dir, install, 'entry.js'), 'exports.answer = 42;');
    }
    const writers: Array<() => void> = [];
    const load = (install: string) =>
      requireWithCodeCache(
        join(dir, install, 'entry.js'),
        cache,
        createRequire(join(dir, install, 'entry.js')),
        'same-build',
        (write) => writers.push(write),
      );
    load('a');
    writers.shift()?.(); // caches are written at exit
    load('b');
    writers.shift()?.();
    expect(readdirSync(cache).filter((name) => name.endsWith('.v8cache'))).toHaveLength(2);
  });
});
