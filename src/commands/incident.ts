/** `dora incident`: open a failure (no --finished-at) or resolve it (same id, services, env and start, plus --finished-at). */
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { FAILURE_PATH, failureBody } from '../events/failure.js';
import type { GitFacts } from '../git/resolve.js';
import { type IncidentInput, type IncidentOptions, incidentInput } from '../input/incident.js';
import { shown } from '../output/redact.js';
import type { Reporter } from '../output/reporter.js';
import { shellQuote } from '../output/shell.js';
import { findGit } from './git.js';
import { addDeliveryOptions, addEventOptions, collect, single } from './options.js';
import { sendEvents } from './send.js';

export function incidentCommand(run: (options: IncidentOptions) => Promise<void>): Command {
  const command = new Command('incident')
    .description(
      'Open an incident (a failure of one or more services); resolve it later with dora incident resolve <id>.',
    )
    .addOption(
      new Option('--service <service>', 'affected service; repeat for several (env: DD_SERVICE)').argParser(collect),
    )
    .addOption(single('--name <name>', 'short title of the incident'))
    .addOption(single('--severity <severity>', 'severity, e.g. SEV-1'));
  addEventOptions(command, 'incident');
  addDeliveryOptions(command);
  return command
    .addHelpText(
      'after',
      `
At least one --service or a --team is required. No git data is sent unless --git-commit-sha names the commit that
caused the incident; the repository URL is then found as for deployments.

Open, then resolve (resolve reads the incident back, so it needs DD_APP_KEY too):
  $ ID=$(dora incident --service checkout --service payments --team shop --env prod \\
      --started-at -10m --name "Checkout 5xx" --severity SEV-2 --json | jq -r .id)
  $ dora incident resolve "$ID"
  $ dora incident list --open --since -2d`,
    )
    .action(async (options: IncidentOptions) => run(options));
}

export async function runIncident(options: IncidentOptions, ctx: Context, reporter: Reporter): Promise<void> {
  const input = incidentInput(options, ctx);
  const { services, fields, id } = input;

  // An incident is about what broke, not about the checkout this command runs in: git only when the culprit is named.
  let git: GitFacts | undefined;
  if (options.gitCommitSha !== undefined) {
    const resolution = await findGit(options, options.dryRun === true, ctx, reporter);
    git = resolution.git;
    if (!git) {
      throw new UsageError(
        `No repository URL found for commit ${options.gitCommitSha}: pass --git-repository-url (or DD_GIT_REPOSITORY_URL), ` +
          'or run inside the checkout.',
      );
    }
  } else if (options.gitRepositoryUrl !== undefined) {
    throw new UsageError('--git-repository-url needs --git-commit-sha (the commit that caused the incident).');
  }

  const payload = failureBody({
    services,
    startedAt: input.startedAt,
    id,
    ...fields,
    ...(input.finishedAt !== undefined ? { finishedAt: input.finishedAt } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.severity !== undefined ? { severity: input.severity } : {}),
    ...(git ? { git } : {}),
  });

  const state = input.finishedAt === undefined ? 'open' : 'resolved';
  const who = services.length > 0 ? services.map(shown).join(', ') : `team ${shown(fields.team ?? '')}`;
  // A resend replaces the event, so the hint repeats every attribute: a resolution without the name would erase it.
  const afterSuccess =
    state === 'open'
      ? [
          'Resolve it later by sending it again, with every attribute and the finish:',
          `  ${resolveCommand(input, git)}`,
        ]
      : input.idGenerated
        ? [
            'This recorded a new incident, already resolved. To resolve one that is open, give its id: ' +
              'dora incident resolve <id>, or resend it with --id and its other attributes.',
          ]
        : [];

  await sendEvents(
    [
      {
        kind: 'incident',
        path: FAILURE_PATH,
        id,
        payload,
        title: `${state === 'open' ? 'opening' : 'resolution'} of the incident on ${who}${fields.env ? ` in ${shown(fields.env)}` : ''}`,
        summary: {
          state,
          services,
          team: fields.team,
          env: fields.env,
          started_at: String(input.startedAt),
          finished_at: input.finishedAt === undefined ? undefined : String(input.finishedAt),
        },
        afterSuccess,
      },
    ],
    input.delivery,
    { ...options, softFail: options.softFail ?? ctx.config.softFail },
    ctx,
    reporter,
  );
}

function resolveCommand(input: IncidentInput, git: GitFacts | undefined): string {
  const { fields } = input;
  const parts = ['dora incident', `--id ${shellQuote(input.id)}`];
  for (const service of input.services) parts.push(`--service ${shellQuote(service)}`);
  const flags: Array<[string, string | undefined]> = [
    ['--team', fields.team],
    ['--env', fields.env],
    ['--version', fields.version],
    ['--name', input.name],
    ['--severity', input.severity],
  ];
  for (const [flag, value] of flags) if (value !== undefined) parts.push(`${flag} ${shellQuote(value)}`);
  for (const tag of fields.customTags ?? []) parts.push(`--custom-tags ${shellQuote(tag)}`);
  if (git) parts.push(`--git-repository-url ${shellQuote(git.repository_url)}`, `--git-commit-sha ${git.commit_sha}`);
  parts.push(`--started-at ${input.startedAt}`, '--finished-at now');
  return parts.join(' ');
}
