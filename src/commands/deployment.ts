/** `dora deployment`: options → one checked input → the deployment event → delivery → report. */
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { DEPLOYMENT_PATH, deploymentBody } from '../events/deployment.js';
import { deploymentInput, type DeploymentOptions } from '../input/deployment.js';
import { shown } from '../output/redact.js';
import type { Reporter } from '../output/reporter.js';
import { formatNs } from '../time.js';
import { findGit } from './git.js';
import { addDeliveryOptions, addEventOptions, single } from './options.js';
import { sendEvent } from './send.js';

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
  const input = deploymentInput(options, ctx);
  const { service, fields } = input;

  let git;
  if (input.skipGit) {
    if (options.gitRepositoryUrl || options.gitCommitSha) reporter.warn('--skip-git given: the git flags are ignored.');
  } else {
    const resolution = await findGit(options, options.dryRun === true, ctx, reporter);
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

  const payload = deploymentBody({ service, startedAt: input.startedAt, finishedAt: input.finishedAt, id: input.id, ...fields, ...(git ? { git } : {}) });
  reporter.detail(`Deployment window: ${formatNs(input.startedAt)} → ${formatNs(input.finishedAt)}`);

  await sendEvent(
    {
      kind: 'deployment',
      path: DEPLOYMENT_PATH,
      id: input.id,
      payload,
      title: `deployment of ${shown(service)}${fields.env ? ` to ${shown(fields.env)}` : ''}`,
      summary: {
        service,
        env: fields.env,
        version: fields.version,
        started_at: String(input.startedAt),
        finished_at: String(input.finishedAt),
        git,
      },
    },
    input.delivery,
    options,
    ctx,
    reporter,
  );
}
