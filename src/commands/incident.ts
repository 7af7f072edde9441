/** `dora incident`: open a failure (no --finished-at) or record one already resolved; `resolve <id>` closes one. */
import { Command } from 'commander';
import { type PreparedEvent, recordCall } from '../api/client.js';
import { FAILURE_PATH, failureBody } from '../events/failure.js';
import { toJson } from '../events/json.js';
import {
  addDeliveryFlags,
  addEventFlags,
  addOutputFlags,
  addSoftFailFlag,
  type IncidentFlags,
  single,
} from '../input/flags.js';
import { type IncidentInput, incidentInput } from '../input/incident.js';
import { dryRunResult, eventsOutcome, reportRecording } from '../output/recording.js';
import { shown } from '../output/redact.js';
import { resendCommand } from '../output/resend.js';
import { reportGit, warnAboutTarget } from '../output/run-notes.js';
import { shellOptions, shellQuote } from '../output/shell.js';
import type { Verb } from './verb.js';

export const incident: Verb<IncidentFlags> = {
  command() {
    const command = new Command('incident')
      .description(
        'Open an incident (a failure of one or more services); resolve it later with dora incident resolve <id>.',
      )
      .addOption(single('--name <name>', 'short title of the incident'))
      .addOption(single('--severity <severity>', 'severity, e.g. SEV-1'));
    addEventFlags(command, 'incident');
    addOutputFlags(command, 'print the JSON body that would be sent and stop (no API key, no network)');
    addSoftFailFlag(command);
    addDeliveryFlags(command);
    return command.addHelpText(
      'after',
      `
At least one --service or a --team is required. No git data is sent unless --git-commit-sha names the commit that
caused the incident; the repository URL is then found as for deployments.

Verbs: dora incident resolve|show|list|delete (each takes --help).

Open, then resolve (resolve reads the incident back, so it needs DD_APP_KEY too):
  $ ID=$(dora incident --service checkout --service payments --team shop --env prod \\
      --started-at -10m --name "Checkout 5xx" --severity SEV-2 --json | jq -r .id)
  $ dora incident resolve "$ID"
  $ dora incident list --open --since -2d`,
    );
  },

  async run({ flags }, world) {
    const input = await incidentInput(flags, world.ctx);
    const { reporter } = world;
    for (const warning of input.warnings) reporter.warn(warning);
    if (input.git) reportGit(input.git.resolution, reporter, input.dryRun);
    warnAboutTarget(input.delivery.target, input.dryRun, reporter);
    const client = world.client(input.delivery, { dryRun: input.dryRun });
    const event = eventOf(input);
    if (input.dryRun) {
      const request = client.shown(recordCall(event));
      reporter.info(`Dry run: nothing sent. A real run would POST this incident (id ${event.id}) to ${request.url}.`);
      return { result: dryRunResult('incident', [event], [request]), text: toJson(event.payload) };
    }
    const recording = reportRecording([event], await client.record([event]), reporter, {
      softFail: input.softFail,
      resendWith: input.delivery.where,
    });
    if (recording.recorded) for (const line of afterRecorded(input, event)) reporter.info(line);
    return eventsOutcome('incident', recording, { softFail: input.softFail }, reporter);
  },
};

function eventOf(input: IncidentInput): PreparedEvent {
  const { services, fields, id } = input;
  const state = input.finishedAt === undefined ? 'opening' : 'resolution';
  const who = services.length > 0 ? services.map(shown).join(', ') : `team ${shown(fields.team ?? '')}`;
  return {
    kind: 'incident',
    id,
    path: FAILURE_PATH,
    payload: failureBody({
      services,
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      id,
      ...fields,
      name: input.name,
      severity: input.severity,
      git: input.git?.facts,
    }),
    title: `${state} of the incident on ${who}${fields.env ? ` in ${shown(fields.env)}` : ''}`,
  };
}

/** How to resolve what was just opened: a resend replaces the event, so the hint repeats every attribute. */
function afterRecorded(input: IncidentInput, event: PreparedEvent): string[] {
  if (input.finishedAt === undefined) {
    const where = input.delivery.where;
    return [
      `Resolve it later with: ${['dora incident resolve', shellQuote(event.id), ...shellOptions(where)].join(' ')}`,
      'or, without an application key, by sending it again with every attribute and the finish:',
      `  ${resendCommand('incident', event.payload, 'now', where)}`,
    ];
  }
  if (input.idGenerated) {
    return [
      'This recorded a new incident, already resolved. To resolve one that is open, give its id: ' +
        'dora incident resolve <id>, or resend it with --id and its other attributes.',
    ];
  }
  return [];
}
