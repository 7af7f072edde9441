/**
 * Commander wiring, and the one place where failures become exit codes:
 * 0 sent (or dry run shown) · 2 invalid usage or input · 3 unauthorised · 4 rejected · 5 not delivered ·
 * 130/143 interrupted · 1 a bug. No stack trace is printed for any expected failure.
 */
import { Command, CommanderError } from 'commander';
import { DoraError } from './errors.js';
import type { Context } from './context.js';
import { PLAIN, Reporter, colourPainter, escapeControls, redactSecrets, wantsColor } from './output.js';
import { deploymentCommand, runDeployment } from './commands/deployment.js';
import { incidentCommand, runIncident } from './commands/incident.js';

export async function run(argv: readonly string[], ctx: Context): Promise<number> {
  const secrets = ctx.config.apiKey ? [ctx.config.apiKey] : [];
  // Commander echoes what it could not parse (`--api-key=…` is not an option): that goes through the mask too.
  const writeErr = (text: string) => ctx.stderr.write(redactSecrets(escapeControls(text), secrets));
  const paint = wantsColor(ctx.stderr, ctx.config) ? await colourPainter() : PLAIN;
  const reporterFor = (verbose: boolean) =>
    new Reporter(ctx.stdout, ctx.stderr, {
      paint,
      spinner: ctx.stderr.isTTY === true && !ctx.config.ci,
      verbose,
      secrets,
    });

  const program = new Command('dora')
    .description('Record DORA deployments and incidents in Datadog.')
    .version(ctx.cliVersion, '-V, --version', 'print the version of dora-cli')
    // Without this, `dora deployment --version 1.2.3` would print the CLI's version and exit.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr,
    })
    .addHelpText(
      'after',
      `
Environment: DD_API_KEY (or DATADOG_API_KEY) is required to send; DD_SITE (or DATADOG_SITE) picks the site.
Exit codes: 0 sent · 2 invalid input · 3 unauthorised · 4 rejected · 5 not delivered · 130/143 interrupted · 1 bug.

Examples:
  $ dora deployment --service checkout --env prod --started-at 1795687200 --dry-run
  $ dora incident --service checkout --env prod --started-at now --name "Checkout 5xx"`,
    );

  program.addCommand(
    configure(deploymentCommand((options) => runDeployment(options, ctx, reporterFor(options.verbose === true)))),
  );
  program.addCommand(configure(incidentCommand((options) => runIncident(options, ctx, reporterFor(options.verbose === true)))));

  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return exitCodeFor(error, reporterFor(false), ctx.config.debug);
  }

  function configure(command: Command): Command {
    return command
      .exitOverride()
      .showHelpAfterError(`(run dora ${command.name()} --help for usage)`)
      .configureOutput({
        writeOut: (text) => ctx.stdout.write(text),
        writeErr,
      });
  }
}

function exitCodeFor(error: unknown, reporter: Reporter, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help/version it was asked for).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof DoraError) {
    reporter.error(error.message);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  reporter.error(`dora hit an unexpected problem: ${message}. This is a bug; please report it with the command you ran.`);
  if (debug && error instanceof Error && error.stack) reporter.info(error.stack);
  return 1;
}
