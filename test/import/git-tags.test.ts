import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { type GitRunner, gitTagRecords, parseDuration, tagReader } from '../../src/import/git-tags.js';
import { planImport } from '../../src/import/plan.js';
import { standInValidate } from './stand-in.js';

const T0 = 1_767_261_600; // 2026-01-01T10:00:00Z

/** git in `dir` with a fixed identity and the dates asked for (commits and annotated tags take the committer date). */
function gitIn(dir: string) {
  return (args: string[], date?: number) =>
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
        ...(date !== undefined ? { GIT_AUTHOR_DATE: `@${date} +0000`, GIT_COMMITTER_DATE: `@${date} +0200` } : {}),
      },
    }).trim();
}

interface Repo {
  dir: string;
  git: ReturnType<typeof gitIn>;
  commits: string[];
}

/**
 * Three commits an hour apart; tags: v1.0 (lightweight), v1.1 (annotated a day after its commit), v1.2/rc1 (a slash:
 * `*` matches it in git tag --list), v2.0 (annotated), tree-1 (a tag of a tree, not a commit).
 */
function makeTaggedRepo(): Repo {
  const dir = mkdtempSync(join(tmpdir(), 'dora-tags-'));
  const git = gitIn(dir);
  git(['init', '-q']);
  const commits: string[] = [];
  for (const [index, message] of ['one', 'two', 'three'].entries()) {
    git(['commit', '-q', '--allow-empty', '-m', message], T0 + index * 3600);
    commits.push(git(['rev-parse', 'HEAD']));
  }
  git(['tag', 'v1.0', commits[0] as string]);
  git(['tag', '-a', 'v1.1', '-m', 'release 1.1', commits[1] as string], T0 + 86_400);
  git(['tag', 'v1.2/rc1', commits[2] as string]);
  git(['tag', '-a', 'v2.0', '-m', 'release 2', commits[2] as string], T0 + 2 * 86_400);
  git(['tag', '-a', 'tree-1', '-m', 'a tree', `${commits[2]}^{tree}`], T0);
  return { dir, git, commits };
}

let repo: Repo;
beforeAll(() => {
  repo = makeTaggedRepo();
});

/** The real runner, counting its git processes. */
function counting() {
  const calls: string[][] = [];
  const run: GitRunner = (args, options) => {
    calls.push([...args]);
    return tagReader(process.env)(args, options);
  };
  return { run, calls };
}

