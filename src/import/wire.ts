/**
 * A planned record on the wire: the body `dora deployment` or `dora incident` would send for it (the same builders),
 * with the plan's id and times (a record moved to a free second is sent at that second).
 */
import type { PreparedEvent } from '../api/client.js';
import { DEPLOYMENT_PATH, deploymentBody } from '../events/deployment.js';
import { FAILURE_PATH, failureBody } from '../events/failure.js';
import type { ImportEvent } from '../input/import.js';
import type { PlannedRecord } from './plan.js';

export function preparedRecord(record: PlannedRecord<ImportEvent>): PreparedEvent {
  const { event } = record;
  const common = {
    id: record.id,
    startedAt: record.startedAt,
    env: event.env,
    version: event.version,
    team: event.team,
    customTags: event.customTags,
    git: event.git,
  };
  if (event.kind === 'deployment') {
    const service = event.services[0] ?? '';
    return {
      kind: 'deployment',
      id: record.id,
      path: DEPLOYMENT_PATH,
      payload: deploymentBody({ ...common, service, finishedAt: record.finishedAt ?? record.startedAt }),
      title: `deployment of ${service}${event.env ? ` to ${event.env}` : ''}`,
    };
  }
  return {
    kind: 'incident',
    id: record.id,
    path: FAILURE_PATH,
    payload: failureBody({
      ...common,
      services: [...event.services],
      finishedAt: record.finishedAt,
      name: event.name,
      severity: event.severity,
    }),
    title: `incident of ${event.services.join(', ') || `team ${event.team ?? ''}`}`,
  };
}
