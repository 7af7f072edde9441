/** Real temporary git repositories for end-to-end tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempRepo {
  dir: string;
  head: string;
}

export function makeRepo(remote?: string): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'dora-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.invalid',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.invalid',
      },
    }).trim();
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'first');
  if (remote) git('remote', 'add', 'origin', remote);
  return { dir, head: git('rev-parse', 'HEAD') };
}

/** A folder that is certainly not inside a git checkout. */
export function makePlainDir(): string {
  return mkdtempSync(join(tmpdir(), 'dora-plain-'));
}
