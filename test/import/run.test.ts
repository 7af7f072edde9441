import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InterruptedError, UsageError } from '../../src/errors.js';
import { type JsonValue, toJson } from '../../src/events/json.js';
import { listBody, readListed, searchQuery } from '../../src/events/records.js';
import type { RecordedEvent } from '../../src/import/already-recorded.js';
import { tagReader } from '../../src/import/git-tags.js';
import { readJournal } from '../../src/import/journal.js';
import { type ImportDeps, type ImportOptions, runImport } from '../../src/import/run.js';
import { preparedRecord } from '../../src/import/wire.js';
import { concurrencyOf } from '../../src/input/import.js';
import { doraApi } from '../helpers/dora-api.js';
import { type RateLimitedApi, rateLimitedApi } from '../helpers/rate-limited-api.js';
import { virtualClock } from '../helpers/virtual-clock.js';
import { standInSend, standInValidate, type TestEvent } from './stand-in.js';

const execFileAsync = promisify(execFile);
const NOW_NS = BigInt(Date.parse('2027-01-01T00:00:00Z')) * 1_000_000n;
const T0 = 1_795_687_200; // 2026-11-26T10:00:00Z

interface Harness {
  server: RateLimitedApi;
  stdout: string[];
  stderr: string[];
  deps: ImportDeps<TestEvent>;
  abort: AbortController;
}

/** runImport's dependencies around one stand-in server (kept across runs, as Datadog is); `appKey`: it can list. */
function harness(server: RateLimitedApi, options: { appKey?: boolean; stdin?: string; cwd?: string } = {}): Harness {
  const clock = virtualClock();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const abort = new AbortController();
  const listRecorded = async (
    queries: Parameters<NonNullable<Awaited<ReturnType<ImportDeps<TestEvent>['connect']>>['listRecorded']>>[0],
  ) => {
    const found: RecordedEvent[] = [];
    for (const query of queries) {
      const reply = server.answer({
        method: 'POST',
        path: query.kind === 'deployment' ? '/api/v2/dora/deployments' : '/api/v2/dora/failures',
        body: JSON.stringify(
          listBody(query.kind, {
            from: query.from,
            to: query.to,
            limit: 1000,
            query: query.service ? searchQuery({ service: query.service }) : searchQuery({ team: query.team ?? '' }),
          }),
        ),
        headers: { 'dd-api-key': 'k', 'dd-application-key': 'a' },
      });
      if (typeof reply === 'string' || reply.status !== 200) throw new Error('the listing failed');
      found.push(...readListed(query.kind, JSON.parse(reply.body ?? '')));
    }
    return found;
  };
  const deps: ImportDeps<TestEvent> = {
    validate: standInValidate(NOW_NS, []),
    body: (record) => preparedRecord(record).payload,
    connect: async ({ dryRun }) => ({
      ...(dryRun ? {} : { send: standInSend(server, clock) }),
      ...(options.appKey ? { listRecorded } : {}),
    }),
    readStdin: async () => Buffer.from(options.stdin ?? ''),
    git: { run: tagReader(process.env), cwd: options.cwd ?? process.cwd() },
    clock,
    signal: abort.signal,
    out: {
      result: (text) => stdout.push(text),
      json: (value) => stdout.push(toJson(value as unknown as JsonValue)),
      info: (text) => stderr.push(text),
      warn: (text) => stderr.push(`warning: ${text}`),
      progress: { write: (text) => stderr.push(text), terminal: false },
    },
  };
  return { server, stdout, stderr, deps, abort };
}

const options = (source: ImportOptions['source'], extra: Partial<ImportOptions> = {}): ImportOptions => ({
  source,
  dryRun: false,
  json: false,
  concurrency: 8,
  resumeCommand: 'dora import deploys.jsonl',
  ...extra,
});

/** A JSON Lines file of `records` named `name` in `dir` (a fresh folder when none is given); its path. */
function recordsFile(
  name: string,
  records: readonly object[],
  dir = mkdtempSync(join(tmpdir(), 'dora-import-')),
): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((record) => JSON.stringify(record)).join('\n'));
  return path;
}

