/**
 * `dora deployment`: options → one checked input → git facts → (the wrapped deploy command, timed) → one deployment
 * event per service → delivery → report.
 */
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { ReportedFailure } from '../errors.js';
import { DEPLOYMENT_PATH, deploymentBody } from '../events/deployment.js';
import { toJson } from '../events/json.js';
import type { GitFacts } from '../git/resolve.js';
import { type DeploymentInput, type DeploymentOptions, deploymentInput, finishOf } from '../input/deployment.js';
import { shown } from '../output/redact.js';
import type { Reporter } from '../output/reporter.js';
import { shellQuote } from '../output/shell.js';
import { formatNs } from '../time.js';
import { describeDryRun, type Keys, prepareCalls } from './call.js';
import { findGit } from './git.js';
import { addDeliveryOptions, addEventOptions, collect, single } from './options.js';
import { listCall } from './records.js';
import { lookupQuery, markRemediated, patchCall } from './remediation.js';
import { type PreparedEvent, recordEvents, showDryRun } from './send.js';

export function deploymentCommand(run: (options: DeploymentOptions) => Promise<void>): Command {
  const command = new Command('deployment')
    .usage('[options] [-- <deploy command…>]')
    .description('Record that a service was deployed to an environment, from a commit, between two instants.');
  addDeploymentOptions(command)
    .addOption(
      single(
        '--rollback-of <version>',
        'this deployment rolls back version <version>: mark that one a change failure, remediated by this one',
      ),
    )
    .addOption(
      single(
        '--rollforward-of <version>',
        'this deployment fixes version <version> by rolling forward (a hotfix): mark it likewise',
      ),
    );
  addDeliveryOptions(command);
  return command
    .addHelpText(
      'after',
      `
The repository URL and commit SHA come from, in order: the flags, DD_GIT_REPOSITORY_URL / DD_GIT_COMMIT_SHA,
the CI provider's variables, then the local checkout (origin remote and HEAD). Credentials are stripped.

After --, a deploy command: dora runs it (no shell), times it, and records the deployment only if it exits 0;
otherwise it records nothing and exits with the command's code.

Examples:
  $ dora deployment --service checkout --env prod -- ./deploy.sh --canary 10
  $ dora deployment --service checkout --env prod --started-at 1795687200
  $ dora deployment --service api --service worker --env prod --version 1.4.2 --started-at "$START"
  $ DD_SERVICE=checkout dora deployment --started-at "$DEPLOY_START" --dry-run
  $ dora deployment --service checkout --env prod --version 1.4.1 --rollback-of 1.4.2 -- ./deploy.sh 1.4.1
  $ dora deployment list --service checkout --env prod --since -30d
  $ dora deployment update 7f3c…e1 --no-change-failure`,
    )
    .action(async (options: DeploymentOptions) => run(options));
}

/** A deployment's own options; `dora doctor` takes them too, so it judges the very event about to be sent. */
export function addDeploymentOptions(command: Command): Command {
  command.addOption(
    new Option(
      '--service <service>',
      'deployed service (required; env: DD_SERVICE); repeat for several, one event each',
    ).argParser(collect),
  );
  addEventOptions(command, 'deployment');
  return command.addOption(
    new Option('--skip-git', 'send no repository URL or commit SHA (change lead time needs them)'),
  );
}

export async function runDeployment(
  options: DeploymentOptions,
  ctx: Context,
  reporter: Reporter,
  command?: readonly string[],
): Promise<void> {
  const input = deploymentInput(options, ctx, command);
  // Read before the deploy runs: a deploy script may tag, commit or change branch.
  const git = input.skipGit ? skipGit(options, reporter) : await gitFacts(options, ctx, reporter);
  const output = { json: options.json === true, softFail: input.softFail };

  const remediation = remediationPlan(input, ctx);
  if (options.dryRun) {
    const now = ctx.nowNs();
    if (input.command) {
      reporter.info(
        `Dry run: would run ${input.command.map(shellQuote).join(' ')} and record the deployment if it exits 0.`,
      );
      reporter.info("The times below are placeholders: a real run takes them from the command's start and exit.");
    }
    showDryRun(
      events(input, input.startedAt ?? now, finishOf(input.startedAt ?? now, input.finishedAt, now), git),
      input.delivery,
      { ...output, dryRun: true },
      reporter,
    );
    if (remediation) {
      reporter.info(
        `Then, to find the failed deployment of version ${input.remediates?.version}, it would list deployments with:`,
      );
      for (const { list } of remediation.calls) reporter.result(list.body as string);
      reporter.info('and mark the newest match, the one this deployment remediates, with:');
      for (const { patch } of remediation.calls) reporter.result(patch.body as string);
      describeDryRun(
        remediation.calls.flatMap(({ list, patch }) => [list, patch]),
        input.delivery,
        reporter,
      );
    }
    return;
  }

  // Keys and FIPS are checked before the deploy runs, so a run that could not record it exits 2 and runs nothing.
  const recordCall = {
    method: 'POST',
    path: DEPLOYMENT_PATH,
    action: 'record',
    noun: 'deployment',
    title: 'deployment',
  } as const;
  const keys = prepareCalls(
    [recordCall, ...(remediation?.calls.flatMap(({ list, patch }) => [list, patch]) ?? [])],
    input.delivery,
    ctx,
    reporter,
  );
  const afterRecorded = remediation ? { afterRecorded: () => remediation.mark(keys, reporter) } : {};
  if (!input.command) {
    const now = ctx.nowNs();
    const startedAt = input.startedAt ?? now;
    const finishedAt = finishOf(startedAt, input.finishedAt, now);
    reporter.detail(`Deployment window: ${formatNs(startedAt)} → ${formatNs(finishedAt)}`);
    await recordEvents(
      events(input, startedAt, finishedAt, git),
      keys,
      input.delivery,
      output,
      ctx,
      reporter,
      afterRecorded,
    );
    return;
  }

  // Loaded only here: running a command brings node:child_process and more, which every other run would pay for.
  const [{ runCommand }, { commandFailureMessage, commandExitCode, commandSucceeded }] = await Promise.all([
    import('../wrap/run-command.js'),
    import('../wrap/outcome.js'),
  ]);
  const outcome = await runCommand(input.command, {
    nowNs: ctx.nowNs,
    subscribeSignals: ctx.subscribeSignals,
    env: ctx.env,
    cwd: ctx.cwd,
  });
  const durationMs = outcome.kind === 'not-started' ? 0 : Number((outcome.finishedAt - outcome.startedAt) / 1_000_000n);
  const commandJson = { command_exit_code: commandExitCode(outcome), duration_ms: durationMs };
  if (!commandSucceeded(outcome)) {
    const message = `${commandFailureMessage(outcome) ?? 'the deploy command failed'}.`;
    reporter.error(message.charAt(0).toUpperCase() + message.slice(1));
    if (options.json)
      reporter.result(
        toJson({ ok: false, recorded: false, exit_code: commandExitCode(outcome), error: message, ...commandJson }),
      );
    throw new ReportedFailure(commandExitCode(outcome));
  }
  // An explicit --started-at wins: the pipeline may have begun before this step.
  const startedAt = input.startedAt ?? outcome.startedAt;
  const finishedAt = finishOf(startedAt, undefined, outcome.finishedAt);
  reporter.detail(`Deployment window: ${formatNs(startedAt)} → ${formatNs(finishedAt)} (the command's)`);
  await recordEvents(events(input, startedAt, finishedAt, git), keys, input.delivery, output, ctx, reporter, {
    json: commandJson,
    onFailure: 'The deploy command itself succeeded (exit 0); only recording it failed.',
    ...afterRecorded,
  });
}

