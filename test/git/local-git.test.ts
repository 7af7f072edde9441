import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitProblem, readLocalGit } from '../../src/git/local.js';

describe('gitProblem', () => {
  it('says git is missing when it cannot be started, instead of "run inside the checkout"', () => {
    expect(gitProblem('ENOENT', '/work/shop/api')).toBe('git is not installed or not found on PATH');
  });

  it("names the repository's root in the safe.directory advice, as git does, not the subfolder", () => {
    const said =
      "fatal: detected dubious ownership in repository at '/srv/shop'\n" +
      'To add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /srv/shop\n';
    const problem = gitProblem(said, '/srv/shop/services/api');
    expect(problem).toContain('git config --global --add safe.directory /srv/shop`');
    expect(problem).not.toContain('/srv/shop/services/api');
  });

  it('says nothing for an ordinary "not a git repository"', () => {
    expect(gitProblem('fatal: not a git repository', '/tmp/x')).toBeUndefined();
  });
});

describe('readLocalGit on a real checkout', () => {
  it('reports HEAD and that a normal clone is not shallow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-local-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'one');
    const head = git('rev-parse', 'HEAD');
    const facts = await readLocalGit(dir, process.env);
    expect(facts.commitSha).toBe(head);
    expect(facts.shallow).toBe(false);
  });
});
