/**
 * Lead time from the local history, on real temporary repositories: merges, several deployments of one commit, a
 * rollback, a deployment of a commit the checkout lacks, and the reasons when the local path cannot apply.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/metrics/compute.js';
import { type GitRunner, gitLeadTime, leadTimesFrom, parseHistory } from '../../src/metrics/git-lead-time.js';
import { gitRunner } from '../../src/metrics/git-runner.js';
import type { Deployment } from '../../src/metrics/types.js';

const T0 = 1_795_000_000; // seconds; 2026-11-17T07:46:40Z
const HOUR_S = 3600;
const NS = 1_000_000_000n;
const folders: string[] = [];

function folder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** A repository whose commits are authored at the given offsets (hours after T0), returning each commit's sha. */
function history(): { dir: string; sha: Record<string, string> } {
  const dir = folder('dora-metrics-repo-');
  const git = (args: string[], hours = 0) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.invalid',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.invalid',
        GIT_AUTHOR_DATE: `@${T0 + hours * HOUR_S} +0000`,
        // Committer times run backwards, so nothing can lean on them: the author time is what counts.
        GIT_COMMITTER_DATE: `@${T0 + 100 * HOUR_S - hours * HOUR_S} +0000`,
      },
    }).trim();
  const sha: Record<string, string> = {};
  const commit = (name: string, hours: number) => {
    git(['commit', '-q', '--allow-empty', '-m', name], hours);
    sha[name] = git(['rev-parse', 'HEAD']);
  };
  git(['init', '-q', '-b', 'main']);
  commit('c1', 0);
  commit('c2', 1);
  git(['checkout', '-q', '-b', 'feature']);
  commit('c3', 2);
  git(['checkout', '-q', 'main']);
  commit('c4', 3);
  git(['merge', '-q', '--no-ff', 'feature', '-m', 'm5'], 4);
  sha.m5 = git(['rev-parse', 'HEAD']);
  commit('c6', 5);
  return { dir, sha };
}

const deployed = (id: string, sha: string | undefined, hours: number, env = 'prod'): Deployment => ({
  id,
  service: 'shop',
  env,
  startedAt: BigInt(T0 + hours * HOUR_S - 60) * NS,
  finishedAt: BigInt(T0 + hours * HOUR_S) * NS,
  ...(sha === undefined ? {} : { commitSha: sha }),
});

const runnerIn = (cwd: string, env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: cwd }) =>
  gitRunner({ cwd, env });

