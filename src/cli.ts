/**
 * Commander wiring, and the one place where failures become exit codes:
 * 0 done (or dry run shown) · 2 invalid usage or input · 3 unauthorised · 4 rejected · 5 not delivered ·
 * 128+N interrupted by signal N · 1 a bug. No stack trace is printed for any expected failure.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { Context } from './context.js';
import { DoraError, ReportedFailure } from './errors.js';
import { toJson } from './events/json.js';
import { argvSecrets, createRedactor } from './output/redact.js';
import { colourPainter, PLAIN, Reporter, wantsColor } from './output/reporter.js';

export async function run(argv: readonly string[], ctx: Context): Promise<number> {
  // Every credential this run knows of, from the environment and from the command line, whatever flag it was typed
  // after: nothing written to either stream may show one.
  const redactor = createRedactor([...ctx.config.secrets, ...argvSecrets(argv)]);
  const writeOut = (text: string) => ctx.stdout.write(redactor.redact(text));
  const writeErr = (text: string) => ctx.stderr.write(redactor.redact(text));
  const paint = wantsColor(ctx.stderr, ctx.config) ? await colourPainter() : PLAIN;
  const reporterFor = (verbose: boolean) =>
    new Reporter(ctx.stdout, ctx.stderr, {
      paint,
      spinner: ctx.stderr.isTTY === true && !ctx.config.ci,
      verbose,
      redactor,
    });

  const program = new Command('dora')
    .description('Record DORA deployments and incidents in Datadog, and read and correct what was recorded.')
    .version(ctx.cliVersion, '-V, --version', 'print the version of dora-cli')
    // Without this, `dora deployment --version 1.2.3` would print the CLI's version and exit.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut, writeErr })
    .addHelpText(
      'after',
      `
Environment: DD_API_KEY (or DATADOG_API_KEY) is required to send; DD_SITE (or DATADOG_SITE) picks the site.
Exit codes: 0 done · 2 invalid input · 3 unauthorised · 4 rejected · 5 not delivered · 128+N signal N · 1 bug.

Examples:
  $ dora deployment --service checkout --env prod --version 1.4.2 -- ./deploy.sh
  $ dora deployment --service checkout --env prod --started-at 1795687200 --dry-run
  $ dora incident --service checkout --env prod --started-at now --name "Checkout 5xx"
  $ dora deployment list --service checkout --env prod
  $ dora doctor --service checkout --env prod`,
    );

  const configure = (command: Command): Command => {
    command.exitOverride().configureOutput({ writeOut, writeErr });
    if (!command.parent || command.parent === program)
      command.showHelpAfterError(`(run dora ${command.name()} --help for usage)`);
    for (const sub of command.commands) configure(sub);
    return command;
  };
  // Words after `--` are a deploy command for `dora deployment` to run, never options of dora's.
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const wrapped = dash < 0 ? undefined : argv.slice(dash + 1);
  // Only the command asked for is built; help, a typo or nothing at all gets them all (to list or suggest them).
  const asked = COMMANDS.filter((command) => command.name === own[0]);
  for (const command of asked.length > 0 ? asked : COMMANDS) {
    program.addCommand(configure(command.build((verbose) => reporterFor(verbose), ctx, wrapped, own)));
  }

  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...own], { from: 'user' });
    return 0;
  } catch (error) {
    return exitCodeFor(error, reporterFor(false), ctx.config.debug, wantsJson(argv));
  }
}

/** `--json` before any `--` (after it, the words belong to a wrapped command). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

function exitCodeFor(error: unknown, reporter: Reporter, debug: boolean, json: boolean): number {
  let code: number;
  let message: string;
  if (error instanceof ReportedFailure) return error.exitCode;
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help/version it was asked for).
    if (error.exitCode === 0) return 0;
    code = 2;
    message = error.message.replace(/^error: /, '');
  } else if (error instanceof DoraError) {
    reporter.error(error.message);
    code = error.exitCode;
    message = error.message;
  } else {
    message = `dora hit an unexpected problem: ${error instanceof Error ? error.message : String(error)}. This is a bug; please report it with the command you ran.`;
    reporter.error(message);
    if (debug && error instanceof Error && error.stack) reporter.info(error.stack);
    code = 1;
  }
  // A script that asked for JSON reads the outcome from stdout, failures included.
  if (json) {
    try {
      reporter.result(toJson({ ok: false, exit_code: code, error: message }));
    } catch {
      // stdout is gone: the exit code still tells
    }
  }
  return code;
}