/** `count` deployments over three services, one a minute, written in reverse; two of shop's share a second. */
function historyFile(count: number, format: 'jsonl' | 'csv' = 'jsonl'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dora-import-'));
  const records = Array.from({ length: count }, (_, index) => ({
    service: ['shop', 'api', 'cart'][index % 3] as string,
    env: 'prod',
    version: `1.${index}`,
    finished_at: T0 + index * 60,
  })).reverse();
  records.push({ service: 'shop', env: 'prod', version: 'hotfix', finished_at: T0 });
  const path = join(dir, `deploys.${format}`);
  writeFileSync(
    path,
    format === 'jsonl'
      ? records.map((record) => JSON.stringify(record)).join('\n')
      : [
          'service,env,version,finished_at',
          ...records.map((r) => `${r.service},${r.env},${r.version},${r.finished_at}`),
        ].join('\r\n'),
  );
  return path;
}

const finishedOrder = (server: RateLimitedApi, service: string) =>
  server.writes
    .filter((write) => write.attributes.service === service && write.status === 202)
    .map((write) => BigInt(String(write.attributes.finished_at)));

describe('runImport', () => {
  it.each(['jsonl', 'csv'] as const)(
    'imports a %s file oldest first, moved seconds included; a second run sends nothing',
    async (format) => {
      const path = historyFile(30, format);
      const server = rateLimitedApi(doraApi());
      const first = harness(server);
      expect(await runImport(options({ kind: 'file', path }), first.deps)).toBe(0);
      expect(server.acknowledged.size).toBe(31);
      expect([...server.acknowledged.values()].every((count) => count === 1)).toBe(true);
      for (const service of ['shop', 'api', 'cart']) {
        const order = finishedOrder(server, service);
        expect(order).toEqual([...order].sort((a, b) => (a < b ? -1 : 1)));
      }
      // The hotfix shared shop's first second and came later in the file: it moved to the next free second.
      const hotfix = server.writes.find((write) => write.attributes.version === 'hotfix');
      expect(hotfix?.attributes.finished_at).toBe(String(BigInt(T0 + 1) * 1_000_000_000n));
      expect(first.stderr).toContain(
        'Recorded 31 of 31 records; 0 skipped (already recorded); 0 refused; 0 not delivered.',
      );
      expect(readJournal(`${path}.dora-journal`).size).toBe(31);

      const second = harness(server);
      const writes = server.writes.length;
      expect(await runImport(options({ kind: 'file', path }), second.deps)).toBe(0);
      expect(server.writes.length).toBe(writes);
      expect(second.stderr).toContain(
        'Recorded 0 of 31 records; 31 skipped (already recorded); 0 refused; 0 not delivered.',
      );
    },
  );

  it('from another machine (no journal) with an application key, skips what Datadog lists', async () => {
    const path = historyFile(12);
    const server = rateLimitedApi(doraApi());
    await runImport(options({ kind: 'file', path }), harness(server).deps);
    rmSync(`${path}.dora-journal`);
    const writes = server.writes.length;
    const elsewhere = harness(server, { appKey: true });
    expect(await runImport(options({ kind: 'file', path }), elsewhere.deps)).toBe(0);
    expect(server.writes.length).toBe(writes);
    expect(elsewhere.stderr.some((line) => line.startsWith('Recorded 0 of 13 records; 13 skipped'))).toBe(true);
  });

  it('moves a record past a second Datadog already holds, instead of skipping it as recorded (or replacing that event)', async () => {
    const live = {
      kind: 'deployment' as const,
      id: 'live-deployment-0000000001',
      attributes: {
        service: 'shop',
        env: 'prod',
        version: 'live',
        started_at: `${T0 + 1}300000000`,
        finished_at: `${T0 + 1}300000000`,
      },
    };
    const server = rateLimitedApi(doraApi([live]));
    const path = recordsFile('deploys.jsonl', [
      { service: 'shop', env: 'prod', version: 'A', finished_at: `${T0}000000000` },
      { service: 'shop', env: 'prod', version: 'B', finished_at: `${T0}500000000` },
    ]);
    const first = harness(server, { appKey: true });
    expect(await runImport(options({ kind: 'file', path }), first.deps)).toBe(0);
    const b = server.writes.find((write) => write.attributes.version === 'B');
    // T0 is A's, T0+1 the live deployment's: B goes to T0+2.
    expect(b?.attributes.finished_at).toBe(`${T0 + 2}500000000`);
    expect(server.writes).toHaveLength(2);
    expect(first.stderr).toContain(
      'Recorded 2 of 2 records; 0 skipped (already recorded); 0 refused; 0 not delivered.',
    );
    // From elsewhere (no journal), the same file: both are found, nothing is sent again.
    rmSync(`${path}.dora-journal`);
    const again = harness(server, { appKey: true });
    expect(await runImport(options({ kind: 'file', path }), again.deps)).toBe(0);
    expect(server.writes).toHaveLength(2);
  });

  it.each([
    ['with an application key', true],
    ['with the journal only', false],
  ])(
    'a second file that adds a record in the second of one recorded before: the new one moves (%s)',
    async (_, appKey) => {
      const server = rateLimitedApi(doraApi());
      const dir = mkdtempSync(join(tmpdir(), 'dora-import-'));
      const journal = join(dir, 'shared.journal');
      const write = (name: string, records: object[]) => recordsFile(name, records, dir);
      const v20 = { service: 'shop', env: 'prod', version: '2.0', finished_at: `${T0}500000000` };
      const v19 = { service: 'shop', env: 'prod', version: '1.9', finished_at: `${T0}200000000` };
      const first = write('a.jsonl', [v20]);
      const second = write('b.jsonl', [v20, v19]);
      expect(
        await runImport(options({ kind: 'file', path: first }, { journal }), harness(server, { appKey }).deps),
      ).toBe(0);
      const run = harness(server, { appKey });
      expect(await runImport(options({ kind: 'file', path: second }, { journal }), run.deps)).toBe(0);
      // 2.0 keeps its second; 1.9, new, moves to the next one, and is sent.
      expect(server.writes.map((write) => [write.attributes.version, write.attributes.finished_at])).toEqual([
        ['2.0', `${T0}500000000`],
        ['1.9', `${T0 + 1}200000000`],
      ]);
      expect(run.stderr).toContain(
        'Recorded 1 of 2 records; 1 skipped (already recorded); 0 refused; 0 not delivered.',
      );
    },
  );

  it('resolving an incident opened by an earlier file keeps its start, when a new incident shares its second', async () => {
    const server = rateLimitedApi(doraApi());
    const dir = mkdtempSync(join(tmpdir(), 'dora-import-'));
    const journal = join(dir, 'shared.journal');
    const write = (name: string, records: object[]) => recordsFile(name, records, dir);
    const opened = { kind: 'incident', services: ['shop'], env: 'prod', started_at: `${T0}500000000`, name: 'I' };
    const other = { kind: 'incident', services: ['shop'], env: 'prod', started_at: `${T0}200000000`, name: 'K' };
    await runImport(options({ kind: 'file', path: write('k1.jsonl', [opened]) }, { journal }), harness(server).deps);
    const second = write('k2.jsonl', [{ ...opened, finished_at: `${T0 + 600}` }, other]);
    expect(await runImport(options({ kind: 'file', path: second }, { journal }), harness(server).deps)).toBe(0);
    const resolution = server.writes.find((write) => write.attributes.finished_at !== undefined);
    expect(resolution?.attributes.started_at).toBe(`${T0}500000000`);
    expect(server.writes.find((write) => write.attributes.name === 'K')?.attributes.started_at).toBe(
      `${T0 + 1}200000000`,
    );
  });

  it('an incident opened and resolved in one file: the resolution is sent, not dropped as a repeat', async () => {
    const server = rateLimitedApi(doraApi());
    const opened = { kind: 'incident', services: ['shop'], env: 'prod', started_at: `${T0}`, name: 'down' };
    const path = recordsFile('incidents.jsonl', [opened, { ...opened, finished_at: `${T0 + 600}` }]);
    const run = harness(server);
    expect(await runImport(options({ kind: 'file', path }), run.deps)).toBe(0);
    expect(server.writes).toHaveLength(1);
    expect(server.writes[0]?.attributes.finished_at).toBe(`${T0 + 600}000000000`);
  });

  it('the same deployment given once with its own id and once without is sent once', async () => {
    const server = rateLimitedApi(doraApi());
    const deployment = { service: 'shop', env: 'prod', version: '1.0', finished_at: `${T0}` };
    const path = recordsFile('twice.jsonl', [{ ...deployment, id: 'my-own-id-0000000001' }, deployment]);
    const run = harness(server);
    expect(await runImport(options({ kind: 'file', path }), run.deps)).toBe(0);
    expect(server.writes).toHaveLength(1);
    expect(server.writes[0]?.attributes.id).toBe('my-own-id-0000000001');
    expect(run.stderr.join('\n')).toMatch(/line 2 records the same event as line 1: it is sent once/);
  });

  it('without an application key says it relies on the journal', async () => {
    const run = harness(rateLimitedApi(doraApi()));
    await runImport(options({ kind: 'file', path: historyFile(2) }), run.deps);
    expect(run.stderr.find((line) => line.startsWith('warning:'))).toMatch(
      /needs an application key.*relying on the journal .*dora-journal/,
    );
  });

  it('--json prints exactly one object on stdout', async () => {
    const path = historyFile(3);
    const run = harness(rateLimitedApi(doraApi()));
    await runImport(options({ kind: 'file', path }, { json: true }), run.deps);
    expect(run.stdout).toHaveLength(1);
    const json = JSON.parse(run.stdout[0] as string);
    expect(Object.keys(json)).toEqual([
      'ok',
      'exit_code',
      'kind',
      'total',
      'recorded',
      'already_recorded',
      'moved',
      'refused',
      'not_delivered',
      'duration_ms',
    ]);
    expect(json).toMatchObject({
      ok: true,
      total: 4,
      recorded: 4,
      already_recorded: 0,
      refused: [],
      not_delivered: [],
    });
    expect(json.moved).toEqual([
      { line: 4, id: expect.stringMatching(/^import-/), from: '2026-11-26T10:00:00Z', to: '2026-11-26T10:00:01Z' },
    ]);
  });

  it('a dry run shows the counts and the first three bodies, sends nothing and writes no journal', async () => {
    const path = historyFile(9);
    const run = harness(rateLimitedApi(doraApi()));
    expect(await runImport(options({ kind: 'file', path }, { dryRun: true }), run.deps)).toBe(0);
    expect(run.server.writes).toEqual([]);
    expect(existsSync(`${path}.dora-journal`)).toBe(false);
    expect(run.stdout).toHaveLength(3);
    expect(JSON.parse(run.stdout[0] as string).data.attributes).toMatchObject({ service: 'shop', version: '1.0' });
    expect(run.stderr.join('\n')).toMatch(
      /Dry run: nothing sent\. Of 10 records, 10 would be sent \(oldest first\), 0 already recorded, 1 moved/,
    );
  });

  it('validates every record before sending anything: lists 20 bad records, then counts the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-import-'));
    const path = join(dir, 'bad.jsonl');
    const lines = [JSON.stringify({ service: 'shop', finished_at: T0 })];
    for (let i = 0; i < 25; i++)
      lines.push(JSON.stringify({ service: 'shop', finished_at: i % 2 ? 'yesterday' : '-5m' }));
    writeFileSync(path, lines.join('\n'));
    const run = harness(rateLimitedApi(doraApi()));
    const error = await runImport(options({ kind: 'file', path }), run.deps).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message.split('\n');
    expect(message[0]).toBe(`25 problems in ${path}, so nothing was sent:`);
    expect(message[1]).toMatch(/^ {2}line 2: finished_at: "-5m" is relative to now/);
    // started_at took finished_at's value: the problem is named after what the record gave.
    expect(message[2]).toMatch(/^ {2}line 3: finished_at: .*"yesterday" is not a time we understand/);
    expect(message).toHaveLength(22);
    expect(message[21]).toBe('  … and 5 more.');
    expect(run.server.writes).toEqual([]);
  });

  it('reads stdin; keeps no journal for it unless --journal is given, and says so', async () => {
    const text = `${JSON.stringify({ service: 'shop', finished_at: T0 })}\n`;
    const without = harness(rateLimitedApi(doraApi()), { stdin: text });
    await runImport(options({ kind: 'stdin', format: 'jsonl' }), without.deps);
    expect(without.stderr.join('\n')).toMatch(/no journal for stdin or a pipe: give --journal <path>/);
    const journal = join(mkdtempSync(join(tmpdir(), 'dora-import-')), 'stdin.journal');
    const server = rateLimitedApi(doraApi());
    await runImport(options({ kind: 'stdin', format: 'jsonl' }, { journal }), harness(server, { stdin: text }).deps);
    await runImport(options({ kind: 'stdin', format: 'jsonl' }, { journal }), harness(server, { stdin: text }).deps);
    expect(server.writes).toHaveLength(1);
  });

  it('imports git tags, journals in the checkout’s .git, and sends nothing the second time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-tags-'));
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@x.invalid',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@x.invalid',
          GIT_COMMITTER_DATE: `@${T0} +0000`,
        },
      });
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'one');
    git('tag', 'v1.0.0');
    git('tag', 'v1.0');
    git('commit', '-q', '--allow-empty', '-m', 'two');
    git('tag', '-a', 'v1.1.0', '-m', 'next');
    const source = {
      kind: 'git-tags' as const,
      glob: 'v*',
      service: 'shop',
      repositoryUrl: 'https://github.com/o/shop',
      duration: '10m',
    };
    const server = rateLimitedApi(doraApi());
    const first = harness(server, { cwd: dir });
    expect(await runImport(options(source), first.deps)).toBe(0);
    // v1.0 and v1.0.0 tag one commit at one time: one deployment (of the first in git's order).
    expect(first.stderr).toContain('warning: tag v1.0.0 records the same event as tag v1.0: it is sent once.');
    expect(server.writes.map((write) => write.attributes.version)).toEqual(['v1.0', 'v1.1.0']);
    // The second commit and its tag are of the same second as the first: it moved to the next.
    expect(server.writes.map((write) => write.attributes.started_at)).toEqual([
      String(BigInt(T0 - 600) * 1_000_000_000n),
      String(BigInt(T0 - 599) * 1_000_000_000n),
    ]);
    expect(readJournal(join(dir, '.git', 'dora-import.journal')).size).toBe(2);
    await runImport(options(source), harness(server, { cwd: dir }).deps);
    expect(server.writes).toHaveLength(2);
  });

  it('Ctrl-C: waits for the requests out, journals them, reports, exits 130; the rerun sends only the rest', async () => {
    const path = historyFile(60);
    const server = rateLimitedApi(doraApi());
    const first = harness(server);
    server.onWrite = (_write, index) => {
      if (index === 20) first.abort.abort(new InterruptedError('SIGINT'));
    };
    expect(await runImport(options({ kind: 'file', path }, { concurrency: 4 }), first.deps)).toBe(130);
    const journalled = readJournal(`${path}.dora-journal`).size;
    expect(journalled).toBe(server.acknowledged.size);
    expect(journalled).toBeLessThan(61);
    expect(first.stderr.some((line) => line.startsWith(`Recorded ${journalled} of 61 records`))).toBe(true);
    expect(first.stderr.at(-1)).toBe('  dora import deploys.jsonl');
    server.onWrite = undefined;
    expect(await runImport(options({ kind: 'file', path }), harness(server).deps)).toBe(0);
    expect(server.acknowledged.size).toBe(61);
    expect([...server.acknowledged.values()].every((count) => count === 1)).toBe(true);
  });
});

