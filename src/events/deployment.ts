/** The deployment event's wire form (`POST /api/v2/dora/deployment`), from checked input: no checks here. */
import type { GitFacts } from '../git/resolve.js';
import { compact, type JsonValue } from './json.js';

export const DEPLOYMENT_PATH = '/api/v2/dora/deployment';

export interface DeploymentEvent {
  service: string;
  startedAt: bigint;
  finishedAt: bigint;
  id: string;
  env?: string | undefined;
  version?: string | undefined;
  team?: string | undefined;
  customTags?: string[] | undefined;
  git?: GitFacts | undefined;
}

export function deploymentBody(event: DeploymentEvent): JsonValue {
  return {
    data: {
      attributes: compact({
        service: event.service,
        started_at: event.startedAt,
        finished_at: event.finishedAt,
        env: event.env,
        version: event.version,
        team: event.team,
        id: event.id,
        custom_tags: event.customTags,
        git: event.git,
      }),
    },
  };
}
