/**
 * Change failures: marking a deployment as one, and naming the deployment that remediated it, which is what
 * Datadog's change failure rate and failed-deployment recovery time are computed from.
 * - `dora deployment update <id>` (or `--service --env --version` to find it) sends the PATCH;
 * - `dora deployment … --rollback-of <v>` / `--rollforward-of <v>` records the fix, then finds the failed deployment
 *   of version <v> and marks it, with this deployment as its remediation.
 */
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { DoraError, RejectedError, UsageError } from '../errors.js';
import { type JsonValue, toJson } from '../events/json.js';
import {
  type ListQuery,
  PATHS,
  type Patch,
  patchBody,
  queryTerm,
  type RemediationType,
  rfc3339,
} from '../events/records.js';
import { type DeliveryInput, deliveryInput } from '../input/delivery.js';
import { recordId } from '../input/event.js';
import type { Reporter } from '../output/reporter.js';
import { shellQuote } from '../output/shell.js';
import { describeDryRun, type Keys, type PlannedCall, perform, prepareCalls } from './call.js';
import { single } from './options.js';
import { listCall, listRecords, type ReporterFor, type VerbOptions, verbOptions, WRITE } from './records.js';

/** How far back the failed deployment is looked for: as long as Datadog keeps events. */
const LOOKBACK_NS = 730n * 86_400n * 1_000_000_000n;

export interface Pick {
  service: string;
  env: string;
  version: string;
}

/** The PATCH that marks `id`; its id is a placeholder in a dry run of a rollback, where the lookup has not run. */
export function patchCall(id: string, patch: Patch): PlannedCall {
  return {
    method: 'PATCH',
    path: PATHS.deployment.patch(id),
    body: toJson(patchBody(id, patch)),
    action: 'update',
    noun: 'deployment',
    appKeyPermission: WRITE,
    title: `deployment ${id}`,
  };
}

/** The most recent deployment of that service, env and version (other than `except`), or exit 4. */
export function lookupQuery(pick: Pick, nowNs: bigint): ListQuery {
  const query = [
    queryTerm('service', pick.service),
    queryTerm('env', pick.env),
    queryTerm('version', pick.version),
  ].join(' ');
  return { from: rfc3339(nowNs - LOOKBACK_NS), to: rfc3339(nowNs), limit: 10, query };
}

export async function findDeployment(
  pick: Pick,
  except: string | undefined,
  keys: Keys,
  delivery: DeliveryInput,
  ctx: Context,
  reporter: Reporter,
): Promise<string> {
  const found =
    (await listRecords('deployment', lookupQuery(pick, ctx.nowNs()), delivery, {}, ctx, reporter, keys)) ?? [];
  const match = found.find((record) => record.id !== except);
  if (!match)
    throw new RejectedError(
      `No such deployment: none of ${pick.service} to ${pick.env} with version ${pick.version} was found.`,
    );
  return match.id;
}

/** The exact command that makes the same mark later, printed when it could not be made now. */
export function updateHint(target: string | Pick, patch: Patch): string {
  const parts = ['dora deployment update'];
  if (typeof target === 'string') parts.push(shellQuote(target));
  else
    parts.push(
      `--service ${shellQuote(target.service)}`,
      `--env ${shellQuote(target.env)}`,
      `--version ${shellQuote(target.version)}`,
    );
  parts.push(patch.changeFailure ? '--change-failure' : '--no-change-failure');
  if (patch.remediation) {
    parts.push(
      'id' in patch.remediation
        ? `--remediated-by ${shellQuote(patch.remediation.id)}`
        : `--remediated-by-version ${shellQuote(patch.remediation.version)}`,
    );
    parts.push(`--remediation-type ${patch.remediation.type}`);
  }
  return parts.join(' ');
}

/**
 * After a rollback or rollforward was recorded: find the failed deployment and mark it. Reports on stderr; a failure
 * leaves the new deployment recorded and prints the command to run later. Returns the --json members and exit code.
 */
export async function markRemediated(
  failed: Pick,
  remediation: { id: string; type: RemediationType },
  keys: Keys,
  delivery: DeliveryInput,
  ctx: Context,
  reporter: Reporter,
): Promise<{ json: { [key: string]: JsonValue | undefined }; exitCode: number }> {
  const patch: Patch = { changeFailure: true, remediation };
  try {
    const id = await findDeployment(failed, remediation.id, keys, delivery, ctx, reporter);
    const answer = await perform(patchCall(id, patch), keys, delivery, ctx, reporter);
    reporter.success(
      `Marked deployment ${id} (${failed.service} ${failed.version}) as a change failure, remediated by ${remediation.id} (${remediation.type}).`,
    );
    return {
      json: { remediated: { id, version: failed.version, type: remediation.type, status: answer.status } },
      exitCode: 0,
    };
  } catch (error) {
    if (!(error instanceof DoraError)) throw error;
    reporter.error(error.message);
    reporter.info(`The new deployment stays recorded (id ${remediation.id}). Mark the failed one later with:`);
    reporter.info(`  ${updateHint(failed, patch)}`);
    return { json: { remediated: null, remediation_error: error.message }, exitCode: error.exitCode };
  }
}

