/** `dora deployment show <id>` and `dora incident show <id>`: one recorded event, as a block or the API's `data`. */
import { Command } from 'commander';
import { fetchCall } from '../api/calls.js';
import { type RecordKind, readFetched } from '../events/records.js';
import { addVerbFlags, type VerbFlags } from '../input/flags.js';
import { showInput } from '../input/records.js';
import { recordBlock } from '../output/records.js';
import type { Verb } from './verb.js';

function show(kind: RecordKind): Verb<VerbFlags> {
  return {
    command() {
      const command = new Command('show').argument('<id>', `the ${kind}'s id`).description(`Show a recorded ${kind}.`);
      return addVerbFlags(command, 'print the request that would be made and stop (no key, no network)');
    },
    async run({ flags, args }, world) {
      const input = showInput(kind, args[0] as string, flags, world.ctx);
      const client = world.client(input.delivery, { dryRun: input.dryRun });
      const call = fetchCall(kind, input.id);
      if (input.dryRun) {
        world.reporter.info(`Dry run: nothing read. A real run would GET ${client.shown(call).url}.`);
        const result = {
          ok: true,
          exit_code: 0,
          kind,
          id: input.id,
          dry_run: true as const,
          requests: [client.shown(call)],
        };
        return { result };
      }
      const record = readFetched(kind, (await client.call(call)).json, input.id);
      return { result: { ok: true, exit_code: 0, kind, id: record.id, data: record.raw }, text: recordBlock(record) };
    },
  };
}

export const deploymentShow = show('deployment');
export const incidentShow = show('incident');
