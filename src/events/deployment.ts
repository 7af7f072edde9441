/** The deployment event: its checks and its wire form (`POST /api/v2/dora/deployment`). */
import * as z from 'zod/mini';
import { UsageError } from '../errors.js';
import { customTags, eventId, firstIssue, git, nanoseconds, text } from './fields.js';
import { compact, type JsonValue } from './json.js';

export const DEPLOYMENT_PATH = '/api/v2/dora/deployment';

const attributes = z.object({
  service: text('--service (or DD_SERVICE)'),
  started_at: nanoseconds,
  finished_at: nanoseconds,
  env: z.optional(text('--env (or DD_ENV)')),
  version: z.optional(text('--version (or DD_VERSION)')),
  team: z.optional(text('--team')),
  id: eventId,
  custom_tags: z.optional(customTags),
  git: z.optional(git),
});

export type DeploymentAttributes = z.infer<typeof attributes>;

/** Validates the attributes and wraps them as the request body; throws UsageError naming the flag at fault. */
export function deploymentPayload(input: DeploymentAttributes): JsonValue {
  const parsed = attributes.safeParse(input);
  if (!parsed.success) throw new UsageError(firstIssue(parsed.error));
  const event = parsed.data;
  if (event.started_at > event.finished_at) {
    throw new UsageError('--started-at is after --finished-at: a deployment cannot finish before it starts.');
  }
  return { data: { attributes: compact(event) } };
}
