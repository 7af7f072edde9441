/**
 * What users get is the packed tarball, not this checkout: pack it, install it into an empty folder, and run the
 * installed binary. Catches a missing build output, a wrong .npmignore, or a runtime dependency that was never declared.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { runDora } from '../helpers/run-dora.js';

const root = new URL('../../', import.meta.url).pathname;
let installDir = '';
let files: string[] = [];

beforeAll(() => {
  const packDir = mkdtempSync(join(tmpdir(), 'dora-pack-'));
  // --ignore-scripts: the suite already built dist/; rebuilding here would pull it from under parallel tests.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], {
    cwd: root,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((file) => file.path);
  installDir = mkdtempSync(join(tmpdir(), 'dora-install-'));
  writeFileSync(join(installDir, 'package.json'), '{"name":"consumer","private":true}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(packDir, info.filename)], {
    cwd: installDir,
    stdio: 'ignore',
  });
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
      engines?: { node?: string };
      dependencies?: Record<string, string>;
      bin?: Record<string, string>;
    };
    expect(pkg.engines?.node).toBe('>=20.19');
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ dora: 'bin/dora.js' });
    expect(existsSync(join(installDir, 'node_modules/undici'))).toBe(false);
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
