/**
 * What users get is the packed tarball, not this checkout: pack it, install it into an empty folder, and run the
 * installed binary. Catches a missing build output, a wrong .npmignore, or a runtime dependency that was never declared.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { runDora } from '../helpers/run-dora.js';

const root = new URL('../../', import.meta.url).pathname;
let installDir = '';
let copy = '';
let files: string[] = [];
let manifestAfterPack = '';
let manifestBefore = '';
let installLog = '';

beforeAll(() => {
  // Pack a copy of the checkout (tracked and new unignored files, this node_modules linked in) through npm's real lifecycle
  // (prepack builds): packing here would rebuild dist/ under parallel tests.
  copy = mkdtempSync(join(tmpdir(), 'dora-copy-'));
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of tracked) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(join(root, file), join(copy, file));
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const packDir = mkdtempSync(join(tmpdir(), 'dora-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: copy, encoding: 'utf8' });
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((file) => file.path);
  manifestAfterPack = readFileSync(join(copy, 'package.json'), 'utf8');
  manifestBefore = readFileSync(join(root, 'package.json'), 'utf8');
  installDir = mkdtempSync(join(tmpdir(), 'dora-install-'));
  writeFileSync(join(installDir, 'package.json'), '{"name":"consumer","private":true}');
  installLog = execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', join(packDir, info.filename)],
    { cwd: installDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}, 120_000);

describe('the published package', () => {
  it('ships what runs and nothing else', () => {
    expect(files).toContain('bin/dora.js');
    expect(files).toContain('dist/main.js');
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files.filter((file) => /^(src|test|scripts|\.ci)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });

  it('declares its engines and pulls in no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(installDir, 'node_modules/dora-cli/package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
      engines?: { node?: string };
      dependencies?: Record<string, string>;
      bin?: Record<string, string>;
    };
    expect(pkg.engines?.node).toBe('>=20.19');
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ dora: 'bin/dora.js' });
    expect(existsSync(join(installDir, 'node_modules/undici'))).toBe(false);
    // No install-time script: npm 11 would warn every user about one ("not yet covered by allowScripts").
    expect(pkg.scripts?.prepare).toBeUndefined();
    expect(installLog).not.toMatch(/install-scripts/);
  });

  it('leaves the package.json of the packed checkout as it was (nothing is rewritten at pack time)', () => {
    expect(manifestAfterPack).toBe(manifestBefore);
  });

  it('runs from the install: --version and a dry run', async () => {
    const bin = join(installDir, 'node_modules/dora-cli/bin/dora.js');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const version = await runDora(['--version'], { bin, cwd: installDir });
    expect(version.stdout.trim()).toBe(pkg.version);
    const dry = await runDora(['deployment', '--service', 'api', '--started-at', '1795687200', '--dry-run'], {
      bin,
      cwd: makePlainDir(),
    });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).data.attributes.started_at).toBe(1795687200000000000);
  });
});
