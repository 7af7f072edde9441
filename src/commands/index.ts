/** Every top-level command, in the order `dora --help` lists them. Each builds its commander Command for one run. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import type { Reporter } from '../output/reporter.js';
import { deploymentCommand, runDeployment } from './deployment.js';
import { incidentCommand, runIncident } from './incident.js';

/** A command's builder: given how to make a Reporter (verbose or not) and the run's Context. */
export type CommandBuilder = (reporterFor: (verbose: boolean) => Reporter, ctx: Context) => Command;

export const COMMANDS: readonly CommandBuilder[] = [
  (reporterFor, ctx) => deploymentCommand((options) => runDeployment(options, ctx, reporterFor(options.verbose === true))),
  (reporterFor, ctx) => incidentCommand((options) => runIncident(options, ctx, reporterFor(options.verbose === true))),
];
