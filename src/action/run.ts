/**
 * The action itself, with the process passed in: mask the keys, plan the CLI's argv, run it with both its streams
 * passed on as they arrive, read its one result line, and turn the result into annotations, `$GITHUB_OUTPUT` entries
 * and a job summary. Returns the exit code to leave with: the CLI's.
 */
import { readInputs } from './inputs.js';
import { KEY_INPUTS, nameKeyInputs } from './keys.js';
import { metricsSummary, parseMetrics } from './metrics.js';
import { InputError, type Plan, planRun } from './plan.js';
import { type ActionResult, type EventRow, eventsOf, parseResult, remediationOf } from './result.js';
import { renderSummary } from './summary.js';
import { annotation, LogStream, maskCommands, outputEntry, scrub } from './workflow.js';

export interface CliExit {
  code: number | null;
  /** The signal's number when the CLI was killed by one. */
  signal: number | null;
}

export interface ActionIo {
  env: Readonly<Record<string, string | undefined>>;
  /** The runner reads workflow commands from stdout. */
  stdout(text: string): void;
  stderr(text: string): void;
  appendFile(path: string, text: string): void;
  random(): string;
  /** Runs the CLI with this argv and environment, handing over each chunk of its output as it arrives. */
  runCli(
    argv: string[],
    env: Record<string, string>,
    on: { stdout(chunk: string): void; stderr(chunk: string): void },
  ): Promise<CliExit>;
}

export async function runAction(io: ActionIo): Promise<number> {
  const inputs = readInputs(io.env);
  const secrets = KEY_INPUTS.map(({ input }) => inputs.get(input)?.trim()).filter((key): key is string => !!key);
  // Masks first, before any other line: from here on the runner hides the keys wherever they appear in the log.
  for (const secret of secrets) for (const line of maskCommands(secret)) io.stdout(`${line}\n`);
  const stdout = new LogStream(io.stdout, secrets);
  const stderr = new LogStream(io.stderr, secrets);

  let plan: Plan;
  try {
    plan = planRun(inputs);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (inputs.get('kind') === 'metrics') {
      reportMetrics(io, stdout, secrets, { plan: { keyInputs: [] }, printed: '', exitCode: 2, problem: error.message });
      return 2;
    }
    const kind = inputs.get('kind') === 'incident' ? 'incident' : 'deployment';
    const refused: Report['plan'] = { kind, given: { services: [] }, keyInputs: [], remediates: false };
    report(io, stdout, secrets, { plan: refused, result: undefined, exitCode: 2, problem: error.message });
    return 2;
  }

  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(io.env)) {
    // The inputs stay with the action: the CLI (and the command it wraps) gets the keys under their own names only.
    if (value === undefined || name.startsWith('INPUT_') || plan.unset.includes(name)) continue;
    childEnv[name] = value;
  }
  Object.assign(childEnv, plan.env);

  // Under --json the CLI's stdout is its one result line, and everything else (its progress, warnings and errors, and
  // the wrapped deploy command's own output) is on its stderr. Both go on to the log as they come.
  let printed = '';
  let exit: CliExit;
  try {
    exit = await io.runCli(plan.argv, childEnv, {
      stdout: (chunk) => {
        printed += chunk;
        stdout.push(chunk);
      },
      stderr: (chunk) => stderr.push(chunk),
    });
  } catch (error) {
    const problem = `The dora CLI could not be started: ${error instanceof Error ? error.message : String(error)}`;
    if (plan.kind === 'metrics') reportMetrics(io, stdout, secrets, { plan, printed: '', exitCode: 1, problem });
    else report(io, stdout, secrets, { plan: { ...plan, kind: plan.kind }, result: undefined, exitCode: 1, problem });
    return 1;
  } finally {
    stdout.flush();
    stderr.flush();
  }

  const exitCode = exit.code ?? (exit.signal === null ? 1 : 128 + exit.signal);
  if (plan.kind === 'metrics') {
    reportMetrics(io, stdout, secrets, { plan, printed, exitCode });
    return exitCode;
  }
  const read = parseResult(printed);
  const problem =
    'problem' in read
      ? `${read.problem}; ${exit.code === null && exit.signal !== null ? `it was ended by signal ${exit.signal}` : `it exited with code ${exitCode}`}.`
      : undefined;
  const events = { ...plan, kind: plan.kind };
  report(io, stdout, secrets, { plan: events, result: 'result' in read ? read.result : undefined, exitCode, problem });
  return exitCode;
}

