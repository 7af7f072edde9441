/**
 * Commander wiring, and the one place where a run's outcome becomes output and an exit code:
 * 0 done (or dry run shown) · 2 invalid usage or input · 3 unauthorised · 4 rejected · 5 not delivered ·
 * 128+N interrupted by signal N · 1 a bug. No stack trace is printed for any expected failure. stdout gets exactly
 * one thing: the result object with --json (one line), else what the command shows (a body, a read), or nothing.
 */
import { Command, CommanderError } from 'commander';
import { type ApiClient, openClient } from './api/client.js';
import { VERBS, type VerbEntry } from './commands/index.js';
import type { Verb, World } from './commands/verb.js';
import type { Context } from './context.js';
import { isDoraError, UsageError } from './errors.js';
import { type JsonValue, toJson } from './events/json.js';
import { guardOptionValues } from './input/flags.js';
import { safeCommanderMessage } from './output/credential.js';
import { argvSecrets, createRedactor, type Redactor } from './output/redact.js';
import { colourPainter, PLAIN, Reporter, wantsColor } from './output/reporter.js';
import type { Outcome, Result } from './result.js';

const NOUNS = ['deployment', 'incident'];

export async function run(argv: readonly string[], ctx: Context): Promise<number> {
  // Every credential this run knows of, from the environment and from the command line, whatever flag it was typed
  // after: nothing written to either stream may show one.
  const redactor = createRedactor([...ctx.config.secrets, ...argvSecrets(argv)]);
  const paint = wantsColor(ctx.stderr, ctx.config) ? colourPainter() : PLAIN;
  const reporterFor = (verbose: boolean) =>
    new Reporter(ctx.stderr, { paint, spinner: ctx.stderr.isTTY === true && !ctx.config.ci, verbose, redactor });
  let reporter = reporterFor(false);
  // Words after `--` are a deploy command for `dora deployment` to run, never options of dora's.
  const dash = argv.indexOf('--');
  let own = dash < 0 ? [...argv] : argv.slice(0, dash);
  const wrapped = dash < 0 ? undefined : argv.slice(dash + 1);
  // `dora help deployment list` and `dora deployment help list` are `dora deployment list --help`; `dora help` of a
  // command that does not exist is that command, for commander to say so and suggest the closest (exit 2).
  if (own[1] === 'help' && VERBS.some((entry) => entry.path.startsWith(`${own[0]} `))) {
    own = [own[0] as string, ...own.slice(2), '--help'];
  }
  if (own[0] === 'help' && own.length > 1) {
    const known = VERBS.some((entry) => entry.path.split(' ')[0] === own[1]);
    own = known ? [...own.slice(1), '--help'] : own.slice(1);
  }
  let json = own.includes('--json');
  const clients: ApiClient[] = [];
  const world = (): World => ({
    ctx,
    reporter,
    json,
    client(delivery, options) {
      const client = openClient(delivery, ctx, reporter, options);
      clients.push(client);
      return client;
    },
  });

  let outcome: Outcome | undefined;
  try {
    if (own.length === 0) {
      const program = await buildProgram(ctx, redactor, VERBS, () => undefined);
      program.outputHelp({ error: true });
      return 2;
    }
    const program = await buildProgram(ctx, redactor, chosen(own), async (verb, invocation, flags) => {
      json = flags.json === true;
      reporter = reporterFor(flags.verbose === true);
      if (wrapped !== undefined && !verb.wraps) {
        throw new UsageError(
          `dora ${invocation.name} takes no command after --: only dora deployment (and dora doctor, which judges it) do.`,
        );
      }
      outcome = await verb.run({ flags, args: invocation.args, wrapped }, world());
    });
    await program.parseAsync(own, { from: 'user' });
  } catch (error) {
    outcome = failure(error, reporter, ctx.config.debug);
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  }
  if (outcome === undefined) return 0; // help or the version was asked for, and commander printed it
  const { result } = outcome;
  const text = json
    ? `${toJson({ ...result, warnings: warningsOf(result, reporter) } as unknown as JsonValue)}\n`
    : outcome.text !== undefined && outcome.text !== ''
      ? `${outcome.text}\n`
      : undefined;
  const failed = text === undefined ? undefined : write(ctx.stdout, text, redactor, outcome.styled === true && !json);
  if (failed !== undefined) {
    // Once something is recorded, failing the run over its output would invite a retry that records it again; a
    // run whose output is its whole job (a dry run, a read) failed.
    const recorded = 'recorded' in result && result.recorded && 'id' in result;
    if (recorded)
      reporter.warn(
        `The ${result.kind ?? 'event'} was recorded (id ${result.id}), but its result could not be shown: ${failed}.`,
      );
    else {
      reporter.error(`The result could not be shown: ${failed}.`);
      return 1;
    }
  }
  return outcome.exitCode ?? result.exit_code;
}

