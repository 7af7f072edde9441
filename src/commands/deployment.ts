/**
 * `dora deployment`: flags → one final input → (the wrapped deploy command, timed) → one deployment event per service
 * → the client records them → (the deployment they remediate is marked) → the result.
 */
import { Command } from 'commander';
import { patchCall } from '../api/calls.js';
import { type ApiClient, type PlannedCall, type PreparedEvent, recordCall } from '../api/client.js';
import { isDoraError } from '../errors.js';
import { DEPLOYMENT_PATH, deploymentBody } from '../events/deployment.js';
import { toJson } from '../events/json.js';
import type { Patch } from '../events/records.js';
import { type DeploymentInput, deploymentInput } from '../input/deployment.js';
import {
  addDeliveryFlags,
  addDeploymentFlags,
  addOutputFlags,
  addSoftFailFlag,
  type DeploymentFlags,
} from '../input/flags.js';
import type { DeploymentPick } from '../input/records.js';
import { displayCommand } from '../output/command-line.js';
import { dryRunResult, eventsOutcome, type Recording, reportRecording } from '../output/recording.js';
import { shown } from '../output/redact.js';
import type { Reporter } from '../output/reporter.js';
import { reportGit, warnAboutTarget } from '../output/run-notes.js';
import { findDeployment, lookupCall, sayMarkLater } from '../remediation.js';
import type { EventsResult, Outcome, Remediated } from '../result.js';
import { formatInstant, laterOf } from '../time.js';
import type { Verb, World } from './verb.js';

type Window = { startedAt: bigint; finishedAt: bigint };
type CommandFacts = Pick<EventsResult, 'command_exit_code' | 'duration_ms'>;

export const deployment: Verb<DeploymentFlags> = {
  wraps: true,
  command() {
    const command = new Command('deployment')
      .usage('[options] [-- <deploy command…>]')
      .description('Record that a service was deployed to an environment, from a commit, between two instants.');
    addDeploymentFlags(command);
    addOutputFlags(command, 'print the JSON body that would be sent and stop (no API key, no network)');
    addSoftFailFlag(command);
    addDeliveryFlags(command);
    return command.addHelpText(
      'after',
      `
The repository URL and commit SHA come from, in order: the flags, DD_GIT_REPOSITORY_URL / DD_GIT_COMMIT_SHA,
the CI provider's variables, then the local checkout (origin remote and HEAD). Credentials are stripped.

After --, a deploy command: dora runs it (no shell), times it, and records the deployment if it exits 0;
otherwise it records nothing and exits with the command's code.

Verbs: dora deployment show|list|update|delete (each takes --help).

Examples:
  $ dora deployment --service checkout --env prod -- ./deploy.sh --canary 10
  $ dora deployment --service checkout --env prod --started-at 1795687200
  $ dora deployment --service api --service worker --env prod --version 1.4.2 --started-at "$START"
  $ DD_SERVICE=checkout dora deployment --started-at "$DEPLOY_START" --dry-run
  $ dora deployment --service checkout --env prod --version 1.4.1 --rollback-of 1.4.2 -- ./deploy.sh 1.4.1
  $ dora deployment list --service checkout --env prod --since -30d
  $ dora deployment update 7f3c…e1 --no-change-failure`,
    );
  },

  async run({ flags, wrapped }, world) {
    const input = await deploymentInput(flags, wrapped, world.ctx);
    const { reporter } = world;
    for (const warning of input.warnings) reporter.warn(warning);
    if (input.git) reportGit(input.git.resolution, reporter, input.dryRun);
    warnAboutTarget(input.delivery.target, input.dryRun, reporter);
    const client = world.client(input.delivery, { dryRun: input.dryRun });
    if (input.dryRun) return dryRun(input, client, reporter);

    const timed: { window: Window; command?: CommandFacts } | { failed: Outcome } =
      'command' in input.window ? await runDeploy(input.window, world) : { window: input.window };
    if ('failed' in timed) return timed.failed;
    const { window } = timed;
    reporter.detail(`Deployment window: ${formatInstant(window.startedAt)} → ${formatInstant(window.finishedAt)}`);
    const events = eventsOf(input, window);
    const recording = reportRecording(events, await client.record(events), reporter, {
      softFail: input.softFail,
      onFailure: timed.command ? 'The deploy command itself succeeded (exit 0); only recording it failed.' : undefined,
      // Sending one again makes its mark too.
      resendWith: [
        ...(input.remediates
          ? [input.remediates.type === 'rollback' ? '--rollback-of' : '--rollforward-of', input.remediates.version]
          : []),
        ...input.delivery.where,
      ],
    });
    // The services whose deployment was recorded get their mark, whatever became of the others.
    const recordedIds = new Set(recording.entries.filter((entry) => entry.ok).map((entry) => entry.id));
    const marks =
      input.remediates && recordedIds.size > 0
        ? await markFailed(input, window, client, reporter, recordedIds)
        : undefined;
    return recorded(input, recording, marks, timed.command ?? {}, reporter);
  },
};

