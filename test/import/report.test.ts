import { describe, expect, it } from 'vitest';
import { type JsonValue, toJson } from '../../src/events/json.js';
import { LOG_EVERY_MS, startProgress } from '../../src/import/progress.js';
import { type ImportResult, importExitCode, importJson, summaryLines } from '../../src/import/summary.js';

/** A clock whose time moves only when the test says, firing the sleeps that are due. */
function manualClock() {
  let now = 0;
  const sleeps = new Set<{ at: number; resolve(): void }>();
  return {
    monotonicMs: () => now,
    sleep: (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        const sleep = { at: now + ms, resolve };
        sleeps.add(sleep);
        signal.addEventListener('abort', () => {
          sleeps.delete(sleep);
          reject(signal.reason);
        });
      }),
    async tick(ms: number) {
      now += ms;
      for (const sleep of [...sleeps]) {
        if (sleep.at <= now) {
          sleeps.delete(sleep);
          sleep.resolve();
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('progress', () => {
  it('at a terminal draws a bar in place: done/total, the rate, the time left; then clears it', async () => {
    const clock = manualClock();
    const written: string[] = [];
    const progress = startProgress({
      total: 10,
      terminal: true,
      write: (text) => written.push(text),
      clock,
      columns: 100,
    });
    await clock.tick(1000);
    progress.advance(2);
    const bar = written.at(-1) as string;
    expect(bar.startsWith('\r[')).toBe(true);
    expect(bar).toMatch(/\] 2\/10 · 2\.0\/s · 4 s left\u001b\[K$/);
    progress.waiting({ ms: 30_000, reason: 'Datadog answered 429 (rate limited)' });
    expect(written.at(-1)).toMatch(/waiting 30 s: Datadog answered 429/);
    progress.stop();
    expect(written.at(-1)).toBe('\r\u001b[K');
  });

  it('redraws the bar at most ten times a second, and always at the end', async () => {
    const clock = manualClock();
    const written: string[] = [];
    const progress = startProgress({ total: 1000, terminal: true, write: (text) => written.push(text), clock });
    for (let i = 0; i < 999; i++) progress.advance();
    expect(written).toHaveLength(1);
    await clock.tick(100);
    progress.advance();
    expect(written.at(-1)).toMatch(/ 1000\/1000 /);
  });

  it('elsewhere writes one line every 10 s, and a line when it starts waiting', async () => {
    const clock = manualClock();
    const written: string[] = [];
    const progress = startProgress({ total: 50, terminal: false, write: (text) => written.push(text), clock });
    progress.advance(5);
    await clock.tick(LOG_EVERY_MS - 1);
    expect(written).toEqual([]);
    await clock.tick(1);
    expect(written).toEqual(['import: 5 of 50 done (0.5/s, about 1 min 30 s left)\n']);
    progress.waiting({ ms: 42_000, reason: "the rate limit's budget is spent" });
    expect(written.at(-1)).toBe("import: waiting 42 s: the rate limit's budget is spent\n");
    progress.advance(45);
    await clock.tick(LOG_EVERY_MS);
    expect(written.at(-1)).toBe('import: 50 of 50 done (2.5/s)\n');
    progress.stop();
    await clock.tick(LOG_EVERY_MS * 3);
    expect(written).toHaveLength(3);
  });
});

const result = (extra: Partial<ImportResult> = {}): ImportResult => ({
  total: 5,
  recorded: 3,
  alreadyRecorded: 1,
  moves: [{ line: 4, id: 'import-1', from: '2026-11-26T10:00:00Z', to: '2026-11-26T10:00:01Z' }],
  refused: [{ line: 2, id: 'import-2', status: 400, error: 'Bad Request: invalid' }],
  notDelivered: [],
  durationMs: 1234,
  ...extra,
});

describe('summary', () => {
  it('writes the --json object with exactly its members, in order', () => {
    expect(toJson(importJson(result()) as unknown as JsonValue)).toBe(
      '{"ok":false,"exit_code":4,"kind":"import","total":5,"recorded":3,"already_recorded":1,' +
        '"moved":[{"line":4,"id":"import-1","from":"2026-11-26T10:00:00Z","to":"2026-11-26T10:00:01Z"}],' +
        '"refused":[{"line":2,"id":"import-2","status":400,"error":"Bad Request: invalid"}],' +
        '"not_delivered":[],"duration_ms":1234}',
    );
    expect(importJson(result({ refused: [] }))).toMatchObject({ ok: true, exit_code: 0 });
    expect(
      importJson(result({ stop: { reason: 'unauthorized', message: 'Datadog answered HTTP 403', exitCode: 3 } })),
    ).toMatchObject({ ok: false, exit_code: 3, error: 'the import stopped: Datadog answered HTTP 403' });
  });

  it('exits with the first code that applies: 3, 5, 4, else 0; a signal its own', () => {
    const undelivered = [{ line: 3, id: 'import-3', error: 'HTTP 503' }];
    expect(
      importExitCode(
        result({ notDelivered: undelivered, stop: { reason: 'unauthorized', message: 'x', exitCode: 3 } }),
      ),
    ).toBe(3);
    expect(importExitCode(result({ notDelivered: undelivered }))).toBe(5);
    expect(importExitCode(result())).toBe(4);
    expect(importExitCode(result({ refused: [] }))).toBe(0);
    expect(importExitCode(result({ stop: { reason: 'interrupted', message: 'x', exitCode: 143 } }))).toBe(143);
  });

  it('always says what was recorded, skipped, refused and not delivered, and the command that resumes', () => {
    const lines = summaryLines(result(), {
      resumeCommand: 'dora import deploys.jsonl',
      journal: 'deploys.jsonl.dora-journal',
      skipsRecorded: true,
    });
    expect(lines[0]).toBe('Recorded 3 of 5 records; 1 skipped (already recorded); 1 refused; 0 not delivered.');
    expect(lines).toContain('  line 2 (import-2): HTTP 400: Bad Request: invalid');
    expect(lines.slice(-2)).toEqual([
      'To send the rest, run the same command again; what was recorded is skipped (the journal deploys.jsonl.dora-journal holds what was recorded):',
      '  dora import deploys.jsonl',
    ]);
    const done = summaryLines(result({ refused: [], moves: [] }), {
      resumeCommand: 'dora import deploys.jsonl',
      skipsRecorded: true,
    });
    expect(done).toEqual([
      'Recorded 3 of 5 records; 1 skipped (already recorded); 0 refused; 0 not delivered.',
      'Every record is in Datadog; running the same command again sends nothing:',
      '  dora import deploys.jsonl',
    ]);
  });

  it('never promises that running again skips what was recorded when nothing (no journal, no listing) remembers it', () => {
    const done = summaryLines(result({ refused: [], moves: [] }), {
      resumeCommand: 'dora import -',
      skipsRecorded: false,
    });
    expect(done.join('\n')).not.toMatch(/sends nothing|is skipped/);
    expect(done.at(-1)).toMatch(/running this again sends every record again/);
    const rest = summaryLines(result(), { resumeCommand: 'dora import -', skipsRecorded: false });
    expect(rest.at(-1)).toMatch(/give --journal <path> \(or set DD_APP_KEY\)/);
    expect(rest).not.toContain('  dora import -');
  });

  it('lists ten of each kind and counts the rest', () => {
    const notDelivered = Array.from({ length: 25 }, (_, i) => ({ line: i + 2, id: `import-${i}`, error: 'HTTP 503' }));
    const lines = summaryLines(result({ notDelivered }), { resumeCommand: 'dora import x.csv', skipsRecorded: true });
    expect(lines.filter((line) => line.endsWith('HTTP 503'))).toHaveLength(10);
    expect(lines).toContain('  … and 15 more (--json lists them all).');
  });
});
