/**
 * The action itself, with the process passed in: mask the keys, plan the CLI's argv, run it, and turn what it said
 * into workflow commands, `$GITHUB_OUTPUT` entries and a job summary. Returns the exit code to leave with: the CLI's.
 */
import { readInputs } from './inputs.js';
import { InputError, type Plan, planRun } from './plan.js';
import { type Outcome, parseResult } from './result.js';
import { renderSummary } from './summary.js';
import { annotation, maskCommands, outputEntry, scrub } from './workflow.js';

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
  /** Runs the CLI with this argv and environment, streaming what it prints. */
  runCli(
    argv: string[],
    env: Record<string, string>,
    on: { stdout(chunk: string): void; stderr(chunk: string): void },
  ): Promise<CliExit>;
}

export async function runAction(io: ActionIo): Promise<number> {
  const inputs = readInputs(io.env);
  // Masks first, before any other line: from here on the runner hides the keys wherever they appear in the log.
  const secrets = ['api-key', 'app-key'].map((name) => inputs.get(name)?.trim()).filter((key): key is string => !!key);
  for (const secret of secrets) for (const line of maskCommands(secret)) io.stdout(`${line}\n`);
  const clean = (text: string) => scrub(text, secrets);

  let plan: Plan;
  try {
    plan = planRun(inputs);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stdout(`${annotation('error', clean(error.message))}\n`);
    const kind = inputs.get('kind') === 'incident' ? 'incident' : 'deployment';
    finish(io, clean, { kind, given: { services: [] } }, undefined, 2, [error.message]);
    return 2;
  }

  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(io.env)) {
    // The inputs stay with the action: the CLI (and the command it wraps) gets the keys under their own names only.
    if (value === undefined || name.startsWith('INPUT_') || plan.unset.includes(name)) continue;
    childEnv[name] = value;
  }
  Object.assign(childEnv, plan.env);

  const errors: string[] = [];
  const stderr = new Lines((line) => onStderrLine(line));
  let pending: { level: 'error' | 'warning'; text: string } | undefined;
  const flush = () => {
    if (!pending) return;
    io.stdout(`${annotation(pending.level, clean(pending.text))}\n`);
    if (pending.level === 'error') errors.push(pending.text);
    pending = undefined;
  };
  function onStderrLine(line: string): void {
    const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
    const tagged = /^(error|warning): (.*)$/.exec(plain);
    if (pending && !tagged && /^\s+\S/.test(plain)) {
      pending.text += `\n${plain.trim()}`; // an indented line continues the message above it
      return;
    }
    flush();
    if (tagged) pending = { level: tagged[1] as 'error' | 'warning', text: tagged[2] ?? '' };
    else io.stderr(`${clean(line)}\n`);
  }

  // The result is the last line of stdout; anything before it (a wrapped command's own output) is passed on, one line
  // behind, so the result is never shown as if it were the command's.
  let held: string | undefined;
  const stdout = new Lines((line) => {
    if (held !== undefined) io.stdout(`${clean(held)}\n`);
    held = line;
  });

  let exit: CliExit;
  try {
    exit = await io.runCli(plan.argv, childEnv, {
      stdout: (chunk) => stdout.push(chunk),
      stderr: (chunk) => stderr.push(chunk),
    });
  } catch (error) {
    const message = `The dora CLI could not be started: ${error instanceof Error ? error.message : String(error)}`;
    io.stdout(`${annotation('error', clean(message))}\n`);
    finish(io, clean, plan, undefined, 1, [message]);
    return 1;
  }
  stdout.end();
  stderr.end();
  flush();

  const outcome = held === undefined ? undefined : parseResult(held);
  if (held !== undefined && outcome === undefined) io.stdout(`${clean(held)}\n`);
  const code = exit.code ?? (exit.signal === null ? 1 : 128 + exit.signal);
  finish(io, clean, plan, outcome, code, errors);
  return code;
}

function finish(
  io: ActionIo,
  clean: (text: string) => string,
  plan: Pick<Plan, 'kind' | 'given'>,
  outcome: Outcome | undefined,
  code: number,
  errors: string[],
): void {
  const events = outcome?.events ?? [];
  const ids = events.map((event) => event.id).filter((id): id is string => id !== undefined);
  const statuses = events.map((event) => (event.status === undefined ? '' : String(event.status)));
  const recorded = code === 0 && events.length > 0 && events.every((event) => event.recorded);
  const outputFile = io.env.GITHUB_OUTPUT;
  if (outputFile) {
    const entries = [
      outputEntry('id', events.length === 1 ? (ids[0] ?? '') : '', io.random),
      outputEntry('ids', ids.join('\n'), io.random),
      outputEntry('status', events.length === 1 ? (statuses[0] ?? '') : statuses.join('\n'), io.random),
      outputEntry('recorded', String(recorded), io.random),
      outputEntry('exit-code', String(code), io.random),
    ];
    io.appendFile(outputFile, clean(entries.join('')));
  }
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) io.appendFile(summaryFile, clean(renderSummary({ plan, outcome, exitCode: code, errors })));
}

/** Splits a stream of chunks into lines (without their `\n`); `end` delivers a last line that had none. */
class Lines {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const part of parts) this.onLine(part.replace(/\r$/, ''));
  }
  end(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}
