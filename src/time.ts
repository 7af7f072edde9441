/**
 * Every timestamp form the CLI accepts, turned into integer nanoseconds since the Unix epoch, and the few ways times
 * and durations are shown back to people.
 *
 * Nanoseconds exceed Number.MAX_SAFE_INTEGER, so the arithmetic is done on bigint and on the digits themselves:
 * `1795687200.123456789` must arrive as 1795687200123456789, not as whatever a float rounds it to.
 */
import { UsageError } from './errors.js';

export const ACCEPTED_TIME_FORMS =
  'Accepted forms: Unix time in seconds (1795687200 or 1795687200.123), milliseconds (1795687200123), ' +
  'microseconds (1795687200123456) or nanoseconds (1795687200123456789); ISO 8601 with a zone ' +
  '(2026-11-26T10:00:00Z, 2026-11-26T10:00:00.123456789Z, 2026-11-26T11:00:00+01:00, 2026-11-26T11:00:00+01, ' +
  'or `git log --format=%ci` style 2026-11-26 11:00:00 +0100); RFC 2822 as `date -R` prints it ' +
  '(Thu, 26 Nov 2026 11:00:00 +0100); a time ago such as -45s, -30m, -2h, -7d, -1w or -1h30m; or "now".';

const NS_PER_MS = 1_000_000n;
const NS_PER_SECOND = 1_000_000_000n;

/** Another machine's clock (the runner that took the start time) may be this far ahead of ours: skew, not a mistake. */
export const MAX_FUTURE_SKEW_NS = 60n * NS_PER_SECOND;

/** Earliest and latest instants we believe: anything outside is a unit mix-up or a typo, not a deployment. */
const EARLIEST_NS = BigInt(Date.UTC(2000, 0, 1)) * NS_PER_MS;
const LATEST_NS = BigInt(Date.UTC(2200, 0, 1)) * NS_PER_MS;

const NUMERIC = /^(\d+)(?:\.(\d+))?$/;
/** The zone may follow a space (`git log --format=%ci`), and an offset may name hours only (`+01`). */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?: ?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?))?$/;
/** RFC 2822 (section 3.3) as `date -R` prints it; the weekday is optional there, and seconds too. */
const RFC_2822 =
  /^(?:([A-Za-z]{3}),\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?(?:\s+(?:([+-])(\d{2})(\d{2})|(UT|UTC|GMT|Z)))?$/i;
/** A time ago: one or more number-unit pairs after a minus sign, as in -7d or -1h30m. */
const RELATIVE = /^-\s*((?:\d+\s*[wdhms]\s*)+)$/i;
const RELATIVE_PART = /(\d+)\s*([wdhms])/gi;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const UNIT_NS: Readonly<Record<string, bigint>> = {
  w: 7n * 86_400n * NS_PER_SECOND,
  d: 86_400n * NS_PER_SECOND,
  h: 3_600n * NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  s: NS_PER_SECOND,
};

/**
 * Parses one timestamp. `nowNs` is the caller's clock, so "now" and "-2h" stay testable.
 * Throws a UsageError naming `flag` when the value is not a time we accept.
 */
export function parseTimestamp(value: string, flag: string, nowNs: bigint): bigint {
  const text = value.trim();
  if (text.toLowerCase() === 'now') return nowNs;
  const ns = parseRelative(text, flag, nowNs) ?? parseNumeric(text, flag) ?? parseIso(text, flag) ?? parseRfc2822(text, flag);
  if (ns === undefined) throw invalid(flag, value, unknownFormReason(text));
  if (ns < EARLIEST_NS || ns >= LATEST_NS) {
    throw invalid(flag, value, 'is outside 2000–2199; check the unit (seconds, ms, µs or ns)');
  }
  return ns;
}

/** A more useful reason than "not understood" for the near misses people actually type. */
function unknownFormReason(text: string): string {
  if (/^-\d+(\.\d+)?$/.test(text)) return 'has no unit; a time ago needs one, such as -30m, -2h or -7d';
  if (/^\+\s*\d+\s*[wdhms]/i.test(text)) return 'is in the future; a relative time counts back from now, such as -2h';
  return 'is not a time we understand';
}

function parseRelative(text: string, flag: string, nowNs: bigint): bigint | undefined {
  const match = RELATIVE.exec(text);
  if (!match) return undefined;
  let ago = 0n;
  for (const [, amount, unit] of (match[1] as string).matchAll(RELATIVE_PART)) {
    ago += BigInt(amount as string) * (UNIT_NS[(unit as string).toLowerCase()] as bigint);
  }
  if (ago === 0n) throw invalid(flag, text, 'is zero time ago; write "now" for now');
  return nowNs - ago;
}

/** Unit by magnitude of the integer part: ≤11 digits seconds, 12–14 ms, 15–17 µs, 18–20 ns. */
function parseNumeric(text: string, flag: string): bigint | undefined {
  const match = NUMERIC.exec(text);
  if (!match) return undefined;
  const integer = match[1] as string;
  const fraction = match[2] ?? '';
  const digits = integer.replace(/^0+(?=\d)/, '').length;
  const exponent = digits <= 11 ? 9 : digits <= 14 ? 6 : digits <= 17 ? 3 : digits <= 20 ? 0 : -1;
  if (exponent < 0) throw invalid(flag, text, 'has too many digits to be a Unix time');
  if (fraction.length > exponent) {
    throw invalid(flag, text, 'is more precise than a nanosecond');
  }
  return BigInt(integer + fraction.padEnd(exponent, '0'));
}

function parseIso(text: string, flag: string): bigint | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', zulu, sign, oh, om = '00'] = m;
  if (!zulu && !sign) {
    throw invalid(flag, text, 'has no time zone; add Z for UTC or an offset such as +02:00');
  }
  if (frac.length > 9) throw invalid(flag, text, 'is more precise than a nanosecond');
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const utcNs = calendarNs(flag, text, ...fields) + BigInt(frac.padEnd(9, '0'));
  return sign ? applyOffset(flag, text, utcNs, sign, oh as string, om) : utcNs;
}

