/**
 * Every timestamp form the CLI accepts, turned into integer nanoseconds since the Unix epoch.
 *
 * Nanoseconds exceed Number.MAX_SAFE_INTEGER, so the arithmetic is done on bigint and on the digits themselves:
 * `1795687200.123456789` must arrive as 1795687200123456789, not as whatever a float rounds it to.
 */
import { UsageError } from './errors.js';
import { echoValue } from './output/credential.js';

export const ACCEPTED_TIME_FORMS =
  'Accepted forms: Unix time in seconds (1795687200 or 1795687200.123), milliseconds (1795687200123), ' +
  'microseconds (1795687200123456) or nanoseconds (1795687200123456789); ISO 8601 with a zone ' +
  '(2026-11-26T10:00:00Z, 2026-11-26T10:00:00.123456789Z, 2026-11-26T11:00:00+01:00, 2026-11-26 10:00:00 +0000 as ' +
  'git log --format=%ci prints); RFC 2822 as date -R prints (Thu, 26 Nov 2026 10:00:00 +0000); "now", or a time ' +
  'before it (-30s, -15m, -2h, -7d, -1w).';

/** How far ahead of this machine's clock a time may be: another runner's clock may be that far off. */
export const MAX_FUTURE_SKEW_NS = 60n * 1_000_000_000n;

const NS_PER_SECOND = 1_000_000_000n;

/** Earliest and latest instants we believe: anything outside is a unit mix-up or a typo, not a deployment. */
const EARLIEST_NS = BigInt(Date.UTC(2000, 0, 1)) * 1_000_000n;
const LATEST_NS = BigInt(Date.UTC(2200, 0, 1)) * 1_000_000n;

const NUMERIC = /^(\d+)(?:\.(\d+))?$/;
/** ISO 8601 and its everyday relatives: a space for the T, a space before the offset, an hour-only offset. */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)? ?(?:([Zz]|UTC|GMT)|([+-])(\d{2})(?::?(\d{2}))?)?$/;
/** RFC 2822 (`date -R`, e-mail and HTTP headers): `Thu, 26 Nov 2026 10:00:00 +0000`; the weekday is optional. */
const RFC2822 =
  /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (?:([+-])(\d{2})(\d{2})|(UT|GMT|Z))$/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** Before now: `-90s`, `-15m`, `-2h`, `-7d`, `-1w`. */
const RELATIVE = /^-(\d{1,6})([smhdw])$/;
const UNIT_NS: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86_400n, w: 604_800n };

/**
 * Parses one timestamp. `nowNs` is the caller's clock, so "now" stays testable.
 * Throws a UsageError naming `flag` when the value is not a time we accept.
 */
export function parseTimestamp(value: string, flag: string, nowNs: bigint): bigint {
  const text = value.trim();
  if (text.toLowerCase() === 'now') return nowNs;
  const relative = RELATIVE.exec(text);
  const ns = relative
    ? nowNs - BigInt(relative[1] as string) * (UNIT_NS[relative[2] as string] as bigint) * NS_PER_SECOND
    : (parseNumeric(text, flag) ?? parseIso(text, flag) ?? parseRfc2822(text, flag));
  if (ns === undefined) throw invalid(flag, value, 'is not a time we understand');
  // Every form passes the same range check: `-99999w` is as wrong as a year of 1900.
  if (ns < EARLIEST_NS || ns >= LATEST_NS) {
    const why = relative ? 'reaches back before 2000' : 'is outside 2000–2199; check the unit (seconds, ms, µs or ns)';
    throw invalid(flag, value, why);
  }
  return ns;
}

/** Whether `value` is a time relative to now (`now`, `-15m`): history read from a file must not depend on when. */
export function isRelativeTime(value: string): boolean {
  const text = value.trim();
  return text.toLowerCase() === 'now' || RELATIVE.test(text);
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
  return fromFields(fields, frac, sign, oh, om, flag, text);
}

function parseRfc2822(text: string, flag: string): bigint | undefined {
  const m = RFC2822.exec(text);
  if (!m) return undefined;
  const [, weekday, d, mon, y, h, mi, s = '00', sign, oh, om] = m;
  const month = MONTHS.indexOf((mon as string).toLowerCase()) + 1;
  const ns = fromFields([Number(y), month, Number(d), Number(h), Number(mi), Number(s)], '', sign, oh, om, flag, text);
  // A weekday that does not match the date means the date is not what the writer thought: refuse, don't guess.
  if (weekday && WEEKDAYS[new Date(Date.UTC(Number(y), month - 1, Number(d))).getUTCDay()] !== weekday.toLowerCase()) {
    throw invalid(flag, text, `says ${weekday}, but that date is not a ${weekday}`);
  }
  return ns;
}

