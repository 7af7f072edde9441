/**
 * Text that came from the other side (an API's error words, a proxy's page, a header, a library's error message) made
 * fit for one line of a message: control and invisible formatting characters shown escaped (`\u001b`: a hostile
 * server must not move the cursor, recolour a CI log or reorder text with bidi overrides, and what it sent stays
 * readable), line breaks and tabs as single spaces, and cut to a bound. Linear in the text's length.
 */

/**
 * The invisible format characters that change how the text around them reads: bidi overrides and isolates (U+202E
 * shows what follows reversed), zero-width characters, the line and paragraph separators.
 */
const FORMAT = '\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb';
/** C0 and C1 controls, DEL, and the format characters. */
const INVISIBLE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${FORMAT}]+`, 'g');
/** The same, but for the newline and the tab, which messages of several lines use. */
const INVISIBLE_IN_LINES = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${FORMAT}]+`, 'g');

const escaped = (run: string) => [...run].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/**
 * Text from outside shown as it is, but for its control and format characters, written as `\u001b`: they can neither
 * act on the terminal nor reorder or hide what is shown. `lines`: newlines and tabs stay (a message of several lines).
 */
export function escapeInvisible(text: string, lines = false): string {
  return text.replace(lines ? INVISIBLE_IN_LINES : INVISIBLE, escaped);
}

/** Whether `text` holds a control or format character. */
export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}
/** A surrogate without its pair (from a cut, or a JSON escape): it would print as a replacement character anyway. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** At most `max` characters of `text`, cleaned; an ellipsis follows when it was cut. */
export function plainText(text: string, max: number): string {
  // Everything past this cannot survive the cut below, whatever the cleaning removes: at most all of it.
  const head = text.length > max * 8 ? text.slice(0, max * 8) : text;
  const clean = head.replace(/\s+/g, ' ').replace(INVISIBLE, escaped).replace(LONE_SURROGATE, '\ufffd').trim();
  return clean.length > max ? `${cutAt(clean, max).trimEnd()}…` : clean;
}

/** Cuts at `max` UTF-16 units without splitting a surrogate pair (which would print as a replacement character). */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
