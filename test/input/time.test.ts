import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkNotAhead, formatDuration, formatInstant, parseTimestamp } from '../../src/time.js';

const NOW = 1_795_700_000_000_000_000n;
const parse = (value: string) => parseTimestamp(value, '--started-at', NOW);

describe('parseTimestamp', () => {
  it.each([
    ['1795687200', 1795687200000000000n],
    ['1795687200.5', 1795687200500000000n],
    ['1795687200.123456789', 1795687200123456789n],
    ['1795687200123', 1795687200123000000n],
    ['1795687200123.5', 1795687200123500000n],
    ['1795687200123456', 1795687200123456000n],
    ['1795687200123456789', 1795687200123456789n],
    [' 1795687200 ', 1795687200000000000n],
  ])('reads Unix time %s by magnitude, exactly', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it.each([
    ['2026-11-26T10:00:00Z', 1795687200000000000n],
    ['2026-11-26T10:00:00.123456789Z', 1795687200123456789n],
    ['2026-11-26T10:00:00.1Z', 1795687200100000000n],
    ['2026-11-26T11:00:00+01:00', 1795687200000000000n],
    ['2026-11-26T05:30:00.000000001-04:30', 1795687200000000001n],
    ['2026-11-26T11:00:00+0100', 1795687200000000000n],
    ['2026-11-26 10:00:00Z', 1795687200000000000n],
    ['2026-11-26T10:00Z', 1795687200000000000n],
    ['2026-11-26t10:00:00z', 1795687200000000000n],
  ])('reads ISO 8601 %s to the nanosecond', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it('keeps nanoseconds that a float would round (…789 stays …789)', () => {
    expect(parse('1795687200123456789').toString()).toBe('1795687200123456789');
  });

  it('reads "now" from the injected clock', () => {
    expect(parse('now')).toBe(NOW);
    expect(parse('NOW')).toBe(NOW);
  });

  it.each([
    ['2026-11-26T10:00:00', /no time zone/],
    ['2026-11-26', /not a time we understand/],
    ['yesterday', /not a time we understand/],
    ['', /not a time we understand/],
    ['-1795687200', /not a time we understand/],
    ['1795687200.1234567891', /more precise than a nanosecond/],
    ['1795687200123.1234567', /more precise than a nanosecond/],
    ['2026-11-26T10:00:00.1234567891Z', /more precise than a nanosecond/],
    ['2026-02-30T10:00:00Z', /not a valid calendar date/],
    ['2026-11-26T24:00:00Z', /not a valid calendar date/],
    ['2026-11-26T10:00:00+25:00', /impossible zone offset/],
    ['12', /outside 2000/],
    ['179568720012345678901', /too many digits/],
  ])('refuses %j, naming the flag and the accepted forms', (input, why) => {
    let error: unknown;
    try {
      parse(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toMatch(why);
    expect(message).toContain('--started-at');
    expect(message).toContain('Accepted forms');
  });
});

describe('formatInstant', () => {
  it('prints RFC 3339 in UTC with every fractional digit it has, and none when they are all zero', () => {
    expect(formatInstant(1795687200123456789n)).toBe('2026-11-26T10:00:00.123456789Z');
    expect(formatInstant(1795687200000000001n)).toBe('2026-11-26T10:00:00.000000001Z');
    expect(formatInstant(1795687200120000000n)).toBe('2026-11-26T10:00:00.12Z');
    expect(formatInstant(1795687200000000000n)).toBe('2026-11-26T10:00:00Z');
  });
});

describe('everyday time forms', () => {
  it.each([
    ['2026-11-26 10:00:00 +0000', 1795687200000000000n], // git log --format=%ci
    ['2026-11-26 11:00:00 +0100', 1795687200000000000n],
    ['2026-11-26T11:00:00+01', 1795687200000000000n], // hour-only offset
    ['2026-11-26T05:00:00-05', 1795687200000000000n],
    ['2026-11-26 10:00:00 UTC', 1795687200000000000n],
    ['Thu, 26 Nov 2026 10:00:00 +0000', 1795687200000000000n], // date -R
    ['Thu, 26 Nov 2026 12:00:00 +0200', 1795687200000000000n],
    ['26 Nov 2026 10:00:00 GMT', 1795687200000000000n],
    ['Fri, 27 Nov 2026 00:30:00 +1430', 1795687200000000000n], // the weekday of the local date, not of UTC
  ])('reads %s', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it.each([
    ['-30s', NOW - 30_000_000_000n],
    ['-15m', NOW - 900_000_000_000n],
    ['-2h', NOW - 7_200_000_000_000n],
    ['-7d', NOW - 604_800_000_000_000n],
    ['-1w', NOW - 604_800_000_000_000n],
  ])('reads the relative form %s as before now', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it.each([
    ['2026-11-26 10:00:00', /no time zone/],
    ['Fri, 26 Nov 2026 10:00:00 +0000', /says Fri, but that date is not a Fri/],
    ['-7y', /not a time we understand/],
    ['+2h', /not a time we understand/],
  ])('refuses %s', (input, message) => {
    expect(() => parse(input)).toThrow(message);
  });
});

describe('checkNotAhead', () => {
  it('allows a minute of clock skew and refuses more, showing both instants', () => {
    expect(() => checkNotAhead(NOW + 60_000_000_000n, NOW, '--started-at')).not.toThrow();
    expect(() => checkNotAhead(NOW + 61_000_000_000n, NOW, '--finished-at')).toThrow(
      /^--finished-at is in the future: 2026-11-26T13:34:21Z is after this machine's clock, 2026-11-26T13:33:20Z/,
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [842_000_000n, '842 ms'],
    [4_250_000_000n, '4.3 s'],
    [12_400_000_000n, '12 s'],
    [185_000_000_000n, '3 min 5 s'],
    [300_000_000_000n, '5 min'],
    [7_380_000_000_000n, '2 h 3 min'],
    [12_000_000_000_000n, '3 h 20 min'],
    [86_400_000_000_000n, '1 day'],
    [216_000_000_000_000n, '2.5 days'],
    [-3_600_000_000_000n, '-1 h'],
  ])('writes %s ns as %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });
});