/**
 * RFC 2822 dates. A weekday, when present, must match the date: `Fri, 26 Nov 2026` names two different days, and
 * guessing which one the user meant would record a time that may be a day off.
 */
function parseRfc2822(text: string, flag: string): bigint | undefined {
  const m = RFC_2822.exec(text);
  if (!m) return undefined;
  const [, weekday, d, monthName, y, h, mi, s = '00', sign, oh, om, zoneName] = m;
  const month = MONTHS.indexOf((monthName as string).toLowerCase()) + 1;
  if (month === 0) return undefined;
  if (!sign && !zoneName) {
    throw invalid(flag, text, 'has no time zone; add an offset such as +0000 (date -R prints one)');
  }
  const [year, day, hour, minute, second] = [y, d, h, mi, s].map(Number) as [number, number, number, number, number];
  const utcNs = calendarNs(flag, text, year, month, day, hour, minute, second);
  if (weekday !== undefined) {
    const actual = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    const expected = WEEKDAYS.indexOf(weekday.toLowerCase());
    if (expected !== actual) {
      const name = (WEEKDAYS[actual] as string).replace(/^./, (c) => c.toUpperCase());
      throw invalid(flag, text, `names the wrong weekday: ${day} ${monthName} ${year} is a ${name}`);
    }
  }
  // `-0000` means "UTC, local zone unknown" (RFC 2822 3.3): still UTC, so it needs no special case.
  return sign ? applyOffset(flag, text, utcNs, sign, oh as string, om as string) : utcNs;
}

/** The wall-clock fields as UTC nanoseconds; impossible dates and times are refused. */
function calendarNs(
  flag: string,
  text: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): bigint {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC silently rolls 2026-02-30 over to March; a round trip catches impossible dates and times.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    throw invalid(flag, text, 'is not a valid calendar date and time');
  }
  return BigInt(ms) * NS_PER_MS;
}

function applyOffset(flag: string, text: string, ns: bigint, sign: string, hours: string, minutes: string): bigint {
  const offsetHours = Number(hours);
  const offsetMinutes = Number(minutes);
  if (offsetHours > 23 || offsetMinutes > 59) throw invalid(flag, text, 'has an impossible zone offset');
  const offsetNs = BigInt(offsetHours * 3600 + offsetMinutes * 60) * NS_PER_SECOND;
  // 11:00+01:00 is 10:00Z: subtract a positive offset.
  return sign === '+' ? ns - offsetNs : ns + offsetNs;
}

