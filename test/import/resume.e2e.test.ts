/**
 * Interrupted imports resumed to exactly once, with the real CLI: `dora import` sends to a real HTTP stand-in on
 * 127.0.0.1 and is killed (SIGKILL, no chance to clean up), interrupted (SIGINT) or stopped by a 503 storm; the same
 * import is then run again.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/import/journal.js';
import { doraApi } from '../helpers/dora-api.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { type RateLimitedApi, rateLimitedApi } from '../helpers/rate-limited-api.js';
import { runDora } from '../helpers/run-dora.js';

const T0 = 1_795_687_200;
const COUNT = 200;
const CONCURRENCY = 8;

let intake: Intake | undefined;

afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

/** 200 deployments over ten services, one a minute. */
function historyFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dora-import-')), 'deploys.jsonl');
  const lines = Array.from({ length: COUNT }, (_, index) =>
    JSON.stringify({ service: `svc-${index % 10}`, env: 'prod', version: `1.${index}`, finished_at: T0 + index * 60 }),
  );
  writeFileSync(path, lines.join('\n'));
  return path;
}

async function serve(server: RateLimitedApi): Promise<string> {
  intake = await startIntake((request) =>
    server.answer({ method: request.method, path: request.path, body: request.body, headers: request.headers }),
  );
  return intake.url;
}

/** `dora import <path>` against the stand-in; `list`: with an application key, so it asks what is recorded. */
async function runChild(
  config: { path: string; url: string; list?: boolean },
  onSpawn?: (process: ChildProcess) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const run = await runDora(['import', config.path, '--concurrency', String(CONCURRENCY)], {
    env: {
      DORA_API_URL: config.url,
      DD_API_KEY: 'a'.repeat(32),
      ...(config.list ? { DD_APP_KEY: 'b'.repeat(40) } : {}),
    },
    ...(onSpawn ? { onSpawn } : {}),
    killAfterMs: 60_000,
  });
  return { code: run.code, signal: run.signal, stderr: run.stderr };
}

const acknowledgedTwice = (server: RateLimitedApi) => [...server.acknowledged.values()].filter((n) => n > 1).length;

describe('an interrupted import, run again', () => {
  it('after SIGKILL sends again at most the requests that were out; with the listing, none', async () => {
    const path = historyFile();
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    let killed: ChildProcess | undefined;
    server.onWrite = (_write, index) => {
      if (index === 60) killed?.kill('SIGKILL');
    };
    const first = await runChild({ path, url }, (spawned) => {
      killed = spawned;
    });
    expect(first.signal).toBe('SIGKILL');
    server.onWrite = undefined;
    const journalled = readJournal(`${path}.dora-journal`);
    expect(journalled.size).toBeGreaterThan(0);
    expect(journalled.size).toBeLessThan(COUNT);
    // Every id the journal holds was acknowledged: it is written on acknowledgement, not before.
    for (const id of journalled) expect(server.acknowledged.get(id)).toBe(1);

    const second = await runChild({ path, url });
    expect(second.code).toBe(0);
    expect(server.acknowledged.size).toBe(COUNT);
    expect(acknowledgedTwice(server)).toBeLessThanOrEqual(CONCURRENCY);

    // The same kill again, resumed from another machine's view: the listing finds what the journal missed.
    const path2 = historyFile().replace('deploys.jsonl', 'other.jsonl');
    writeFileSync(path2, readFileSync(path, 'utf8').replaceAll('"prod"', '"staging"'));
    server.onWrite = (_write, index) => {
      if (index === COUNT + acknowledgedTwice(server) + 60) killed?.kill('SIGKILL');
    };
    const before = new Map(server.acknowledged);
    await runChild({ path: path2, url }, (spawned) => {
      killed = spawned;
    });
    server.onWrite = undefined;
    const third = await runChild({ path: path2, url, list: true });
    expect(third.code).toBe(0);
    const staging = [...server.acknowledged].filter(([id]) => !before.has(id));
    expect(staging).toHaveLength(COUNT);
    expect(staging.every(([, count]) => count === 1)).toBe(true);
  });

  it('after SIGINT (exit 130, summary printed) sends exactly the rest', async () => {
    const path = historyFile();
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    let running: ChildProcess | undefined;
    server.onWrite = (_write, index) => {
      if (index === 50) running?.kill('SIGINT');
    };
    const first = await runChild({ path, url }, (spawned) => {
      running = spawned;
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(
      /Recorded \d+ of 200 records; 0 skipped \(already recorded\); 0 refused; \d+ not delivered\./,
    );
    expect(first.stderr).toContain(`To send the rest, run the same command again`);
    server.onWrite = undefined;
    const second = await runChild({ path, url });
    expect(second.code).toBe(0);
    expect(server.acknowledged.size).toBe(COUNT);
    expect(acknowledgedTwice(server)).toBe(0);
  });

  it('after a 503 storm (exit 5) sends exactly the rest', async () => {
    const path = historyFile();
    const server = rateLimitedApi(doraApi());
    const url = await serve(server);
    server.onWrite = (_write, index) => {
      if (index === 70) server.storm(100_000, 503);
    };
    const first = await runChild({ path, url });
    expect(first.code).toBe(5);
    // Stopped by ten failures in a row, or by every service holding back after its first failure: either way, no
    // record went after the storm began but those already on their way.
    expect(first.stderr).toMatch(/; [1-9]\d* not delivered\./);
    // Each record gets the usual retries; counted here are the records that met the storm.
    const stormed = new Set(server.writes.filter((write) => write.status === 503).map((write) => write.attributes.id));
    expect(stormed.size).toBeLessThanOrEqual(10 + CONCURRENCY);
    server.onWrite = undefined;
    server.storm(0);
    const second = await runChild({ path, url });
    expect(second.code).toBe(0);
    expect(server.acknowledged.size).toBe(COUNT);
    expect(acknowledgedTwice(server)).toBe(0);
  });
});