/**
 * For --rollback-of / --rollforward-of: per service, the lookup of the failed deployment and its PATCH (shown in a
 * dry run, their keys checked up front), and the marking once this deployment is recorded.
 */
function remediationPlan(input: DeploymentInput, ctx: Context) {
  const { remediates } = input;
  const env = input.fields.env;
  if (!remediates || env === undefined) return undefined;
  const picks = input.services.map(({ service, id }) => ({ pick: { service, env, version: remediates.version }, id }));
  return {
    calls: picks.map(({ pick, id }) => ({
      list: listCall('deployment', lookupQuery(pick, ctx.nowNs())),
      patch: patchCall('<found by lookup>', { changeFailure: true, remediation: { id, type: remediates.type } }),
    })),
    async mark(keys: Keys, reporter: Reporter) {
      const outcomes = [];
      for (const { pick, id } of picks)
        outcomes.push(await markRemediated(pick, { id, type: remediates.type }, keys, input.delivery, ctx, reporter));
      const [only] = outcomes;
      return {
        json: outcomes.length === 1 && only ? only.json : { remediations: outcomes.map((outcome) => outcome.json) },
        exitCode: outcomes.reduce((worst, outcome) => Math.max(worst, outcome.exitCode), 0),
      };
    },
  };
}

/** One event per service, sharing the git facts and the times. */
function events(
  input: DeploymentInput,
  startedAt: bigint,
  finishedAt: bigint,
  git: GitFacts | undefined,
): PreparedEvent[] {
  const { fields } = input;
  return input.services.map(({ service, id }) => ({
    kind: 'deployment',
    path: DEPLOYMENT_PATH,
    id,
    payload: deploymentBody({ service, startedAt, finishedAt, id, ...fields, ...(git ? { git } : {}) }),
    title: `deployment of ${shown(service)}${fields.env ? ` to ${shown(fields.env)}` : ''}`,
    summary: {
      service,
      env: fields.env,
      version: fields.version,
      started_at: String(startedAt),
      finished_at: String(finishedAt),
      git,
    },
  }));
}

function skipGit(options: DeploymentOptions, reporter: Reporter): undefined {
  if (options.gitRepositoryUrl || options.gitCommitSha) reporter.warn('--skip-git given: the git flags are ignored.');
  return undefined;
}

async function gitFacts(options: DeploymentOptions, ctx: Context, reporter: Reporter): Promise<GitFacts | undefined> {
  const resolution = await findGit(options, options.dryRun === true, ctx, reporter);
  if (!resolution.git) {
    const missing = [
      resolution.repositoryUrl ? undefined : 'repository URL',
      resolution.commitSha ? undefined : 'commit SHA',
    ].filter(Boolean);
    // When the checkout itself said what went wrong (git missing, an unsafe directory), "run inside it" misleads.
    const where = resolution.local?.problem ? '' : 'Run inside the checkout, or pass';
    reporter.warn(
      `No git ${missing.join(' or ')} found, so the deployment is sent without git data and change lead time ` +
        `cannot be computed for it. ${where ? `${where} ` : 'Pass '}--git-repository-url and --git-commit-sha ` +
        '(or DD_GIT_REPOSITORY_URL / DD_GIT_COMMIT_SHA); --skip-git silences this.',
    );
  }
  if (resolution.git)
    reporter.detail(`Deployment git facts: ${resolution.git.repository_url} @ ${resolution.git.commit_sha}`);
  return resolution.git;
}
