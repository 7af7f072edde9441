/**
 * Change failures: finding a deployment by service, env and version, and marking it as a change failure remediated by
 * another, which is what Datadog's change failure rate and failed-deployment recovery time are computed from. Used by
 * `dora deployment … --rollback-of/--rollforward-of` (after recording the fix) and `dora deployment update`.
 */
import { listCall } from './api/calls.js';
import type { ApiClient, PlannedCall } from './api/client.js';
import { RejectedError } from './errors.js';
import { type Patch, readListed, searchQuery } from './events/records.js';
import type { DeploymentPick } from './input/records.js';
import type { Reporter } from './output/reporter.js';
import { shellOptions, shellQuote } from './output/shell.js';
import { apiInstant, formatInstant } from './time.js';

/** How far back the failed deployment is looked for: as long as Datadog keeps events. */
const LOOKBACK_NS = 730n * 86_400n * 1_000_000_000n;

/** How many candidates one lookup reads: the newest match that finished in time is among the first. */
const LOOKUP_LIMIT = 10;

/** The list request that finds the candidates of a pick: that service, env and version, finished by `before`. */
export function lookupCall(pick: DeploymentPick): PlannedCall {
  return listCall('deployment', {
    from: apiInstant(pick.before - LOOKBACK_NS),
    to: apiInstant(pick.before, true),
    limit: LOOKUP_LIMIT,
    query: searchQuery({ service: pick.service, env: pick.env, version: pick.version }),
  });
}

/**
 * The newest deployment of the pick that finished before `pick.before` (strictly: a rollback recorded after the fact
 * must never mark a later deployment), other than `except`; or exit 4 saying none was found.
 */
export async function findDeployment(
  pick: DeploymentPick,
  except: string | undefined,
  client: ApiClient,
): Promise<string> {
  const answer = await client.call(lookupCall(pick));
  // Only what was asked for: a gateway that ignores the query must not get another service's deployment marked.
  // Case aside, as Datadog may read tag values back in lower case.
  const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  const match = readListed('deployment', answer.json)
    .filter(
      (record) =>
        record.id !== except &&
        record.services.some((service) => same(service, pick.service)) &&
        same(record.env, pick.env) &&
        same(record.version, pick.version) &&
        record.finishedAt !== undefined &&
        record.finishedAt < pick.before,
    )
    .sort((a, b) => ((b.finishedAt as bigint) > (a.finishedAt as bigint) ? 1 : -1))[0];
  if (!match) {
    throw new RejectedError(
      `No such deployment: none of ${pick.service} to ${pick.env} with version ${pick.version} finished before ` +
        `${formatInstant(pick.before)}${except === undefined ? '' : ' (when this one started)'}.`,
    );
  }
  return match.id;
}

/** The command that makes the same mark later on deployment `<id>`, printed when it could not be made now. */
function updateHint(patch: Patch, where: readonly string[]): string {
  const parts = ['dora deployment update <id>'];
  parts.push(patch.changeFailure ? '--change-failure' : '--no-change-failure');
  if (patch.remediation) {
    parts.push(
      'id' in patch.remediation
        ? `--remediated-by ${shellQuote(patch.remediation.id)}`
        : `--remediated-by-version ${shellQuote(patch.remediation.version)}`,
    );
    parts.push(`--remediation-type ${patch.remediation.type}`);
  }
  parts.push(...shellOptions(where));
  return parts.join(' ');
}

/**
 * Says on stderr that the mark of `pick` could not be made, and how to make it later. Not as a pick: run later, it
 * would take the newest deployment of that version then, which may have finished after the remediation. The failed
 * deployment is found by listing those that finished in time, then marked by its id.
 */
export function sayMarkLater(
  reporter: Reporter,
  pick: DeploymentPick,
  patch: Patch,
  where: readonly string[],
  keptId: string,
): void {
  const list = [
    'dora deployment list',
    `--service ${shellQuote(pick.service)}`,
    `--env ${shellQuote(pick.env)}`,
    `--version ${shellQuote(pick.version)}`,
    `--since -730d --until ${formatInstant(pick.before)}`,
    ...shellOptions(where),
  ];
  reporter.info(
    `The new deployment stays recorded (id ${keptId}). To mark the failed one later, find it (the newest of these):`,
  );
  reporter.info(`  ${list.join(' ')}`);
  reporter.info('then mark it by its id:');
  reporter.info(`  ${updateHint(patch, where)}`);
}
