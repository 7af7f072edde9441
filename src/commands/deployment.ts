/** `dora deployment`: options → deployment event → delivery → report. */
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { DEPLOYMENT_PATH, deploymentPayload } from '../events/deployment.js';
import { formatNs, parseTimestamp } from '../time.js';
import type { Context } from '../context.js';
import { shown, type Reporter } from '../output.js';
import { addDeliveryOptions, addEventOptions, single, type CommonOptions } from './options.js';
import { checkDeliverySettings, sendEvent } from './send.js';
import { findGit } from './git.js';

/** Datadog's API reference says a deployment's finish "should not be older than 3 hours". */
const STALE_AFTER_NS = 3n * 3600n * 1_000_000_000n;

export interface DeploymentOptions extends CommonOptions {
  service?: string;
  skipGit?: boolean;
}

export function deploymentCommand(run: (options: DeploymentOptions) => Promise<void>): Command {
  const command = new Command('deployment')
    .description('Record that a service was deployed to an environment, from a commit, between two instants.')
    .addOption(
      single('--service <service>', 'deployed service (required; env: DD_SERVICE)', ' (a deployment is of one service: send one event per service)'),
    );
  addEventOptions(command, 'deployment');
  command.addOption(new Option('--skip-git', 'send no repository URL or commit SHA (change lead time needs them)'));
  addDeliveryOptions(command);
  return command
    .addHelpText(
      'after',
      `
The repository URL and commit SHA come from, in order: the flags, DD_GIT_REPOSITORY_URL / DD_GIT_COMMIT_SHA,
the CI provider's variables, then the local checkout (origin remote and HEAD). Credentials are stripped.

Examples:
  $ dora deployment --service checkout --env prod --started-at 1795687200
  $ dora deployment --service checkout --env prod --version 1.4.2 \\
      --started-at 2026-11-26T10:00:00.123456789Z --finished-at now --custom-tags region:eu-west-1
  $ DD_SERVICE=checkout dora deployment --started-at "$DEPLOY_START" --dry-run`,
    )
    .action(async (options: DeploymentOptions) => run(options));
}

export async function runDeployment(options: DeploymentOptions, ctx: Context, reporter: Reporter): Promise<void> {
  checkDeliverySettings(options, ctx); // a bad site or timeout is refused before any other work
  const service = options.service ?? ctx.config.service;
  if (service === undefined) throw new UsageError('--service is required (or set DD_SERVICE).');
  if (options.startedAt === undefined) throw new UsageError('--started-at is required: when did the deployment start?');
  const now = ctx.nowNs();
  const startedAt = parseTimestamp(options.startedAt, '--started-at', now);
  if (options.finishedAt === undefined && startedAt > now) {
    throw new UsageError('--started-at is in the future: without --finished-at the deployment finishes now.');
  }
  const finishedAt = options.finishedAt === undefined ? now : parseTimestamp(options.finishedAt, '--finished-at', now);
  const id = options.id ?? ctx.newId();
  const env = options.env ?? ctx.config.env;
  const version = options.version ?? ctx.config.version;

  let git;
  if (options.skipGit) {
    if (options.gitRepositoryUrl || options.gitCommitSha) reporter.warn('--skip-git given: the git flags are ignored.');
  } else {
    const resolution = await findGit(options, ctx, reporter);
    git = resolution.git;
    if (!git) {
      const missing = [
        resolution.repositoryUrl ? undefined : 'repository URL',
        resolution.commitSha ? undefined : 'commit SHA',
      ].filter(Boolean);
      reporter.warn(
        `No git ${missing.join(' or ')} found, so the deployment is sent without git data and change lead time ` +
          'cannot be computed for it. Run inside the checkout, or pass --git-repository-url and --git-commit-sha ' +
          '(or DD_GIT_REPOSITORY_URL / DD_GIT_COMMIT_SHA); --skip-git silences this.',
      );
    }
  }

  const payload = deploymentPayload({
    service,
    started_at: startedAt,
    finished_at: finishedAt,
    env,
    version,
    team: options.team,
    id,
    custom_tags: options.customTags,
    git,
  });
  reporter.detail(`Deployment window: ${formatNs(startedAt)} → ${formatNs(finishedAt)}`);
  if (now - finishedAt > STALE_AFTER_NS) {
    reporter.warn(`--finished-at is ${formatNs(finishedAt)}, over 3 hours ago: Datadog may not count deployments that old.`);
  }

  await sendEvent(
    {
      kind: 'deployment',
      path: DEPLOYMENT_PATH,
      id,
      payload,
      title: `deployment of ${shown(service)}${env ? ` to ${shown(env)}` : ''}`,
      summary: { service, env, started_at: startedAt, finished_at: finishedAt, git },
    },
    options,
    ctx,
    reporter,
  );
}
