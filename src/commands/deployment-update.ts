/**
 * `dora deployment update`: mark a deployment as a change failure (or not), and name the deployment that remediated
 * it: the PATCH Datadog's change failure rate and failed-deployment recovery time are computed from.
 */
import { Command, Option } from 'commander';
import { patchCall } from '../api/calls.js';
import { toJson } from '../events/json.js';
import { addVerbFlags, single } from '../input/flags.js';
import { type UpdateFlags, updateInput } from '../input/records.js';
import { findDeployment, lookupCall } from '../remediation.js';
import type { Verb } from './verb.js';

export const deploymentUpdate: Verb<UpdateFlags> = {
  command() {
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
    // Both forms set one value, the last one winning: given both, which was meant is the user's call.
    const said = new Set<string>();
    for (const form of ['change-failure', 'no-change-failure']) {
      command.on(`option:${form}`, () => {
        said.add(form);
        if (said.size === 2) command.setOptionValue('changeFailureBoth', true);
      });
    }
    addVerbFlags(command, 'print the requests that would be made and stop (no key, no network)');
    return command.addHelpText(
      'after',
      `
Examples:
  $ dora deployment update 7f3c…e1 --change-failure --remediated-by 9a0b…c4 --remediation-type rollforward
  $ dora deployment update --service checkout --env prod --version 1.4.2 --change-failure \\
      --remediated-by-version 1.4.1 --remediation-type rollback
  $ dora deployment update 7f3c…e1 --no-change-failure`,
    );
  },

  async run({ flags, args }, world) {
    const input = updateInput(args[0], flags, world.ctx);
    const { reporter } = world;
    const client = world.client(input.delivery, { dryRun: input.dryRun });
    const change = { kind: 'deployment' as const, change_failure: input.patch.changeFailure };
    if (input.dryRun) {
      const calls =
        'id' in input.target
          ? [patchCall(input.target.id, input.patch)]
          : [lookupCall(input.target.pick), patchCall('<found by lookup>', input.patch)];
      if ('pick' in input.target) {
        const { service, env, version } = input.target.pick;
        reporter.info(
          `A real run would first look up the most recent ${service} deployment to ${env} with version ${version}.`,
        );
      }
      for (const call of calls)
        reporter.info(`Dry run: nothing changed. A real run would ${call.method} ${client.shown(call).url}.`);
      const id = 'id' in input.target ? input.target.id : undefined;
      const requests = calls.map((call) => client.shown(call));
      return {
        result: { ...change, ok: true, exit_code: 0, id, dry_run: true, requests },
        text: calls.map((call) => toJson(call.body ?? null)).join('\n'),
      };
    }
    const id = 'id' in input.target ? input.target.id : await findDeployment(input.target.pick, undefined, client);
    const answer = await client.call(patchCall(id, input.patch));
    reporter.success(`Updated deployment ${id} (HTTP ${answer.status}).`);
    return { result: { ...change, ok: true, exit_code: 0, id, status: answer.status } };
  },
};
