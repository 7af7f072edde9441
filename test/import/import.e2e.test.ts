/**
 * `dora import` as users run it: the built CLI against a stand-in DORA API on 127.0.0.1 that keeps state and
 * announces its rate limit, with files, stdin and the tags of a real git checkout.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doraApi } from '../helpers/dora-api.js';
import { makeRepo } from '../helpers/git-repo.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { type RateLimitedApi, rateLimitedApi } from '../helpers/rate-limited-api.js';
import { runDora } from '../helpers/run-dora.js';

const T0 = 1_795_687_200; // 2026-11-26T10:00:00Z
const API_KEY = 'a'.repeat(32);
const APP_KEY = 'b'.repeat(40);

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

async function serve(server: RateLimitedApi): Promise<string> {
  intake = await startIntake((request) =>
    server.answer({ method: request.method, path: request.path, body: request.body, headers: request.headers }),
  );
  return intake.url;
}

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dora-import-e2e-')), name);
  writeFileSync(path, text);
  return path;
}

const env = (url: string, extra: Record<string, string> = {}) => ({ DORA_API_URL: url, DD_API_KEY: API_KEY, ...extra });

describe('dora import', () => {
  it('imports a file oldest first with --json; the same import again sends nothing', async () => {
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    const records = [
      { service: 'shop', env: 'prod', version: '1.2', finished_at: T0 + 120 },
      { service: 'shop', env: 'prod', version: '1.0', finished_at: T0 },
      { kind: 'incident', services: ['shop'], env: 'prod', started_at: T0 + 30, finished_at: T0 + 90, name: 'down' },
      { service: 'shop', env: 'prod', version: '1.1', started_at: T0 + 50, finished_at: T0 + 60 },
    ];
    const path = file('deploys.jsonl', records.map((record) => JSON.stringify(record)).join('\n'));
    const first = await runDora(['import', path, '--json'], { env: env(url) });
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({ ok: true, exit_code: 0, total: 4, recorded: 4, already_recorded: 0, refused: [] });
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    // Oldest first by finish, the same bodies `dora deployment` would send (exact nanoseconds).
    const shop = server.writes.filter((write) => write.attributes.service === 'shop');
    expect(shop.map((write) => write.attributes.version)).toEqual(['1.0', '1.1', '1.2']);
    expect(shop[1]?.attributes).toMatchObject({
      started_at: `${T0 + 50}000000000`,
      finished_at: `${T0 + 60}000000000`,
      env: 'prod',
    });
    expect(server.writes.find((write) => write.attributes.name === 'down')?.attributes.services).toEqual(['shop']);

    const again = await runDora(['import', path, '--json'], { env: env(url) });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, recorded: 0, already_recorded: 4 });
    expect(server.writes).toHaveLength(4);
  });

  it('from another machine (no journal), with an application key: what Datadog holds is skipped', async () => {
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    const text = [T0, T0 + 60, T0 + 120].map((t) => JSON.stringify({ service: 'api', finished_at: t })).join('\n');
    expect((await runDora(['import', file('a.jsonl', text)], { env: env(url) })).code).toBe(0);
    const elsewhere = await runDora(['import', file('b.jsonl', text), '--json'], {
      env: env(url, { DD_APP_KEY: APP_KEY }),
    });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({ recorded: 0, already_recorded: 3 });
    expect(server.writes).toHaveLength(3);
  });

  it.each([
    [403, 'the application key may not list events'],
    [500, 'the listing fails'],
  ])('goes on with the journal when the check of Datadog cannot be made (%i: %s)', async (status) => {
    const server = rateLimitedApi(doraApi());
    intake = await startIntake((request) =>
      // Lists are POSTs to the plural paths (/api/v2/dora/deployments); writes go to the singular ones.
      /s$/.test(request.path)
        ? { status, body: '{"errors":["no"]}', headers: { 'content-type': 'application/json' } }
        : server.answer({ method: request.method, path: request.path, body: request.body, headers: request.headers }),
    );
    const text = [T0, T0 + 60].map((t) => JSON.stringify({ service: 'api', finished_at: t })).join('\n');
    const path = file('a.jsonl', text);
    const run = await runDora(['import', path, '--json'], {
      env: env(intake.url, { DD_APP_KEY: APP_KEY, DORA_MAX_ATTEMPTS: '1' }),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, recorded: 2 });
    expect(run.stderr).toMatch(
      new RegExp(`Could not check Datadog for records it already holds \\(.*${status}.*\\); relying on the journal`),
    );
    const again = await runDora(['import', path, '--json'], {
      env: env(intake.url, { DD_APP_KEY: APP_KEY, DORA_MAX_ATTEMPTS: '1' }),
    });
    expect(JSON.parse(again.stdout)).toMatchObject({ recorded: 0, already_recorded: 2 });
    expect(server.writes).toHaveLength(2);
  });

  it('bounds the check of Datadog by --deadline as a whole: a listing that never answers ends it, and the import goes on', async () => {
    const server = rateLimitedApi(doraApi());
    intake = await startIntake((request) =>
      /s$/.test(request.path)
        ? 'stall'
        : server.answer({ method: request.method, path: request.path, body: request.body, headers: request.headers }),
    );
    const path = file('a.jsonl', JSON.stringify({ service: 'api', finished_at: T0 }));
    const run = await runDora(['import', path, '--json', '--deadline', '2'], {
      env: env(intake.url, { DD_APP_KEY: APP_KEY }),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.durationMs).toBeLessThan(15_000);
    expect(run.stderr).toMatch(/Could not check Datadog for records it already holds \(.*\); relying on the journal/);
    expect(server.writes).toHaveLength(1);
  });

  it('says, for stdin without --journal or an application key, that running again sends everything again', async () => {
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    const path = file('d.jsonl', JSON.stringify({ service: 'api', finished_at: T0 }));
    const run = await runDora(['import', '-', '--format', 'jsonl'], { env: env(url), stdin: path });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/running this again sends every record again/);
    expect(run.stderr).not.toMatch(/sends nothing/);
  });

  it('sends 32 at once without Node warning on stderr about the listeners of its one stop signal', async () => {
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    const text = Array.from({ length: 64 }, (_, i) => JSON.stringify({ service: `svc-${i}`, finished_at: T0 + i }));
    const run = await runDora(['import', file('wide.jsonl', text.join('\n')), '--concurrency', '32'], {
      env: env(url),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(server.writes).toHaveLength(64);
    expect(run.stderr).not.toMatch(/MaxListeners|Warning:/);
  });

  it('on the first SIGINT stops retrying too: a record in back-off ends at once, not at its deadline', async () => {
    const posts: number[] = [];
    intake = await startIntake((request) => {
      if (request.method === 'POST') posts.push(Date.now());
      return { status: 503, body: 'busy' };
    });
    const path = file('busy.jsonl', JSON.stringify({ service: 'api', finished_at: T0 }));
    const run = await runDora(['import', path, '--deadline', '60', '--max-attempts', '20'], {
      env: env(intake.url),
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (posts.length >= 2) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
      },
      killAfterMs: 30_000,
    });
    expect(run.code, run.stderr).toBe(130);
    // The retries stopped with the signal: at most the attempt that was out when it came.
    expect(posts.length).toBeLessThanOrEqual(3);
    expect(run.durationMs).toBeLessThan(20_000);
    expect(run.stderr).toMatch(/SIGINT: stopping\. No new request starts/);
    expect(run.stderr).toMatch(/Recorded 0 of 1 records/);
  });

  it('refuses a file with bad records before sending anything: exit 2, each line, field and reason', async () => {
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    const path = file(
      'bad.csv',
      [
        'service,env,finished_at,started_at,git_commit_sha',
        'shop,prod,1795687200,,',
        'shop,prod,now,,',
        ',prod,1795687200,,',
        'shop,prod,1795687200,1795687300,',
        'shop,prod,1795687200,,abc',
      ].join('\n'),
    );
    const run = await runDora(['import', path, '--json'], { env: env(url) });
    expect(run.code).toBe(2);
    expect(server.writes).toEqual([]);
    const { error } = JSON.parse(run.stdout) as { error: string };
    expect(error).toMatch(/^4 problems in .*bad\.csv, so nothing was sent:/);
    expect(error).toContain('line 3: finished_at: "now" is relative to now; history needs an absolute time');
    expect(error).toMatch(/line 4: service: /);
    expect(error).toMatch(/line 5: started_at: is after finished_at/);
    expect(error).toMatch(/line 6: git_commit_sha: .*not a commit SHA/);
  });

  it('reads stdin with --format, and a dry run prints the plan and sends nothing', async () => {
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    const path = file(
      'deploys.ndjson',
      [T0, T0, T0 + 60]
        .map((t, i) => JSON.stringify({ service: 'cart', env: 'prod', version: `v${i}`, finished_at: t }))
        .join('\n'),
    );
    const run = await runDora(['import', '-', '--format', 'jsonl', '--dry-run', '--json'], {
      env: env(url),
      stdin: path,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: true, dry_run: true, total: 3, to_send: 3 });
    // Two in one second: the later one (in file order) moves to the first free second.
    expect(result.moved).toEqual([
      expect.objectContaining({ line: 2, from: '2026-11-26T10:00:00Z', to: '2026-11-26T10:00:01Z' }),
    ]);
    expect(result.first).toHaveLength(3);
    expect(result.first[0].data.attributes).toMatchObject({ service: 'cart', version: 'v0' });
    expect(server.writes).toEqual([]);
  });

  it('imports the tags of a checkout: annotated ones at their tagger date, light ones at their commit date', async () => {
    const repo = makeRepo('https://deploy:s3cr3t-token@git.example.com/team/app.git');
    const git = (args: string[], date: string) =>
      execFileSync('git', args, {
        cwd: repo.dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: repo.dir,
          GIT_AUTHOR_NAME: 'T',
          GIT_AUTHOR_EMAIL: 't@example.invalid',
          GIT_COMMITTER_NAME: 'T',
          GIT_COMMITTER_EMAIL: 't@example.invalid',
          GIT_COMMITTER_DATE: date,
          GIT_AUTHOR_DATE: date,
        },
      });
    git(['commit', '-q', '--allow-empty', '-m', 'one'], '2026-11-01T10:00:00Z');
    git(['tag', 'v1.0'], '2026-11-01T12:00:00Z');
    git(['commit', '-q', '--allow-empty', '-m', 'two'], '2026-11-02T10:00:00Z');
    git(['tag', '-a', 'v1.1', '-m', 'release'], '2026-11-03T09:00:00Z');
    git(['tag', 'other'], '2026-11-03T09:00:00Z');
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    const run = await runDora(
      ['import', '--git-tags', 'v*', '--service', 'app', '--env', 'prod', '--duration', '5m', '--json'],
      { env: env(url), cwd: repo.dir },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ recorded: 2 });
    expect(server.writes.map((write) => write.attributes.version)).toEqual(['v1.0', 'v1.1']);
    const [first, second] = server.writes;
    expect(first?.attributes.finished_at).toBe(`${Date.parse('2026-11-01T10:00:00Z') / 1000}000000000`);
    expect(second?.attributes).toMatchObject({
      finished_at: `${Date.parse('2026-11-03T09:00:00Z') / 1000}000000000`,
      started_at: `${Date.parse('2026-11-03T09:00:00Z') / 1000 - 300}000000000`,
      git: { repository_url: 'https://git.example.com/team/app.git' },
    });
    expect(`${run.stdout}${run.stderr}${JSON.stringify(server.writes)}`).not.toContain('s3cr3t-token');
  });

  it('follows the announced rate limit instead of running into 429s', async () => {
    const server = rateLimitedApi(doraApi(), { limit: 20, periodMs: 1_000 });
    const url = await serve(server);
    const text = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ service: `s${i % 5}`, finished_at: T0 + i * 60 }),
    ).join('\n');
    const run = await runDora(['import', file('many.jsonl', text), '--concurrency', '16', '--json'], {
      env: env(url),
      killAfterMs: 30_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ recorded: 50 });
    expect(server.writes.filter((write) => write.status === 429).length).toBeLessThanOrEqual(1);
  });

  it('stops at once on 401 (exit 3) and says how to resume', async () => {
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    server.refuseAll(401);
    const text = [T0, T0 + 60, T0 + 120].map((t) => JSON.stringify({ service: 'api', finished_at: t })).join('\n');
    const path = file('a.jsonl', text);
    const run = await runDora(['import', path, '--concurrency', '1'], { env: env(url) });
    expect(run.code).toBe(3);
    expect(server.writes).toHaveLength(1);
    expect(run.stderr).toContain(`dora import ${path} --concurrency 1`);
  });

  it('refuses --service with a file, and a file with --git-tags (exit 2, nothing read)', async () => {
    const path = file('a.jsonl', '');
    expect((await runDora(['import', path, '--service', 'x'])).stderr).toMatch(/--service goes with --git-tags/);
    const both = await runDora(['import', path, '--git-tags', 'v*', '--service', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
  });
});