let repo: { dir: string; sha: Record<string, string> };
beforeAll(() => {
  repo = history();
});
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('gitLeadTime on a real repository', () => {
  it('counts the commits between consecutive deployments, merges included, each once, with the earliest deployment', async () => {
    const { sha } = repo;
    const deployments = [
      deployed('A-first', sha.c1, 6), // first of shop/prod: skipped
      deployed('B-merge', sha.m5, 10), // c2, c3 (merged branch), c4, m5
      deployed('C-next', sha.c6, 12), // c6
      deployed('D-again', sha.c6, 13), // the same commit: nothing new
      deployed('E-rollback', sha.c4, 14), // an ancestor: nothing new
      deployed('F-forward', sha.c6, 15), // c3, m5, c6 again: already counted with B and C
      deployed('G-unknown', 'dead'.repeat(10), 16), // a commit this checkout lacks: skipped
      deployed('H-after', sha.c6, 17), // its predecessor's commit is unknown: skipped
      deployed('I-no-sha', undefined, 18), // names no commit: skipped
    ];
    const result = await gitLeadTime(deployments, runnerIn(repo.dir));
    if (!result.available) throw new Error(result.reason);
    expect([...result.skipped].sort()).toEqual(['A-first', 'G-unknown', 'H-after', 'I-no-sha']);
    const hours = (id: string) => [...(result.byDeployment.get(id) ?? [])].map((s) => s / HOUR_S).sort();
    expect(hours('B-merge')).toEqual([6, 7, 8, 9]); // 10 h minus the authoring hours 4, 3, 2, 1
    expect(hours('C-next')).toEqual([7]);
    expect(hours('D-again')).toEqual([]);
    expect(hours('E-rollback')).toEqual([]);
    expect(hours('F-forward')).toEqual([]);

    const report = computeMetrics({
      window: { since: BigInt(T0) * NS, until: BigInt(T0 + 20 * HOUR_S) * NS },
      filters: { service: [] },
      deployments,
      failures: [],
      localLeadTime: result,
    });
    // 6 7 7 8 9 hours: the median is the third, p90 the ⌈4.5⌉ = 5th.
    expect(report.metrics.change_lead_time).toEqual({
      median_s: 7 * HOUR_S,
      p90_s: 9 * HOUR_S,
      commits: 5,
      source: 'git',
      skipped_deployments: 4,
      level: 'elite',
    });
  });

  it('works out each service and env apart: a commit counts once in each', async () => {
    const { sha } = repo;
    const result = await gitLeadTime(
      [
        deployed('prod-1', sha.c2, 6),
        deployed('prod-2', sha.c6, 10),
        deployed('staging-1', sha.c1, 6, 'staging'),
        deployed('staging-2', sha.c4, 7, 'staging'),
        deployed('staging-3', sha.c6, 8, 'staging'),
      ],
      runnerIn(repo.dir),
    );
    if (!result.available) throw new Error(result.reason);
    const hours = (id: string) => [...(result.byDeployment.get(id) ?? [])].map((s) => s / HOUR_S).sort();
    expect(hours('prod-2')).toEqual([5, 6, 7, 8]); // c3, c4, m5, c6 at 10 h
    expect(hours('staging-2')).toEqual([4, 6]); // c2, c4 at 7 h
    expect(hours('staging-3')).toEqual([3, 4, 6]); // c6, m5, c3 at 8 h: c2 and c4 already counted
    expect([...result.skipped].sort()).toEqual(['prod-1', 'staging-1']);
  });

  it('asks git twice, whatever the number of deployments', async () => {
    const calls: string[] = [];
    const real = runnerIn(repo.dir);
    const counting: GitRunner = (args, input) => {
      calls.push(args.find((arg) => arg === 'cat-file' || arg === 'log') ?? args.join(' '));
      return real(args, input);
    };
    const many = Array.from({ length: 200 }, (_, i) =>
      deployed(`d-${i}`, [repo.sha.c1, repo.sha.c4, repo.sha.c6][i % 3], 6 + i),
    );
    const result = await gitLeadTime(many, counting);
    expect(result.available).toBe(true);
    expect(calls).toEqual(['cat-file', 'log']);
  });
});

describe('gitLeadTime says why the local path does not apply', () => {
  it('outside a git checkout', async () => {
    const plain = folder('dora-metrics-plain-');
    const result = await gitLeadTime(
      [deployed('x', repo.sha.c1, 1)],
      runnerIn(plain, { PATH: process.env.PATH, HOME: plain, GIT_CEILING_DIRECTORIES: plain }),
    );
    expect(result).toEqual({ available: false, reason: 'no commit data from Datadog, and no git checkout here' });
  });

  it('in a checkout that has none of the deployed commits', async () => {
    const result = await gitLeadTime(
      [deployed('x', 'f'.repeat(40), 1), deployed('y', 'e'.repeat(40), 2)],
      runnerIn(repo.dir),
    );
    expect(result).toEqual({
      available: false,
      reason: 'no commit data from Datadog, and the git checkout here holds none of the 2 deployed commits',
    });
  });

  it('without git', async () => {
    const result = await gitLeadTime(
      [deployed('x', repo.sha.c1, 1)],
      runnerIn(repo.dir, { PATH: folder('dora-no-git-') }),
    );
    expect(result).toEqual({
      available: false,
      reason: 'no commit data from Datadog, and git could not run here (git is not installed, or this folder is gone)',
    });
  });

  it('when git fails or is stopped, in plain words', async () => {
    const failing: GitRunner = async () => ({
      stdout: '',
      stderr: '\u001b[31mfatal: detected <dubious> ownership\n',
      code: 128,
    });
    expect(await gitLeadTime([deployed('x', repo.sha.c1, 1)], failing)).toEqual({
      available: false,
      reason:
        'no commit data from Datadog, and git could not read the history here (fatal: detected dubious ownership)',
    });
    const stopped: GitRunner = async () => ({ stdout: '', stderr: '', code: null });
    expect(await gitLeadTime([deployed('x', repo.sha.c1, 1)], stopped)).toEqual({
      available: false,
      reason: 'no commit data from Datadog, and git was stopped before it had read the history (it took too long)',
    });
  });

  it('when no deployment names a commit', async () => {
    const result = await gitLeadTime([deployed('x', undefined, 1)], runnerIn(repo.dir));
    expect(result).toEqual({
      available: false,
      reason: 'no commit data from Datadog, and no deployment of the window names a commit',
    });
  });
});