/** One event per service, sharing the git facts and the times. */
function eventsOf(input: DeploymentInput, window: Window): PreparedEvent[] {
  const { fields } = input;
  return input.services.map(({ service, id }) => ({
    kind: 'deployment',
    id,
    path: DEPLOYMENT_PATH,
    payload: deploymentBody({ service, ...window, id, ...fields, git: input.git?.facts }),
    title: `deployment of ${shown(service)}${fields.env ? ` to ${shown(fields.env)}` : ''}`,
  }));
}

/** For --rollback-of / --rollforward-of: per service, which deployment to look for, and the mark it gets. */
function marksOf(input: DeploymentInput, startedAt: bigint): Array<{ pick: DeploymentPick; patch: Patch; id: string }> {
  const { remediates, fields } = input;
  if (!remediates || fields.env === undefined) return [];
  const env = fields.env;
  return input.services.map(({ service, id }) => ({
    pick: { service, env, version: remediates.version, before: startedAt },
    patch: { changeFailure: true, remediation: { id, type: remediates.type } },
    id,
  }));
}

/** Every request a real run would make, in order; the bodies on stdout (one JSON per line) without --json. */
function dryRun(input: DeploymentInput, client: ApiClient, reporter: Reporter): Outcome {
  let window: Window;
  if ('command' in input.window) {
    // Shown with the values of credential options masked (the redactor masks only secrets it knows).
    const command = displayCommand(input.window.command);
    reporter.info(`Dry run: would run ${command} and record the deployment if it exits 0.`);
    reporter.info("The times below are placeholders: a real run takes them from the command's start and exit.");
    const startedAt = input.window.startedAt ?? input.now;
    window = { startedAt, finishedAt: laterOf(startedAt, input.now) };
  } else {
    window = input.window;
  }
  const events = eventsOf(input, window);
  const calls = events.map(recordCall);
  for (const [index, event] of events.entries()) {
    const url = client.shown(calls[index] as PlannedCall).url;
    reporter.info(`Dry run: nothing sent. A real run would POST this deployment (id ${event.id}) to ${url}.`);
  }
  const marks = marksOf(input, window.startedAt).flatMap(({ pick, patch }) => [
    lookupCall(pick),
    patchCall('<found by lookup>', patch),
  ]);
  if (input.remediates) {
    reporter.info(
      `Then it would look up the deployment of version ${input.remediates.version} that finished last before this ` +
        'one started, and mark it as a change failure remediated by this one:',
    );
    for (const call of marks) reporter.info(`  ${call.method} ${client.shown(call).url}`);
  }
  const requests = [...calls, ...marks].map((call) => client.shown(call));
  return {
    result: dryRunResult('deployment', events, requests),
    text: [...calls, ...marks].map((call) => toJson(call.body ?? null)).join('\n'),
  };
}

