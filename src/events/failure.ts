/** The failure (incident) event: its checks and its wire form (`POST /api/v2/dora/failure`). */
import * as z from 'zod/mini';
import { UsageError } from '../errors.js';
import { MAX_NAME_LENGTH, customTags, eventId, firstIssue, git, nanoseconds, text } from './fields.js';
import { compact, type JsonValue } from './json.js';

export const FAILURE_PATH = '/api/v2/dora/failure';

const attributes = z.object({
  services: z.optional(z.array(text('--service (or DD_SERVICE)'))),
  team: z.optional(text('--team')),
  started_at: nanoseconds,
  finished_at: z.optional(nanoseconds),
  name: z.optional(text('--name', MAX_NAME_LENGTH)),
  severity: z.optional(text('--severity')),
  env: z.optional(text('--env (or DD_ENV)')),
  version: z.optional(text('--version (or DD_VERSION)')),
  id: eventId,
  custom_tags: z.optional(customTags),
  git: z.optional(git),
});

export type FailureAttributes = z.infer<typeof attributes>;

export function failurePayload(input: FailureAttributes): JsonValue {
  const parsed = attributes.safeParse(input);
  if (!parsed.success) throw new UsageError(firstIssue(parsed.error));
  const event = parsed.data;
  if ((event.services?.length ?? 0) === 0 && event.team === undefined) {
    throw new UsageError('An incident needs at least one --service (or DD_SERVICE) or a --team.');
  }
  if (event.finished_at !== undefined && event.started_at > event.finished_at) {
    throw new UsageError('--started-at is after --finished-at: an incident cannot be resolved before it starts.');
  }
  return { data: { attributes: compact(event) } };
}
