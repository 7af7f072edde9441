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

export function text(label: string, max = MAX_VALUE_LENGTH) {
  return z.string().check(
    z.refine((value) => value.length > 0, `${label} must not be empty`),
    z.refine(
      (value) => !CONTROL.test(value),
      `${label} must not contain control characters (a newline, an escape sequence)`,
    ),
    z.maxLength(max, `${label} is longer than ${max} characters`),
  );
}

export function eventId(label = '--id') {
  return z
    .string()
    .check(z.regex(ID_PATTERN, `${label} must be 16 to 128 characters of letters, digits, "-", "_", "." or ":"`));
}

export const customTags = z
  .array(
    z.string().check(
      z.regex(/^[^:]+:[\s\S]+$/, '--custom-tags takes key:value pairs (a tag without a value is refused)'),
      z.refine((value) => !CONTROL.test(value), '--custom-tags must not contain control characters'),
      z.maxLength(MAX_VALUE_LENGTH, `--custom-tags: a tag is longer than ${MAX_VALUE_LENGTH} characters`),
    ),
  )
  .check(z.maxLength(MAX_CUSTOM_TAGS, `--custom-tags: at most ${MAX_CUSTOM_TAGS} tags per event`));

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
