/**
 * The checks every event field gets, as zod (mini) schemas whose messages name where the value came from: the flag
 * the user typed, or the variable it was read from. Values arrive trimmed (flags as environment variables are).
 */
import * as z from 'zod/mini';

/** Datadog keeps tags and names to 200 characters; longer values would be cut or refused by the intake. */
export const MAX_VALUE_LENGTH = 200;
export const MAX_NAME_LENGTH = 1024;
export const MAX_CUSTOM_TAGS = 100;

export const ID_PATTERN = /^[A-Za-z0-9\-_.:]{16,128}$/;

/** Control characters would reach Datadog byte for byte and show up as garbage, or forge lines in a log. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * What Node makes of bytes that are not UTF-8 (in argv or the environment): the replacement character. Sent as is,
 * the name Datadog records would silently differ from the one the user's system holds.
 */
const NOT_UTF8 = '\ufffd';

/** The checks of any text value: not empty, no control characters, valid UTF-8, not too long. */
function textChecks(label: string, max: number) {
  return [
    z.refine<string>((value) => value.length > 0, `${label} must not be empty`),
    z.refine<string>(
      (value) => !CONTROL.test(value),
      `${label} must not contain control characters (a newline, an escape sequence)`,
    ),
    z.refine<string>((value) => !value.includes(NOT_UTF8), `${label} holds bytes that are not valid UTF-8`),
    z.maxLength(max, `${label} is longer than ${max} characters`),
  ] as const;
}

/**
 * Each schema is built once per label and kept: an import checks every record with the same few labels, and
 * building zod schemas per value would cost time and, over 100,000 records, memory.
 */
const built = new Map<string, unknown>();
function once<T>(key: string, build: () => T): T {
  let schema = built.get(key) as T | undefined;
  if (schema === undefined) {
    schema = build();
    built.set(key, schema);
  }
  return schema;
}

export function text(label: string, max = MAX_VALUE_LENGTH) {
  return once(`text\0${label}\0${max}`, () => z.string().check(...textChecks(label, max)));
}

export function eventId(label = '--id') {
  return once(`id\0${label}`, () =>
    z
      .string()
      .check(z.regex(ID_PATTERN, `${label} must be 16 to 128 characters of letters, digits, "-", "_", "." or ":"`)),
  );
}

export function customTags(label = '--custom-tags') {
  return once(`tags\0${label}`, () => customTagsSchema(label));
}

function customTagsSchema(label: string) {
  return z
    .array(
      z
        .string()
        .check(
          z.regex(/^[^:]+:[\s\S]+$/, `${label} takes key:value pairs (a tag without a value is refused)`),
          ...textChecks(`${label}: a tag`, MAX_VALUE_LENGTH),
        ),
    )
    .check(z.maxLength(MAX_CUSTOM_TAGS, `${label}: at most ${MAX_CUSTOM_TAGS} tags per event`));
}

/** Turns the first zod issue into the message a user sees. */
export function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  // Structural issues (wrong type) carry zod's own wording; add the field path so it can still be traced.
  return issue.code === 'custom' ||
    issue.code === 'invalid_format' ||
    issue.code === 'too_big' ||
    issue.code === 'too_small'
    ? issue.message
    : `${issue.path.join('.')}: ${issue.message}`;
}
