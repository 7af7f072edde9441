/**
 * The checks shared by every event, as zod (mini) schemas whose messages name the flag a user would fix.
 * Values are kept byte-exact (no trimming): what the user typed is what Datadog stores.
 */
import * as z from 'zod/mini';

/** Datadog keeps tags and names to 200 characters; longer values would be cut or refused by the intake. */
export const MAX_VALUE_LENGTH = 200;
export const MAX_NAME_LENGTH = 1024;
export const MAX_URL_LENGTH = 2048;
export const MAX_CUSTOM_TAGS = 100;

export const ID_PATTERN = /^[A-Za-z0-9\-_.:]{16,128}$/;
export const SHA_PATTERN = /^[a-fA-F0-9]{40,64}$/;

export function text(flag: string, max = MAX_VALUE_LENGTH) {
  return z.string().check(
    z.refine((value) => value.trim().length > 0, `${flag} must not be empty`),
    z.maxLength(max, `${flag} is longer than ${max} characters`),
  );
}

export const eventId = z.string().check(
  z.regex(ID_PATTERN, '--id must be 16 to 128 characters of letters, digits, "-", "_", "." or ":"'),
);

export const customTags = z.array(
  z.string().check(
    z.regex(/^[^:]+:[^]+$/, '--custom-tags takes key:value pairs (a tag without a value is refused)'),
    z.maxLength(MAX_VALUE_LENGTH, `--custom-tags: a tag is longer than ${MAX_VALUE_LENGTH} characters`),
  ),
).check(z.maxLength(MAX_CUSTOM_TAGS, `--custom-tags: at most ${MAX_CUSTOM_TAGS} tags per event`));

export const commitSha = z.string().check(
  z.regex(SHA_PATTERN, 'the commit SHA must be 40 to 64 hexadecimal characters'),
);

export const git = z.object({
  repository_url: text('--git-repository-url', MAX_URL_LENGTH),
  commit_sha: commitSha,
});

export const nanoseconds = z.bigint();

/** Turns the first zod issue into the message a user sees. */
export function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  // Structural issues (wrong type) carry zod's own wording; add the field path so it can still be traced.
  return issue.code === 'custom' || issue.code === 'invalid_format' || issue.code === 'too_big' || issue.code === 'too_small'
    ? issue.message
    : `${issue.path.join('.')}: ${issue.message}`;
}