function invalid(flag: string, value: string, why: string): UsageError {
  return new UsageError(`${flag}: ${JSON.stringify(value)} ${why}.\n${ACCEPTED_TIME_FORMS}`);
}

/**
 * Refuses a time more than MAX_FUTURE_SKEW_NS after `nowNs`. Up to that is another machine's clock running ahead
 * (the start was taken on another runner); beyond it, the value is a mistake (a wrong zone, a wrong unit, a typo).
 * `label` names the value for the user, e.g. `--finished-at`.
 */
export function checkNotTooFarAhead(ns: bigint, nowNs: bigint, label: string): void {
  if (ns - nowNs <= MAX_FUTURE_SKEW_NS) return;
  throw new UsageError(
    `${label} is ${formatInstant(ns)}, ${formatDurationNs(ns - nowNs)} after this machine's clock ` +
      `(${formatInstant(nowNs)}). Clocks may differ by up to ${MAX_FUTURE_SKEW_NS / NS_PER_SECOND} s, so a time ` +
      'further ahead is refused: check its time zone and unit.',
  );
}

/** Formats nanoseconds as ISO 8601 UTC with all nine fractional digits, for exact output. */
export function formatNs(ns: bigint): string {
  const ms = floorDiv(ns, NS_PER_MS);
  const iso = new Date(Number(ms)).toISOString(); // …T10:00:00.123Z
  const fraction = mod(ns, NS_PER_SECOND).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/**
 * ISO 8601 UTC with only the fractional digits that carry information, in groups of three:
 * `2026-11-26T10:00:00Z`, `…:00.120Z`, `…:00.000000001Z`. For messages people read.
 */
export function formatInstant(ns: bigint): string {
  const exact = formatNs(ns);
  const fraction = exact.slice(20, 29).replace(/(000)+$/, '');
  return `${exact.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * A duration for people: `250ms`, `12.5s`, `1m 02.5s`, `2h 05m 03s`, `3d 04h 05m`. Seconds keep one decimal below an
 * hour; longer durations drop what nobody reads. Negative durations get a leading minus.
 */
export function formatDurationNs(ns: bigint): string {
  if (ns < 0n) return `-${formatDurationNs(-ns)}`;
  // Below 999.5 ms the value rounds to whole milliseconds without reaching a full second.
  if (ns < 999_500_000n) return `${(ns + 500_000n) / NS_PER_MS}ms`;
  const tenths = (ns + 50_000_000n) / 100_000_000n; // rounded to a tenth of a second
  if (tenths < 600n) return `${seconds(tenths, false)}s`;
  const totalSeconds = (ns + NS_PER_SECOND / 2n) / NS_PER_SECOND;
  if (tenths < 36_000n) return `${tenths / 600n}m ${seconds(tenths % 600n, true)}s`;
  const [d, h, m, s] = [totalSeconds / 86_400n, (totalSeconds / 3_600n) % 24n, (totalSeconds / 60n) % 60n, totalSeconds % 60n];
  if (d === 0n) return `${h}h ${pad2(m)}m ${pad2(s)}s`;
  return `${d}d ${pad2(h)}h ${pad2(m)}m`;
}

/** Milliseconds (what timers and Date deal in) as a human duration; see formatDurationNs. */
export function formatDurationMs(ms: number): string {
  return formatDurationNs(BigInt(Math.round(ms * 1_000_000)));
}

/** Tenths of a second as `12.5`, `12` when the tenth is zero; padded to two integer digits after minutes. */
function seconds(tenths: bigint, padded: boolean): string {
  const whole = tenths / 10n;
  const tenth = tenths % 10n;
  return `${padded ? pad2(whole) : whole}${tenth === 0n ? '' : `.${tenth}`}`;
}

function pad2(value: bigint): string {
  return value.toString().padStart(2, '0');
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function mod(a: bigint, b: bigint): bigint {
  return ((a % b) + b) % b;
}

/**
 * Wall-clock now. Milliseconds are all the system clock promises anyway, and `Date.now()` avoids loading
 * perf_hooks on every run just to invent sub-millisecond digits.
 */
export function systemNowNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}
