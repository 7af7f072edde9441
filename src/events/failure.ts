/** The failure (incident) event's wire form (`POST /api/v2/dora/failure`), from checked input: no checks here. */
import type { GitFacts } from '../git/resolve.js';
import { compact, type JsonValue } from './json.js';

export const FAILURE_PATH = '/api/v2/dora/failure';

export interface FailureEvent {
  services: string[];
  team?: string | undefined;
  startedAt: bigint;
  finishedAt?: bigint | undefined;
  name?: string | undefined;
  severity?: string | undefined;
  env?: string | undefined;
  version?: string | undefined;
  id: string;
  customTags?: string[] | undefined;
  git?: GitFacts | undefined;
}

export function failureBody(event: FailureEvent): JsonValue {
  return {
    data: {
      attributes: compact({
        services: event.services,
        team: event.team,
        started_at: event.startedAt,
        finished_at: event.finishedAt,
        name: event.name,
        severity: event.severity,
        env: event.env,
        version: event.version,
        id: event.id,
        custom_tags: event.customTags,
        git: event.git,
      }),
    },
  };
}
