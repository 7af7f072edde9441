import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/output/redact.js';
import { colourPainter, PLAIN, Reporter, type ReporterOptions, wantsColor } from '../../src/output/reporter.js';

function capture(isTTY = false) {
  const stream = {
    text: '',
    isTTY,
    write(chunk: string) {
      this.text += chunk;
    },
  };
  return stream;
}

const options = (more: Partial<ReporterOptions> = {}): ReporterOptions => ({
  paint: PLAIN,
  spinner: false,
  verbose: false,
  redactor: createRedactor(),
  ...more,
});

describe('Reporter', () => {
  it('keeps stdout for results and everything else on stderr', () => {
    const out = capture();
    const err = capture();
    const reporter = new Reporter(out, err, options());
    reporter.result('{"a":1}');
    reporter.warn('careful');
    reporter.error('broken');
    reporter.success('done');
    expect(out.text).toBe('{"a":1}\n');
    expect(err.text).toBe('warning: careful\nerror: broken\n✔ done\n');
  });

  it('shows control characters from input as escapes, while its own colours still work', async () => {
    const err = capture(true);
    const reporter = new Reporter(capture(), err, options({ paint: await colourPainter() }));
    reporter.warn('service \u001b[2Jwiped\rover\u0007 ok\nsecond line');
    expect(err.text).toContain('service \\u001b[2Jwiped\\u000dover\\u0007 ok\nsecond line');
    expect(err.text).not.toContain('\u001b[2J');
    expect(err.text).toContain('\u001b[33mwarning:\u001b[39m');
  });

  it('never prints a secret or URL user info, on either stream', () => {
    const out = capture();
    const err = capture();
    const key = 'abcdef0123456789abcdef0123456789';
    const reporter = new Reporter(out, err, options({ verbose: true, redactor: createRedactor([key]) }));
    reporter.error(`proxy http://user:hunter2@proxy.example:3128 refused key ${key}`);
    reporter.detail(`DD-API-KEY: ${key}`);
    reporter.result(`{"echo":"${key}"}`);
    expect(err.text + out.text).not.toContain(key);
    expect(err.text).not.toContain('hunter2');
    expect(err.text).toContain('http://proxy.example:3128');
  });

  it('prints results exactly as built when a key too short to be real happens to match part of them', () => {
    const out = capture();
    const reporter = new Reporter(out, capture(), options({ redactor: createRedactor(['1795687']) }));
    reporter.result('{"started_at":1795687200000000000}');
    expect(out.text).toBe('{"started_at":1795687200000000000}\n');
  });

  it('prints details only when verbose', () => {
    const err = capture();
    new Reporter(capture(), err, options()).detail('hidden');
    expect(err.text).toBe('');
  });

  it('shows progress without a spinner as a plain verbose line (CI logs stay clean)', async () => {
    const err = capture(false);
    const reporter = new Reporter(capture(), err, options({ verbose: true }));
    const value = await reporter.progress('Sending…', async (update) => {
      update('Attempt 1 failed; retrying…'); // the caller warns about retries itself: printing here doubled them
      return 42;
    });
    expect(value).toBe(42);
    expect(err.text).toBe('Sending…\n');
  });

  it('writes no colour codes when colour is off', () => {
    const err = capture(true);
    new Reporter(capture(), err, options()).warn('w');
    expect(err.text).not.toMatch(/\u001b\[/);
  });
});

describe('colourPainter', () => {
  it('colours with ANSI codes when colour is wanted', async () => {
    const err = capture(true);
    new Reporter(capture(), err, options({ paint: await colourPainter() })).warn('w');
    expect(err.text).toMatch(/\u001b\[33mwarning:\u001b\[39m w/);
  });
});

describe('wantsColor', () => {
  it('honours NO_COLOR over everything, then FORCE_COLOR, else only on a terminal', () => {
    expect(wantsColor({ write() {}, isTTY: true }, { noColor: true, forceColor: true })).toBe(false);
    expect(wantsColor({ write() {}, isTTY: false }, { noColor: false, forceColor: true })).toBe(true);
    expect(wantsColor({ write() {}, isTTY: true }, { noColor: false, forceColor: false })).toBe(true);
    expect(wantsColor({ write() {}, isTTY: false }, { noColor: false, forceColor: false })).toBe(false);
  });
});
