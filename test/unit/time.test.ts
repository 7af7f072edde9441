import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  checkNotTooFarAhead,
  formatDurationMs,
  formatDurationNs,
  formatInstant,
  formatNs,
  MAX_FUTURE_SKEW_NS,
  parseTimestamp,
} from '../../src/time.js';

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
    // git log --format=%ci puts a space before the offset
    ['2026-11-26 10:00:00 +0000', 1795687200000000000n],
    ['2026-11-26 11:00:00 +0100', 1795687200000000000n],
    ['2026-11-26 10:00:00 Z', 1795687200000000000n],
    // hour-only offsets
    ['2026-11-26T11:00:00+01', 1795687200000000000n],
    ['2026-11-26T05:00:00-05', 1795687200000000000n],
    ['2026-11-26T05:00:00.5 -05', 1795687200500000000n],
  ])('reads ISO 8601 %s to the nanosecond', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it.each([
    ['Thu, 26 Nov 2026 10:00:00 +0000', 1795687200000000000n],
    ['Thu, 26 Nov 2026 11:00:00 +0100', 1795687200000000000n],
    ['Thu, 26 Nov 2026 05:30:00 -0430', 1795687200000000000n],
    ['26 Nov 2026 10:00:00 +0000', 1795687200000000000n],
    ['thu, 26 nov 2026 10:00 GMT', 1795687200000000000n],
    ['Thu, 26 Nov 2026 10:00:00 -0000', 1795687200000000000n],
    ['Sun, 1 Mar 2026 00:00:00 +0000', 1772323200000000000n],
  ])('reads RFC 2822 %s (date -R)', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it.each([
    ['-45s', NOW - 45_000_000_000n],
    ['-30m', NOW - 1_800_000_000_000n],
    ['-2h', NOW - 7_200_000_000_000n],
    ['-7d', NOW - 604_800_000_000_000n],
    ['-1w', NOW - 604_800_000_000_000n],
    ['-1h30m', NOW - 5_400_000_000_000n],
    [' -2H ', NOW - 7_200_000_000_000n],
  ])('reads the time ago %j from the injected clock', (input, expected) => {
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
    ['-1795687200', /has no unit/],
    ['-0s', /zero time ago/],
    ['+2h', /in the future/],
    ['-2y', /not a time we understand/],
    ['-100000w', /outside 2000/],
    ['2026-11-26 10:00:00', /no time zone/],
    ['Thu, 26 Nov 2026 10:00:00', /no time zone/],
    ['Fri, 26 Nov 2026 10:00:00 +0000', /wrong weekday: 26 Nov 2026 is a Thu/],
    ['Thu, 31 Nov 2026 10:00:00 +0000', /not a valid calendar date/],
    ['Thu, 26 Nov 2026 10:00:00 EST', /not a time we understand/],
    ['Thu, 26 Nov 2026 10:00:00 +2500', /impossible zone offset/],
    ['2026-11-26T10:00:00+1', /not a time we understand/],
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

describe('formatNs', () => {
  it('prints all nine fractional digits in UTC', () => {
    expect(formatNs(1795687200123456789n)).toBe('2026-11-26T10:00:00.123456789Z');
    expect(formatNs(1795687200000000001n)).toBe('2026-11-26T10:00:00.000000001Z');
  });
});

describe('formatInstant', () => {
  it.each([
    [1795687200000000000n, '2026-11-26T10:00:00Z'],
    [1795687200120000000n, '2026-11-26T10:00:00.120Z'],
    [1795687200123400000n, '2026-11-26T10:00:00.123400Z'],
    [1795687200000000001n, '2026-11-26T10:00:00.000000001Z'],
  ])('prints %s as %s, dropping only zero groups', (ns, text) => {
    expect(formatInstant(ns)).toBe(text);
  });
});

describe('checkNotTooFarAhead', () => {
  it('accepts times up to 60 s ahead as clock skew between machines', () => {
    expect(MAX_FUTURE_SKEW_NS).toBe(60_000_000_000n);
    expect(() => checkNotTooFarAhead(NOW + 1_000_000_000n, NOW, '--started-at')).not.toThrow();
    expect(() => checkNotTooFarAhead(NOW + MAX_FUTURE_SKEW_NS, NOW, '--started-at')).not.toThrow();
    expect(() => checkNotTooFarAhead(NOW - 86_400_000_000_000n, NOW, '--started-at')).not.toThrow();
  });

  it.each([
    [NOW + MAX_FUTURE_SKEW_NS + 1n],
    [NOW + 86_400_000_000_000n],
    [parse('2150-01-01T00:00:00Z')],
  ])('refuses %s, showing both instants and the allowance', (ns) => {
    let error: unknown;
    try {
      checkNotTooFarAhead(ns, NOW, '--finished-at');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain('--finished-at');
    expect(message).toContain(formatInstant(ns));
    expect(message).toContain(formatInstant(NOW));
    expect(message).toMatch(/differ by up to 60 s/);
  });

  it('says how far ahead the time is', () => {
    expect(() => checkNotTooFarAhead(NOW + 86_400_000_000_000n, NOW, '--finished-at')).toThrow(/1d 00h 00m after/);
  });
});

describe('formatDurationNs', () => {
  it.each([
    [0n, '0ms'],
    [250_000_000n, '250ms'],
    [999_400_000n, '999ms'],
    [999_600_000n, '1s'],
    [12_500_000_000n, '12.5s'],
    [59_960_000_000n, '1m 00s'],
    [62_500_000_000n, '1m 02.5s'],
    [3_599_960_000_000n, '1h 00m 00s'],
    [7_503_000_000_000n, '2h 05m 03s'],
    [273_900_000_000_000n, '3d 04h 05m'],
    [-12_500_000_000n, '-12.5s'],
  ])('shows %s ns as %s', (ns, text) => {
    expect(formatDurationNs(ns)).toBe(text);
  });

  it('takes milliseconds too', () => {
    expect(formatDurationMs(62_500)).toBe('1m 02.5s');
    expect(formatDurationMs(0.4)).toBe('0ms');
  });
});
