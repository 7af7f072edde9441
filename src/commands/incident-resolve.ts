/**
 * `dora incident resolve <id>`: reads the open incident back and sends it again with every attribute it had, plus
 * its finish. Resolving by resending needs the same id, services, env and start, and a resend replaces the event:
 * reading it back is what makes sure nothing is lost or mistyped.
 */
import { Command } from 'commander';
import { fetchCall } from '../api/calls.js';
import type { PreparedEvent } from '../api/client.js';
import { UsageError } from '../errors.js';
import { FAILURE_PATH, failureBody } from '../events/failure.js';
import { type EventRecord, readFetched } from '../events/records.js';
import { addVerbFlags, single } from '../input/flags.js';
import { type ResolveFlags, resolveInput } from '../input/records.js';
import { eventsOutcome, reportRecording } from '../output/recording.js';
import { shown } from '../output/redact.js';
import { formatInstant } from '../time.js';
import type { Verb } from './verb.js';

export const incidentResolve: Verb<ResolveFlags> = {
  command() {
    const command = new Command('resolve')
      .argument('<id>', "the open incident's id")
      .description('Resolve an open incident: read it back and send it again, unchanged, with its finish.')
      .addOption(single('--finished-at <time>', 'when service was restored (default: now)'));
    return addVerbFlags(command, 'read nothing and send nothing: show what would be done (no key, no network)');
  },

  async run({ flags, args }, world) {
    const input = resolveInput(args[0] as string, flags, world.ctx);
    const { reporter } = world;
    const client = world.client(input.delivery, { dryRun: input.dryRun });
    const read = fetchCall('incident', input.id);
    if (input.dryRun) {
      const url = `${input.delivery.target.baseUrl}${FAILURE_PATH}`;
      reporter.info(`Dry run: nothing read or sent. A real run would GET ${client.shown(read).url}, then POST the`);
      reporter.info(
        `incident again to ${url}, with every attribute it has and finished_at ${formatInstant(input.finishedAt)}.`,
      );
      return {
        result: {
          ok: true,
          exit_code: 0,
          dry_run: true,
          recorded: false,
          kind: 'incident',
          id: input.id,
          requests: [client.shown(read)],
        },
      };
    }
    const open = readFetched('incident', (await client.call(read)).json, input.id);
    if (open.finishedAt !== undefined) {
      throw new UsageError(
        `Incident ${input.id} is already resolved (finished ${formatInstant(open.finishedAt)}); nothing was sent.`,
      );
    }
    if (open.startedAt > input.finishedAt) {
      const finish = flags.finishedAt === undefined ? 'now' : '--finished-at';
      throw new UsageError(
        `Incident ${input.id} starts at ${formatInstant(open.startedAt)}, after ${finish} ` +
          `(${formatInstant(input.finishedAt)}): it cannot be resolved before it starts. Nothing was sent.`,
      );
    }
    const event = resolution(open, input.finishedAt);
    const recording = reportRecording([event], await client.record([event]), reporter, {
      softFail: false,
      resendWith: input.delivery.where,
    });
    return eventsOutcome('incident', recording, { softFail: false }, reporter);
  },
};

/** The incident as it was read, with its finish: every attribute it had, so the resend loses nothing. */
function resolution(open: EventRecord, finishedAt: bigint): PreparedEvent {
  return {
    kind: 'incident',
    id: open.id,
    path: FAILURE_PATH,
    payload: failureBody({
      id: open.id,
      services: open.services,
      startedAt: open.startedAt,
      finishedAt,
      team: open.team,
      env: open.env,
      version: open.version,
      name: open.name,
      severity: open.severity,
      customTags: open.customTags.length > 0 ? open.customTags : undefined,
      git:
        open.repositoryUrl !== undefined && open.commitSha !== undefined
          ? { repository_url: open.repositoryUrl, commit_sha: open.commitSha }
          : undefined,
    }),
    title: `resolution of the incident on ${open.services.map(shown).join(', ') || `team ${shown(open.team ?? '')}`}`,
  };
}