/** The warnings said on stderr, kept in the result (none: the member is left out). */
function warningsOf(result: Result, reporter: Reporter): string[] | undefined {
  const warnings = [...(result.warnings ?? []), ...reporter.warnings];
  return warnings.length > 0 ? warnings : undefined;
}

/**
 * stdout goes through the redactor too (`styled`: secrets masked, dora's own colours kept). A failed write changes
 * nothing that was done: it returns why it failed, for the caller to say once on stderr.
 */
function write(stream: Context['stdout'], text: string, redactor: Redactor, styled: boolean): string | undefined {
  try {
    stream.write(styled ? redactor.mask(text) : redactor.redact(text));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The verbs a run names: a noun's verb alone (`deployment list`), or a command (`deployment`, `doctor`); a noun and
 * its verbs for its help; every one for the program's help, a typo or nothing at all.
 */
function chosen(own: readonly string[]): VerbEntry[] {
  const [first, second] = own;
  const asksHelp = own.includes('--help') || own.includes('-h');
  const verb = VERBS.find((entry) => second !== undefined && entry.path === `${first} ${second}`);
  if (verb) return [verb];
  const command = VERBS.find((entry) => entry.path === first);
  const verbs = VERBS.filter((entry) => entry.path.startsWith(`${first} `));
  if (!command) return [...VERBS];
  // `dora deployment lst`: a word where a verb goes is a misspelt verb (the noun itself takes no words). Built as a
  // bare parent of its verbs, the noun lets commander say so and suggest the closest one.
  if (verbs.length > 0 && second !== undefined && !second.startsWith('-')) return verbs;
  return asksHelp ? [command, ...verbs] : [command];
}

type Action = (
  verb: Verb,
  invocation: { name: string; args: string[] },
  flags: Record<string, unknown>,
) => Promise<void> | void;

async function buildProgram(
  ctx: Context,
  redactor: Redactor,
  entries: readonly VerbEntry[],
  action: Action,
): Promise<Command> {
  const writeOut = (text: string) => ctx.stdout.write(redactor.redact(text));
  const writeErr = (text: string) => ctx.stderr.write(redactor.redact(safeCommanderMessage(text)));
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
  const verbs = await Promise.all(entries.map(async (entry) => ({ entry, verb: await entry.load() })));
  const nouns = new Map<string, Command>();
  for (const { entry, verb } of verbs) {
    const [head, tail] = entry.path.split(' ') as [string, string | undefined];
    const command = guardOptionValues(verb.command());
    command.exitOverride().configureOutput({ writeOut, writeErr });
    command.action(async (...received: unknown[]) => {
      const self = received[received.length - 1] as Command;
      const args = received.slice(0, -2).filter((arg): arg is string => typeof arg === 'string');
      await action(verb, { name: entry.path, args }, self.opts());
    });
    if (tail === undefined) {
      const existing = nouns.get(head);
      if (existing) {
        // The noun was made as a bare parent for its verbs: take over its place with the real command.
        for (const sub of existing.commands) command.addCommand(sub);
      }
      nouns.set(head, command);
      continue;
    }
    let parent = nouns.get(head);
    if (!parent) {
      // Only the verb was named (`dora deployment list`): a bare parent routes to it.
      parent = new Command(head).exitOverride().configureOutput({ writeOut, writeErr });
      nouns.set(head, parent);
    }
    parent.enablePositionalOptions();
    parent.addCommand(command);
  }
  for (const [name, command] of nouns) {
    if (NOUNS.includes(name)) command.showHelpAfterError(`(run dora ${name} --help for usage)`);
    program.addCommand(command);
  }
  return program;
}

/** A failure nothing else reported: said on stderr, and the result with --json. */
function failure(error: unknown, reporter: Reporter, debug: boolean): Outcome | undefined {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help or version it was asked for).
    if (error.exitCode === 0) return undefined;
    return { result: { ok: false, exit_code: 2, error: safeCommanderMessage(error.message.replace(/^error: /, '')) } };
  }
  if (isDoraError(error)) {
    reporter.error(error.message);
    return { result: { ok: false, exit_code: error.exitCode, error: error.message } };
  }
  const message =
    `dora hit an unexpected problem: ${error instanceof Error ? error.message : String(error)}. ` +
    'This is a bug; please report it with the command you ran.';
  reporter.error(message);
  if (debug && error instanceof Error && error.stack) reporter.info(error.stack);
  return { result: { ok: false, exit_code: 1, error: message } };
}