describe('gitTagRecords', () => {
  it('makes one deployment per tag: version = tag, the commit, the tagger date of an annotated tag, else the commit date', async () => {
    const { run, calls } = counting();
    const tags = await gitTagRecords({
      glob: 'v*',
      cwd: repo.dir,
      run,
      service: 'shop',
      duration: '5m',
      repositoryUrl: 'https://github.com/o/shop',
      shared: { env: 'prod' },
    });
    expect(calls).toHaveLength(2);
    expect(tags.gitDir).toBe(join(repo.dir, '.git'));
    const [c0, c1, c2] = repo.commits;
    const expected = (tag: string, sha: string | undefined, finished: number) => ({
      tag,
      kind: 'deployment',
      flags: {
        service: ['shop'],
        env: 'prod',
        version: tag,
        gitCommitSha: sha,
        gitRepositoryUrl: 'https://github.com/o/shop',
        startedAt: String(finished - 300),
        finishedAt: String(finished),
      },
    });
    expect(tags.records.map(({ line: _line, ...record }) => record)).toEqual([
      expected('v1.0', c0, T0),
      expected('v1.1', c1, T0 + 86_400),
      expected('v1.2/rc1', c2, T0 + 7200),
      expected('v2.0', c2, T0 + 2 * 86_400),
    ]);
    expect(tags.records.map((record) => record.line)).toEqual([1, 2, 3, 4]);
  });

  it.each(['v1.*', 'v1.?', 'v[12].0', '*rc*', 'v2.0', '*'])(
    'matches %s exactly as git tag --list does',
    async (glob) => {
      const tags = await gitTagRecords({ glob, cwd: repo.dir, run: tagReader(process.env), service: 'shop' }).catch(
        () => undefined,
      );
      const listed = repo.git(['tag', '--list', glob]).split('\n').filter(Boolean);
      const commitTags = listed.filter((tag) => tag !== 'tree-1');
      expect(tags?.records.map((record) => record.tag) ?? []).toEqual(commitTags);
    },
  );

  it('leaves out a tag that points at no commit, saying why', async () => {
    const tags = await gitTagRecords({ glob: '*', cwd: repo.dir, run: tagReader(process.env), service: 'shop' });
    expect(tags.skipped).toEqual([{ tag: 'tree-1', reason: 'points at a tree, not a commit' }]);
  });

  it('leaves out a tag of a tag, as the README says', async () => {
    repo.git(['tag', '-a', 'nested', '-m', 'a tag of a tag', 'v2.0']);
    try {
      const tags = await gitTagRecords({
        glob: 'nested',
        cwd: repo.dir,
        run: tagReader(process.env),
        service: 'shop',
      }).catch((error: Error) => error);
      expect(tags).toBeInstanceOf(Error);
      expect((tags as Error).message).toMatch(/No tag matching "nested" points at a commit/);
    } finally {
      repo.git(['tag', '-d', 'nested']);
    }
  });

  it('makes records the event rules accept, and a plan with one second per tag', async () => {
    const tags = await gitTagRecords({
      glob: 'v*',
      cwd: repo.dir,
      run: tagReader(process.env),
      service: 'shop',
      repositoryUrl: 'https://github.com/o/shop',
    });
    const validate = standInValidate(BigInt(T0 + 365 * 86_400) * 1_000_000_000n, []);
    const checked = tags.records.map((record) => ({ record, result: validate(record) }));
    expect(checked.filter(({ result }) => !result.ok)).toEqual([]);
    const plan = planImport(
      checked.map(({ record, result }) => ({
        line: record.line,
        tag: record.tag as string,
        event: (result as { ok: true; event: never }).event,
      })),
    );
    expect(plan.records.map((record) => record.tag)).toEqual(['v1.0', 'v1.2/rc1', 'v1.1', 'v2.0']);
    expect(plan.moves).toEqual([]);
  });

  it('refuses a shallow clone, giving the git fetch that fixes it', async () => {
    const shallow = mkdtempSync(join(tmpdir(), 'dora-shallow-'));
    repo.git(['clone', '-q', '--depth', '1', `file://${repo.dir}`, shallow]);
    const error = await gitTagRecords({ glob: 'v*', cwd: shallow, run: tagReader(process.env), service: 'shop' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/shallow clone/);
    expect(error.message).toContain('git fetch --unshallow --tags');
  });

  it('refuses a glob no tag matches, giving the git fetch that brings tags', async () => {
    const error = await gitTagRecords({
      glob: 'release-*',
      cwd: repo.dir,
      run: tagReader(process.env),
      service: 'shop',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/No tag matches "release-\*"/);
    expect(error.message).toContain('git fetch --tags');
  });

  it('takes a glob that starts with "-" as a glob, not as an option of git', async () => {
    // Read as an option, this would list every tag, sorted.
    const error = await gitTagRecords({
      glob: '--sort=-refname',
      cwd: repo.dir,
      run: tagReader(process.env),
      service: 'shop',
    }).catch((e) => e);
    expect(error.message).toMatch(/No tag matches "--sort=-refname"/);
  });

  it('refuses a folder that is not a checkout', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'dora-plain-'));
    await expect(
      gitTagRecords({ glob: 'v*', cwd: plain, run: tagReader(process.env), service: 'shop' }),
    ).rejects.toThrow(/not one: not a git repository/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0n],
    ['90', 90n],
    ['30s', 30n],
    ['5m', 300n],
    ['2h', 7200n],
    ['1d', 86_400n],
    [' 15m ', 900n],
  ])('%s is %s seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['-5m', '1.5h', '5 m', '2w', '', 'soon'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/--duration: .* is not a duration/);
  });
});
