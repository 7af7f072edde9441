/** Every top-level command, in the order `dora --help` lists them. Each builds its commander Command for one run. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../output/reporter.js';
import { deploymentCommand, runDeployment } from './deployment.js';
import { doctorCommand, runDoctor } from './doctor.js';
import { incidentCommand, runIncident } from './incident.js';
import { resolveCommand } from './incident-resolve.js';
import { deleteCommand, listCommand, showCommand } from './records.js';
import { updateCommand } from './remediation.js';

/**
 * A command's builder: given how to make a Reporter (verbose or not), the run's Context, and the words after `--`
 * (a deploy command to wrap), if any. `name` lets the CLI build only the command a run asks for: building every
 * option of every verb is a measurable share of a run's start-up.
 */
export interface CommandBuilder {
  name: string;
  build(
    reporterFor: (verbose: boolean) => Reporter,
    ctx: Context,
    wrapped: readonly string[] | undefined,
    argv: readonly string[],
  ): Command;
}

/** Only `dora deployment` runs a command; anywhere else, words after `--` are a mistake worth saying. */
function noWrapped(wrapped: readonly string[] | undefined, name: string): void {
  if (wrapped !== undefined)
    throw new UsageError(`dora ${name} runs no command: only dora deployment takes one after --.`);
}

/**
 * Verbs under a command. The parent keeps its own options and action (`dora deployment --service …` records, as
 * ever); positional options keep a verb's options (`list --service`) from being taken for the parent's.
 */
function withVerbs(
  parent: Command,
  verbs: () => Command[],
  wrapped: readonly string[] | undefined,
  argv: readonly string[],
): Command {
  parent.enablePositionalOptions();
  // `dora deployment --service …` (an option right after the command) needs no verb: building them costs start-up.
  const next = argv[1];
  if (next?.startsWith('-') && !argv.includes('--help') && !argv.includes('-h')) return parent;
  for (const verb of verbs()) {
    verb.hook('preAction', () => noWrapped(wrapped, `${parent.name()} ${verb.name()}`));
    parent.addCommand(verb);
  }
  return parent;
}

export const COMMANDS: readonly CommandBuilder[] = [
  {
    name: 'deployment',
    build: (reporterFor, ctx, wrapped, argv) =>
      withVerbs(
        deploymentCommand((options) => runDeployment(options, ctx, reporterFor(options.verbose === true), wrapped)),
        () => [
          showCommand('deployment', reporterFor, ctx),
          listCommand('deployment', reporterFor, ctx),
          updateCommand(reporterFor, ctx),
          deleteCommand('deployment', reporterFor, ctx),
        ],
        wrapped,
        argv,
      ),
  },
  {
    name: 'incident',
    build: (reporterFor, ctx, wrapped, argv) =>
      withVerbs(
        incidentCommand(async (options) => {
          noWrapped(wrapped, 'incident');
          await runIncident(options, ctx, reporterFor(options.verbose === true));
        }),
        () => [
          resolveCommand(reporterFor, ctx),
          showCommand('incident', reporterFor, ctx),
          listCommand('incident', reporterFor, ctx),
          deleteCommand('incident', reporterFor, ctx),
        ],
        wrapped,
        argv,
      ),
  },
  {
    name: 'doctor',
    build: (reporterFor, ctx, wrapped) =>
      doctorCommand(async (options) => {
        noWrapped(wrapped, 'doctor');
        await runDoctor(options, ctx, reporterFor(options.verbose === true));
      }),
  },
];
