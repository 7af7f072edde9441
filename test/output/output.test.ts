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
  it('says everything on stderr, and keeps the warnings for the result', () => {
    const err = capture();
    const reporter = new Reporter(err, options());
    reporter.warn('careful');
    reporter.error('broken');
    reporter.success('done');
    expect(err.text).toBe('warning: careful\nerror: broken\n✔ done\n');
    expect(reporter.warnings).toEqual(['careful']);
  });

  it('shows control characters from input as escapes, while its own colours still work', () => {
    const err = capture(true);
    const reporter = new Reporter(err, options({ paint: colourPainter() }));
    reporter.warn('service \u001b[2Jwiped\rover\u0007 ok\nsecond line');
    expect(err.text).toContain('service \\u001b[2Jwiped\\u000dover\\u0007 ok\nsecond line');
    expect(err.text).not.toContain('\u001b[2J');
    expect(err.text).toContain('\u001b[33mwarning:\u001b[39m');
  });

  it('never prints a secret or URL user info', () => {
    const err = capture();
    const key = 'abcdef0123456789abcdef0123456789';
    const reporter = new Reporter(err, options({ verbose: true, redactor: createRedactor([key]) }));
    reporter.error(`proxy http://user:hunter2@proxy.example:3128 refused key ${key}`);
    reporter.detail(`DD-API-KEY: ${key}`);
    expect(err.text).not.toContain(key);
    expect(err.text).not.toContain('hunter2');
    expect(err.text).toContain('http://proxy.example:3128');
  });

  it('leaves results exactly as built when a key too short to be real happens to match part of them', () => {
    const redactor = createRedactor(['1795687']);
    expect(redactor.redact('{"started_at":1795687200000000000}')).toBe('{"started_at":1795687200000000000}');
  });

  it('prints details only when verbose', () => {
    const err = capture();
    new Reporter(err, options()).detail('hidden');
    expect(err.text).toBe('');
  });

  it('shows progress without a spinner as a plain verbose line (CI logs stay clean)', async () => {
    const err = capture(false);
    const reporter = new Reporter(err, options({ verbose: true }));
    const value = await reporter.progress('Sending…', async (update) => {
      update('Attempt 1 failed; retrying…'); // the caller warns about retries itself: printing here doubled them
      return 42;
    });
    expect(value).toBe(42);
    expect(err.text).toBe('Sending…\n');
  });

  it('writes no colour codes when colour is off', () => {
    const err = capture(true);
    new Reporter(err, options()).warn('w');
    expect(err.text).not.toMatch(/\u001b\[/);
  });
});

describe('colourPainter', () => {
  it('colours with ANSI codes when colour is wanted', () => {
    const err = capture(true);
    new Reporter(err, options({ paint: colourPainter() })).warn('w');
    expect(err.text).toMatch(/\u001b\[33mwarning:\u001b\[39m w/);
  });
});

describe('wantsColor', () => {
  it('honours NO_COLOR and FORCE_COLOR=0 over everything, then FORCE_COLOR, then TERM=dumb, else a terminal', () => {
    const tty = { write() {}, isTTY: true };
    const pipe = { write() {}, isTTY: false };
    const env = (noColor: boolean, forceColor: boolean | undefined, dumbTerminal = false) => ({
      noColor,
      forceColor,
      dumbTerminal,
    });
    expect(wantsColor(tty, env(true, true))).toBe(false);
    expect(wantsColor(tty, env(false, false))).toBe(false);
    expect(wantsColor(pipe, env(false, true))).toBe(true);
    expect(wantsColor(tty, env(false, true, true))).toBe(true);
    expect(wantsColor(tty, env(false, undefined, true))).toBe(false);
    expect(wantsColor(tty, env(false, undefined))).toBe(true);
    expect(wantsColor(pipe, env(false, undefined))).toBe(false);
  });
});