/** The metrics report: the JSON to the `metrics` output, its Markdown to the summary, its messages as annotations. */
function reportMetrics(
  io: ActionIo,
  stdout: LogStream,
  secrets: readonly string[],
  run: {
    plan: Pick<Plan, 'keyInputs'> & Partial<Pick<Plan, 'by'>>;
    printed: string;
    exitCode: number;
    problem?: string;
  },
): void {
  const result = parseMetrics(run.printed);
  const worded = (messages: Array<string | undefined>) =>
    [...new Set(messages.filter((message): message is string => !!message?.trim()))].map((message) =>
      nameKeyInputs(message, run.plan.keyInputs),
    );
  const errors = worded([
    run.problem,
    result
      ? result.error
      : run.problem
        ? undefined
        : `The dora CLI printed no result; it exited with code ${run.exitCode}.`,
  ]);
  for (const error of errors) stdout.command(annotation('error', error));
  for (const warning of worded(result?.warnings ?? [])) stdout.command(annotation('warning', warning));
  const outputFile = io.env.GITHUB_OUTPUT;
  if (outputFile) {
    const entries = [
      outputEntry('metrics', result ? JSON.stringify(result) : '', io.random),
      outputEntry('exit-code', String(run.exitCode), io.random),
    ];
    io.appendFile(outputFile, scrub(entries.join(''), secrets));
  }
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) io.appendFile(summaryFile, scrub(metricsSummary(result, run.plan.by, errors), secrets));
}

interface Report {
  plan: Pick<Plan, 'given' | 'keyInputs' | 'remediates'> & { kind: 'deployment' | 'incident' };
  result: ActionResult | undefined;
  exitCode: number;
  /** The action's own failure: its inputs refused, the CLI not started, or no result read. */
  problem?: string | undefined;
}

/** Annotations, outputs and the summary of a run, all from the one result. */
function report(io: ActionIo, stdout: LogStream, secrets: readonly string[], run: Report): void {
  const { plan, result, exitCode } = run;
  const { errors, warnings } = messagesOf(run);
  // Under --soft-fail the CLI exits 0 although something was not recorded: that is said, as a warning.
  for (const error of errors) stdout.command(annotation(exitCode === 0 ? 'warning' : 'error', error));
  for (const warning of warnings) stdout.command(annotation('warning', warning));

  const rows = result ? eventsOf(result) : [];
  const remediated = remediationOf(result, plan.remediates);
  const outputFile = io.env.GITHUB_OUTPUT;
  if (outputFile) {
    const entries = [
      outputEntry('id', rows.length === 1 ? (rows[0]?.id ?? '') : '', io.random),
      outputEntry('ids', rows.map((row) => row.id).join('\n'), io.random),
      outputEntry(
        'status',
        rows.map((row) => (row.status === undefined ? '' : String(row.status))).join('\n'),
        io.random,
      ),
      outputEntry('recorded', String(result?.recorded === true), io.random),
      outputEntry('remediated', remediated === undefined ? '' : String(remediated), io.random),
      // What happened, as dora's exit codes say it: under DORA_SOFT_FAIL the step passes (exit 0) while the result
      // keeps the failure's code, and that is what a later step asks about.
      outputEntry('exit-code', String(result?.exit_code ?? exitCode), io.random),
    ];
    io.appendFile(outputFile, scrub(entries.join(''), secrets));
  }
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    const summary = renderSummary({ plan, result, exitCode: result?.exit_code ?? exitCode, errors, remediated });
    io.appendFile(summaryFile, scrub(summary, secrets));
  }
}

/**
 * What to say, each message once: the action's own problem, the result's error, and for several events each failed
 * one's reason; then the result's warnings not already said. Messages name the key inputs the workflow set, not the
 * variables the CLI read them from.
 */
function messagesOf({ plan, result, problem }: Report): { errors: string[]; warnings: string[] } {
  const reasons = (result?.events ?? []).filter((entry) => !entry.ok && entry.error).map(reason);
  const worded = (messages: Array<string | undefined>) =>
    messages
      .filter((message): message is string => message !== undefined && message.trim() !== '')
      .map((message) => nameKeyInputs(message, plan.keyInputs));
  const errors = [...new Set(worded([problem, result?.error, ...reasons]))];
  const warnings = [...new Set(worded(result?.warnings ?? []))].filter((warning) => !errors.includes(warning));
  return { errors, warnings };
}

function reason(entry: EventRow): string {
  const subject = entry.service ?? entry.services?.join(', ') ?? (entry.team ? `team ${entry.team}` : entry.kind);
  return `${subject} (id ${entry.id}): ${entry.error}`;
}
