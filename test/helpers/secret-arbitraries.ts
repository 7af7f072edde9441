/**
 * fast-check arbitraries for secrets: passwords over the whole printable ASCII range (with the characters URL parsers
 * trip on made frequent) and some non-ASCII, user names, and key-shaped values. A generated password is wrapped in
 * markers, three fixed strings that appear nowhere else: whatever piece of a password leaks (its head, as a `#` cut
 * it; its tail, as an `@` cut it), a marker leaks with it, so "no marker in the output" is a leak check that cannot
 * be fooled by a password too short or too common to search for.
 */
import fc from 'fast-check';

/** Markers: letters and digits only, so no parser splits them. */
export const MARKERS = ['QZX7', 'JVW4', 'KYQ9'] as const;

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const troublesome = fc.constantFrom('@', '#', '?', '/', ':', ' ', '%', '\\', "'", '"', '&', '=', '[', ']', '$');
const nonAscii = fc.constantFrom('é', 'ß', 'π', 'Ж', '密', '🙂', '\u00a0');

/** One character a password may hold: any printable ASCII, URL delimiters often, non-ASCII now and then. */
export const passwordChar = fc.oneof(
  { arbitrary: printable, weight: 6 },
  { arbitrary: troublesome, weight: 3 },
  { arbitrary: nonAscii, weight: 1 },
);

/** A password: two random runs between the three markers (`QZX7…JVW4…KYQ9`). */
export const password = fc
  .tuple(fc.string({ unit: passwordChar, maxLength: 12 }), fc.string({ unit: passwordChar, maxLength: 12 }))
  .map(([a, b]) => `${MARKERS[0]}${a}${MARKERS[1]}${b}${MARKERS[2]}`);

/** A user name as URLs carry one before the password: no `:` (that starts the password) and no whitespace. */
export const userName = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~'),
    minLength: 1,
    maxLength: 12,
  })
  .map((name) => `u${name}`);

/** The pieces of a leaked secret to search for: the markers, and the whole secret as typed and percent-encoded. */
export function leakedPieces(secret: string): string[] {
  return [...MARKERS.filter((marker) => secret.includes(marker)), secret, encodeURIComponent(secret)];
}

/** The first piece of `secret` found in `text`, or undefined: `expect(leakIn(out, pw)).toBeUndefined()`. */
export function leakIn(text: string, ...secrets: string[]): string | undefined {
  return secrets.flatMap(leakedPieces).find((piece) => text.includes(piece));
}

/** A Datadog API key's shape (32 hex) and an application key's (40 hex). */
export const apiKey = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
export const appKey = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 40 });

/** Tokens as CI systems hand them out. */
export const token = fc
  .tuple(
    fc.constantFrom('ghp_', 'ghs_', 'glpat-', 'glcbt-', 'xoxb-', 'AKIA', ''),
    fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
      minLength: 20,
      maxLength: 36,
    }),
  )
  .map(([prefix, body]) => `${prefix}${body}`);