/** Calendar fields (checked for impossible dates) plus a zone offset, to nanoseconds since the epoch. */
function fromFields(
  fields: [number, number, number, number, number, number],
  frac: string,
  sign: string | undefined,
  oh: string | undefined,
  om: string | undefined,
  flag: string,
  text: string,
): bigint {
  const [year, month, day, hour, minute, second] = fields;
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
  let ns = BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
  if (sign) {
    const offsetHours = Number(oh);
    const offsetMinutes = Number(om);
    if (offsetHours > 23 || offsetMinutes > 59) throw invalid(flag, text, 'has an impossible zone offset');
    const offsetNs = BigInt(offsetHours * 3600 + offsetMinutes * 60) * NS_PER_SECOND;
    // 11:00+01:00 is 10:00Z: subtract a positive offset.
    ns = sign === '+' ? ns - offsetNs : ns + offsetNs;
  }
  return ns;
}

function invalid(flag: string, value: string, why: string): UsageError {
  return new UsageError(`${flag}: ${echoValue(value)} ${why}.\n${ACCEPTED_TIME_FORMS}`);
}

/**
 * Refuses a time more than a minute ahead of this machine's clock, naming both instants: a little ahead is another
 * runner's clock, far ahead is a mistake (a unit mix-up, a typo in the year) that would corrupt the metrics.
 */
export function checkNotAhead(ns: bigint, nowNs: bigint, flag: string): void {
  if (ns - nowNs > MAX_FUTURE_SKEW_NS) {
    throw new UsageError(
      `${flag} is in the future: ${formatInstant(ns)} is after this machine's clock, ${formatInstant(nowNs)}, by more than the ` +
        `${MAX_FUTURE_SKEW_NS / NS_PER_SECOND} s that clocks of two machines may differ.`,
    );
  }
}

/** A duration in nanoseconds as people write it: see formatSeconds, the one duration form every output uses. */
export function formatDuration(ns: bigint): string {
  return formatSeconds(Number(ns / 1_000_000n) / 1000);
}

/** The later of two instants (Math.max takes no bigints). */
export function laterOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * Wall-clock now. Milliseconds are all the system clock promises anyway, and `Date.now()` avoids loading
 * perf_hooks on every run just to invent sub-millisecond digits.
 */
export function systemNowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * An instant, the one form every output uses: RFC 3339 in UTC with a `Z`, with as many fractional digits as it has
 * (none when they are all zero): `2026-11-26T10:00:00Z`, `2026-11-26T10:00:00.123456789Z`.
 */
export function formatInstant(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const fraction = (((ns % NS_PER_SECOND) + NS_PER_SECOND) % NS_PER_SECOND)
    .toString()
    .padStart(9, '0')
    .replace(/0+$/, '');
  return `${iso}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * An instant as the list endpoints take it in `from`/`to`: RFC 3339 to the millisecond. `up` rounds a bound with
 * sub-millisecond digits up instead of down, so an inclusive `to` still covers the instant it was made from.
 */
export function apiInstant(ns: bigint, up = false): string {
  const ms = ns / 1_000_000n + (up && ns % 1_000_000n !== 0n ? 1n : 0n);
  return new Date(Number(ms)).toISOString();
}

/**
 * A duration as people write it, the one form every output uses (records, metrics, the Action's summary): `850 ms`,
 * `4.3 s`, `42 s`, `3 min 20 s`, `42 min`, `3 h 20 min`, `2.5 days`, `12 days`. It gets coarser as it grows: a lead
 * time of three days needs no seconds. Zero parts are left out (`3 min`, `2 h`); a day is 24 hours.
 */
export function formatSeconds(seconds: number, round: (value: number) => number = Math.round): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 0) return `-${formatSeconds(-seconds, round)}`;
  if (seconds < 1) return `${round(seconds * 1000)} ms`;
  if (seconds < 10) return `${trimmed(seconds, 1, round)} s`;
  const whole = round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 600) return whole % 60 === 0 ? `${whole / 60} min` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
  const minutes = round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60)
    return minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  const days = seconds / 86_400;
  const shown = days < 10 ? trimmed(days, 1, round) : String(round(days));
  return `${shown} ${shown === '1' ? 'day' : 'days'}`;
}

/** `value` with at most `digits` decimals, without trailing zeros: 2.50 → `2.5`, 3.0 → `3`. */
function trimmed(value: number, digits: number, round: (value: number) => number): string {
  const scale = 10 ** digits;
  return String(Number((round(value * scale) / scale).toFixed(digits)));
}