describe('runImport, with inputs that are not plain record files', () => {
  it('reports the problems of a file in which every line is bad, not that it holds no records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-import-'));
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, '{"service": "shop",\nnot json\n');
    const run = harness(rateLimitedApi(doraApi()));
    const failure = runImport(options({ kind: 'file', path }), run.deps);
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(/^2 problems in .*bad\.jsonl, so nothing was sent:\n {2}line 1: /);
  });

  it('reads a named pipe whole, as stdin, and keeps no journal beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-import-'));
    const fifo = join(dir, 'records.jsonl');
    execFileSync('mkfifo', [fifo]);
    const text = [T0, T0 + 60].map((t) => JSON.stringify({ service: 'shop', finished_at: t })).join('\n');
    // A writer in another process, as `<(jq …)` is: the pipe opens when both ends are there.
    const writer = execFileAsync('sh', ['-c', 'printf "%s" "$1" > "$2"', 'sh', text, fifo]);
    const server = rateLimitedApi(doraApi());
    const run = harness(server);
    expect(await runImport(options({ kind: 'file', path: fifo }), run.deps)).toBe(0);
    await writer;
    expect(server.acknowledged.size).toBe(2);
    expect(existsSync(`${fifo}.dora-journal`)).toBe(false);
    expect(run.stderr.join('\n')).toMatch(/running this again sends every record again/);
  });

  it('ends reading stdin at the first signal, when the program feeding it never ends', async () => {
    const run = harness(rateLimitedApi(doraApi()));
    run.deps.readStdin = () => new Promise<Uint8Array>(() => undefined);
    const importing = runImport(options({ kind: 'stdin', format: 'jsonl' }), run.deps);
    run.abort.abort(new InterruptedError('SIGINT', 'nothing-sent'));
    await expect(importing).rejects.toBeInstanceOf(InterruptedError);
  });

  it('ends reading a named pipe at the first signal, when its writer keeps it open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dora-import-'));
    const fifo = join(dir, 'records.jsonl');
    execFileSync('mkfifo', [fifo]);
    // A writer that opens the pipe and never closes it.
    const writer = execFileAsync('sh', ['-c', 'exec 3>"$1"; sleep 5', 'sh', fifo]).catch(() => undefined);
    const run = harness(rateLimitedApi(doraApi()));
    const importing = runImport(options({ kind: 'file', path: fifo }), run.deps);
    setTimeout(() => run.abort.abort(new InterruptedError('SIGTERM', 'nothing-sent')), 300);
    const started = Date.now();
    await expect(importing).rejects.toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(3000);
    void writer;
  });

  it('refuses a folder, naming it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dora-import-')), 'deploys.jsonl');
    mkdirSync(dir);
    const run = harness(rateLimitedApi(doraApi()));
    await expect(runImport(options({ kind: 'file', path: dir }), run.deps)).rejects.toThrow(/is a folder/);
  });
});

describe('runImport, when the file changes during the import', () => {
  it('stops rather than send what was not checked, and says why', async () => {
    const path = historyFile(20);
    const server = rateLimitedApi(doraApi());
    server.onWrite = (_write, index) => {
      if (index === 5) appendFileSync(path, `\n${JSON.stringify({ service: 'shop', finished_at: T0 })}`);
    };
    const run = harness(server);
    expect(await runImport(options({ kind: 'file', path }, { concurrency: 1 }), run.deps)).toBe(5);
    expect(server.writes).toHaveLength(6);
    expect(run.stderr.join('\n')).toMatch(/Stopped: .*deploys\.jsonl changed while it was imported/);
  });
});

describe('concurrencyOf', () => {
  it('takes 1 to 64, default 8', () => {
    expect(concurrencyOf(undefined)).toBe(8);
    expect(concurrencyOf('1')).toBe(1);
    expect(concurrencyOf(' 32 ')).toBe(32);
    for (const bad of ['0', '65', '2.5', 'many', '-1', '']) expect(() => concurrencyOf(bad)).toThrow(/--concurrency/);
  });
});
