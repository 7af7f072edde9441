/** `dora deployment delete <id>` and `dora incident delete <id>`: asks at a terminal, needs --yes otherwise. */
import { Command, Option } from 'commander';
import { deleteCall } from '../api/calls.js';
import { UsageError } from '../errors.js';
import type { RecordKind } from '../events/records.js';
import { addVerbFlags } from '../input/flags.js';
import { type DeleteFlags, deleteInput } from '../input/records.js';
import type { Verb } from './verb.js';

function remove(kind: RecordKind): Verb<DeleteFlags> {
  return {
    command() {
      const command = new Command('delete')
        .argument('<id>', `the ${kind}'s id`)
        .description(`Delete a recorded ${kind}.`)
        .addOption(new Option('--yes', 'delete without asking (required without an interactive terminal)'));
      return addVerbFlags(command, 'print the request that would be made and stop (no key, no network)');
    },
    async run({ flags, args }, world) {
      const input = deleteInput(kind, args[0] as string, flags, world.ctx);
      const { reporter } = world;
      const client = world.client(input.delivery, { dryRun: input.dryRun });
      const call = deleteCall(kind, input.id);
      const base = { kind, id: input.id };
      if (input.dryRun) {
        reporter.info(`Dry run: nothing deleted. A real run would DELETE ${client.shown(call).url}.`);
        return {
          result: { ...base, ok: true, exit_code: 0, deleted: false, dry_run: true, requests: [client.shown(call)] },
        };
      }
      if (!input.yes) {
        const question = `Delete ${kind} ${input.id}? This cannot be undone. [y/N] `;
        const answer = reporter.interactive ? await world.ctx.confirm?.(question) : undefined;
        if (answer === undefined) {
          throw new UsageError('Deleting needs --yes without an interactive terminal: nothing was deleted.');
        }
        if (answer !== 'yes') {
          reporter.info('Nothing was deleted.');
          // Ctrl-C at the question is an interruption (exit 130); a plain "no" or Ctrl-D is an answer (exit 0).
          const code = answer === 'interrupted' ? 130 : 0;
          return {
            result: {
              ...base,
              ok: code === 0,
              exit_code: code,
              deleted: false,
              error: code ? 'Interrupted at the question: nothing was deleted.' : undefined,
            },
          };
        }
      }
      const answer = await client.call(call);
      reporter.success(`Deleted ${kind} ${input.id} (HTTP ${answer.status}).`);
      return { result: { ...base, ok: true, exit_code: 0, deleted: true, status: answer.status } };
    },
  };
}

export const deploymentDelete = remove('deployment');
export const incidentDelete = remove('incident');
