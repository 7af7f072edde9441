/** Every top-level command, in the order `dora --help` lists them. Each builds its commander Command for one run. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../output/reporter.js';
import { deploymentCommand, runDeployment } from './deployment.js';
import { doctorCommand, runDoctor } from './doctor.js';
import { incidentCommand, runIncident } from './incident.js';

/**
 * A command's builder: given how to make a Reporter (verbose or not), the run's Context, and the words after `--`
 * (a deploy command to wrap), if any.
 */
export type CommandBuilder = (reporterFor: (verbose: boolean) => Reporter, ctx: Context, wrapped: readonly string[] | undefined) => Command;

/** Only `dora deployment` runs a command; anywhere else, words after `--` are a mistake worth saying. */
function noWrapped(wrapped: readonly string[] | undefined, name: string): void {
  if (wrapped !== undefined) throw new UsageError(`dora ${name} runs no command: only dora deployment takes one after --.`);
}

export const COMMANDS: readonly CommandBuilder[] = [
  (reporterFor, ctx, wrapped) =>
    deploymentCommand((options) => runDeployment(options, ctx, reporterFor(options.verbose === true), wrapped)),
  (reporterFor, ctx, wrapped) =>
    incidentCommand(async (options) => {
      noWrapped(wrapped, 'incident');
      await runIncident(options, ctx, reporterFor(options.verbose === true));
    }),
  (reporterFor, ctx, wrapped) =>
    doctorCommand(async (options) => {
      noWrapped(wrapped, 'doctor');
      await runDoctor(options, ctx, reporterFor(options.verbose === true));
    }),
];
