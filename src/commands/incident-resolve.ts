/**
 * `dora incident resolve <id>`: reads the open incident back and sends it again with every attribute it had, plus
 * its finish. Resolving by resending needs the same id, services, env and start, and a resend replaces the event:
 * reading it back is what makes sure nothing is lost or mistyped.
 */
import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { FAILURE_PATH, failureBody } from '../events/failure.js';
import { deliveryInput } from '../input/delivery.js';
import { checkOrder, recordId, timeField } from '../input/event.js';
import { shown } from '../output/redact.js';
import { formatInstant } from '../time.js';
import { prepareCalls } from './call.js';
import { single } from './options.js';
import { fetchCall, fetchRecord, type ReporterFor, type VerbOptions, verbOptions } from './records.js';
import { type PreparedEvent, recordEvents } from './send.js';

interface ResolveOptions extends VerbOptions {
  finishedAt?: string;
}

export function resolveCommand(reporterFor: ReporterFor, ctx: Context): Command {
  const command = new Command('resolve')
    .argument('<id>', "the open incident's id")
    .description('Resolve an open incident: read it back and send it again, unchanged, with its finish.')
    .addOption(single('--finished-at <time>', 'when service was restored (default: now)'));
  verbOptions(command, 'read nothing and send nothing: show what would be done (no key, no network)');
  return command.action(async (rawId: string, options: ResolveOptions) => {
    const reporter = reporterFor(options.verbose === true);
    const delivery = deliveryInput(options, ctx.config);
    const id = recordId(rawId);
    const finishedAt = timeField(options.finishedAt ?? 'now', '--finished-at', ctx.nowNs()) as bigint;
    if (options.dryRun) {
      await fetchRecord('incident', id, delivery, options, ctx, reporter);
      reporter.info(
        `A real run would then POST the incident again to ${delivery.target.baseUrl}${FAILURE_PATH}, with finished_at ${formatInstant(finishedAt)}.`,
      );
      return;
    }
    // Both keys are checked before anything is sent: reading needs the application key, resending the API key.
    const keys = prepareCalls([fetchCall('incident', id)], delivery, ctx, reporter);
    const open = await fetchRecord('incident', id, delivery, options, ctx, reporter, keys);
    if (!open) return;
    if (open.finishedAt !== undefined) {
      throw new UsageError(
        `Incident ${id} is already resolved (finished ${formatInstant(open.finishedAt)}); nothing was sent.`,
      );
    }
    checkOrder(open.startedAt, finishedAt, 'an incident cannot be resolved before it starts');
    const event: PreparedEvent = {
      kind: 'incident',
      path: FAILURE_PATH,
      id,
      payload: failureBody({
        id,
        services: open.services,
        startedAt: open.startedAt,
        finishedAt,
        ...(open.team !== undefined ? { team: open.team } : {}),
        ...(open.env !== undefined ? { env: open.env } : {}),
        ...(open.version !== undefined ? { version: open.version } : {}),
        ...(open.name !== undefined ? { name: open.name } : {}),
        ...(open.severity !== undefined ? { severity: open.severity } : {}),
        ...(open.customTags.length > 0 ? { customTags: open.customTags } : {}),
        ...(open.repository !== undefined && open.commitSha !== undefined
          ? { git: { repository_url: open.repository, commit_sha: open.commitSha } }
          : {}),
      }),
      title: `resolution of the incident on ${open.services.map(shown).join(', ') || `team ${shown(open.team ?? '')}`}`,
      summary: {
        state: 'resolved',
        services: open.services,
        started_at: String(open.startedAt),
        finished_at: String(finishedAt),
      },
    };
    await recordEvents([event], keys, delivery, { json: options.json === true }, ctx, reporter);
  });
}