/** Runs the deploy command: its failure is the run's outcome (nothing recorded), its success gives the window. */
async function runDeploy(
  wrap: { command: readonly string[]; startedAt?: bigint | undefined },
  world: World,
): Promise<{ failed: Outcome } | { window: Window; command: CommandFacts }> {
  const { ctx, reporter } = world;
  // Loaded only here: running a command brings node:child_process and more, which every other run would pay for.
  const [{ runCommand }, { commandFailureMessage, commandExitCode, commandSucceeded }] = await Promise.all([
    import('../wrap/run-command.js'),
    import('../wrap/outcome.js'),
  ]);
  const outcome = await runCommand(wrap.command, {
    nowNs: ctx.nowNs,
    subscribeSignals: ctx.subscribeSignals,
    env: ctx.env,
    cwd: ctx.cwd,
    stdout: world.json ? 'stderr' : 'inherit',
  });
  const durationMs = outcome.kind === 'not-started' ? 0 : Number((outcome.finishedAt - outcome.startedAt) / 1_000_000n);
  const command = { command_exit_code: commandExitCode(outcome), duration_ms: durationMs };
  if (!commandSucceeded(outcome)) {
    const message = `${commandFailureMessage(outcome) ?? 'the deploy command failed'}.`;
    const error = message.charAt(0).toUpperCase() + message.slice(1);
    reporter.error(error);
    // No id: nothing was recorded, and there is nothing to send again (the deploy itself failed).
    const result = {
      ok: false,
      exit_code: command.command_exit_code,
      error,
      recorded: false,
      kind: 'deployment' as const,
    };
    return { failed: { result: { ...result, ...command } } };
  }
  // An explicit --started-at wins: the pipeline may have begun before this step.
  const startedAt = wrap.startedAt ?? outcome.startedAt;
  return {
    window: { startedAt, finishedAt: laterOf(startedAt, outcome.finishedAt) },
    command,
  };
}

interface Marks {
  remediated: Array<Remediated | null>;
  exitCode: number;
  error?: string | undefined;
}

/**
 * Once this deployment is recorded: per service, find the failed deployment and mark it. A failure leaves this
 * deployment recorded and prints the command that makes the mark later.
 */
async function markFailed(
  input: DeploymentInput,
  window: Window,
  client: ApiClient,
  reporter: Reporter,
  recordedIds: ReadonlySet<string>,
): Promise<Marks> {
  const marks: Marks = { remediated: [], exitCode: 0 };
  for (const { pick, patch, id } of marksOf(input, window.startedAt)) {
    if (!recordedIds.has(id)) continue;
    try {
      const failed = await findDeployment(pick, id, client);
      const answer = await client.call(patchCall(failed, patch));
      const type = input.remediates?.type ?? 'rollback';
      reporter.success(
        `Marked deployment ${failed} (${shown(pick.service)} ${shown(pick.version)}) as a change failure, remediated by ${id} (${type}).`,
      );
      marks.remediated.push({ id: failed, service: pick.service, version: pick.version, type, status: answer.status });
    } catch (error) {
      if (!isDoraError(error)) throw error;
      (input.softFail ? reporter.warn : reporter.error).call(reporter, error.message);
      sayMarkLater(reporter, pick, patch, input.delivery.where, id);
      marks.remediated.push(null);
      marks.exitCode = Math.max(marks.exitCode, error.exitCode);
      marks.error ??= error.message;
    }
  }
  return marks;
}

/** The result of a run that recorded (or tried to): `ok` only when every event and every mark went through. */
function recorded(
  input: DeploymentInput,
  recording: Recording,
  marks: Marks | undefined,
  command: CommandFacts,
  reporter: Reporter,
): Outcome {
  const { result, exitCode } = eventsOutcome(
    'deployment',
    recording,
    { softFail: input.softFail, later: marks },
    reporter,
  );
  const remediation =
    marks === undefined
      ? {}
      : marks.remediated.length === 1
        ? { remediated: marks.remediated[0] ?? null }
        : { remediations: marks.remediated };
  return { result: { ...result, ...command, ...remediation, remediation_error: marks?.error }, exitCode };
}