describe('the range walk against git itself', () => {
  it('lists for every pair of commits what `git rev-list old..new` lists', async () => {
    const run = runnerIn(repo.dir);
    const log = await run(['log', '--topo-order', '--format=%H %at %P', '--all'], '');
    const graph = parseHistory(log.stdout);
    const names = Object.keys(repo.sha);
    for (const newer of names) {
      for (const older of names) {
        const deployments = [deployed('old', repo.sha[older], 10), deployed('new', repo.sha[newer], 20)];
        const ours = leadTimesFrom(deployments, graph);
        if (!ours.available) throw new Error('unexpected');
        const count = ours.byDeployment.get('new')?.length;
        const theirs = execFileSync('git', ['rev-list', '--count', `${repo.sha[older]}..${repo.sha[newer]}`], {
          cwd: repo.dir,
          encoding: 'utf8',
        }).trim();
        expect([newer, older, count]).toEqual([newer, older, Number(theirs)]);
      }
    }
  });
});

describe('the range walk on generated histories', () => {
  it('finds exactly the ancestors of the newer commit that are not ancestors of the older one', () => {
    fc.assert(
      fc.property(
        // Commit i has up to two parents among commits 0..i-1 (i = 0 is a root; others may be roots too).
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.nat(),
        (shape, a, b) => {
          const parents = shape.map(([p, q, count], i) =>
            i === 0 ? [] : [...new Set([p % i, q % i].slice(0, count))],
          );
          const name = (i: number) => i.toString(16).padStart(40, '0');
          // Topological order for git log: children first, so newest index first.
          const log = parents
            .map((ps, i) => `${name(i)} ${T0 + i} ${ps.map(name).join(' ')}`.trimEnd())
            .reverse()
            .join('\n');
          const graph = parseHistory(log);
          const ancestors = (start: number) => {
            const seen = new Set<number>([start]);
            const stack = [start];
            while (stack.length > 0)
              for (const p of parents[stack.pop() as number] ?? []) if (!seen.has(p)) seen.add(p) && stack.push(p);
            return seen;
          };
          const newer = a % parents.length;
          const older = b % parents.length;
          const fromOlder = ancestors(older);
          const expected = [...ancestors(newer)]
            .filter((c) => !fromOlder.has(c))
            .map((c) => T0 + 100 - (T0 + c))
            .sort();
          const result = leadTimesFrom(
            [
              { id: 'old', service: 's', startedAt: 0n, finishedAt: BigInt(T0 + 50) * NS, commitSha: name(older) },
              { id: 'new', service: 's', startedAt: 0n, finishedAt: BigInt(T0 + 100) * NS, commitSha: name(newer) },
            ],
            graph,
          );
          if (!result.available) throw new Error('unexpected');
          expect([...(result.byDeployment.get('new') ?? [])].sort()).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