// --- dora deployment update ---------------------------------------------------------------------------------------

interface UpdateOptions extends VerbOptions {
  changeFailure?: boolean;
  remediatedBy?: string;
  remediatedByVersion?: string;
  remediationType?: string;
  service?: string;
  env?: string;
  version?: string;
}

export function updateCommand(reporterFor: ReporterFor, ctx: Context): Command {
  const command = new Command('update')
    .argument('[id]', 'the deployment to change (or pick it with --service, --env and --version)')
    .description('Mark a deployment as a change failure (or not), and name the deployment that remediated it.')
    .addOption(new Option('--change-failure', 'mark it as a change failure'))
    .addOption(new Option('--no-change-failure', 'unmark it (a false positive)'))
    .addOption(single('--remediated-by <id>', 'the deployment that remediated it'))
    .addOption(single('--remediated-by-version <version>', 'the version of the deployment that remediated it'))
    .addOption(new Option('--remediation-type <type>', 'how it was remediated').choices(['rollback', 'rollforward']))
    .addOption(
      single('--service <service>', 'with --env and --version instead of <id>: the most recent such deployment'),
    )
    .addOption(single('--env <env>', 'see --service'))
    .addOption(single('--version <version>', 'see --service'));
  verbOptions(command, 'print the requests that would be made and stop (no key, no network)');
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ dora deployment update 7f3c…e1 --change-failure --remediated-by 9a0b…c4 --remediation-type rollforward
  $ dora deployment update --service checkout --env prod --version 1.4.2 --change-failure \\
      --remediated-by-version 1.4.1 --remediation-type rollback
  $ dora deployment update 7f3c…e1 --no-change-failure`,
    )
    .action(async (rawId: string | undefined, options: UpdateOptions) => {
      const reporter = reporterFor(options.verbose === true);
      const delivery = deliveryInput(options, ctx.config);
      const { target, patch } = updateInput(rawId, options);
      const placeholder = typeof target === 'string' ? target : '<found by lookup>';
      if (options.dryRun) {
        if (typeof target !== 'string')
          reporter.info(
            `A real run would first look up the most recent ${target.service} deployment to ${target.env} with version ${target.version}.`,
          );
        const call = patchCall(placeholder, patch);
        reporter.result(call.body as string);
        describeDryRun([call], delivery, reporter);
        return;
      }
      const keys = prepareCalls(
        [
          patchCall(placeholder, patch),
          ...(typeof target === 'string' ? [] : [listCall('deployment', lookupQuery(target, ctx.nowNs()))]),
        ],
        delivery,
        ctx,
        reporter,
      );
      const id =
        typeof target === 'string' ? target : await findDeployment(target, undefined, keys, delivery, ctx, reporter);
      const answer = await perform(patchCall(id, patch), keys, delivery, ctx, reporter);
      reporter.success(`Updated deployment ${id} (HTTP ${answer.status}).`);
      if (options.json)
        reporter.result(
          toJson({ ok: true, kind: 'deployment', id, status: answer.status, change_failure: patch.changeFailure }),
        );
    });
}

function updateInput(rawId: string | undefined, options: UpdateOptions): { target: string | Pick; patch: Patch } {
  const pickGiven = [options.service, options.env, options.version].filter((value) => value !== undefined).length;
  if (rawId !== undefined && pickGiven > 0)
    throw new UsageError('Give the deployment either by <id> or by --service, --env and --version, not both.');
  if (rawId === undefined && pickGiven < 3)
    throw new UsageError('Which deployment? Give its <id>, or --service, --env and --version together.');
  if (options.remediatedBy !== undefined && options.remediatedByVersion !== undefined) {
    throw new UsageError('--remediated-by and --remediated-by-version name the same thing: give one.');
  }
  const by = options.remediatedBy ?? options.remediatedByVersion;
  if (by !== undefined && options.remediationType === undefined)
    throw new UsageError('--remediation-type rollback|rollforward is required with a remediation.');
  if (by === undefined && options.remediationType !== undefined)
    throw new UsageError('--remediation-type needs --remediated-by or --remediated-by-version.');
  if (options.changeFailure === undefined && by === undefined) {
    throw new UsageError(
      'Nothing to change: give --change-failure, --no-change-failure or a remediation (--remediated-by … --remediation-type …).',
    );
  }
  if (options.changeFailure === false && by !== undefined)
    throw new UsageError('A deployment that is no change failure has no remediation: leave out --remediated-by.');
  const type = options.remediationType as RemediationType | undefined;
  const patch: Patch = {
    // A remediation is of a change failure: naming one marks it.
    changeFailure: options.changeFailure ?? true,
    ...(by !== undefined && type !== undefined
      ? {
          remediation:
            options.remediatedBy !== undefined
              ? { id: recordId(options.remediatedBy), type }
              : { version: by.trim(), type },
        }
      : {}),
  };
  const target =
    rawId !== undefined
      ? recordId(rawId)
      : {
          service: (options.service as string).trim(),
          env: (options.env as string).trim(),
          version: (options.version as string).trim(),
        };
  return { target, patch };
}
