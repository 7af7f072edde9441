/** `dora incident`: open a failure (no --finished-at) or resolve it (same id, services, env and start, plus --finished-at). */
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { FAILURE_PATH, failurePayload } from '../events/failure.js';
import { parseTimestamp } from '../time.js';
import type { Context } from '../context.js';
import { shown, type Reporter } from '../output.js';
import { findGit } from './git.js';
import { addDeliveryOptions, addEventOptions, single, type CommonOptions } from './options.js';
import { checkDeliverySettings, sendEvent } from './send.js';

export interface IncidentOptions extends CommonOptions {
  service?: string[];
  name?: string;
  severity?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function incidentCommand(run: (options: IncidentOptions) => Promise<void>): Command {
  const command = new Command('incident')
    .description('Open an incident (a failure of one or more services), or resolve it by sending it again with --finished-at.')
    .addOption(new Option('--service <service>', 'affected service; repeat for several (env: DD_SERVICE)').argParser(collect))
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

Open, then resolve (same id, services, env and start):
  $ ID=$(dora incident --service checkout --service payments --team shop --env prod \\
      --started-at 2026-11-26T10:00:00Z --name "Checkout 5xx" --severity SEV-2 --json | jq -r .id)
  $ dora incident --id "$ID" --service checkout --service payments --team shop --env prod \\
      --started-at 2026-11-26T10:00:00Z --finished-at now`,
    )
    .action(async (options: IncidentOptions) => run(options));
}

export async function runIncident(options: IncidentOptions, ctx: Context, reporter: Reporter): Promise<void> {
  checkDeliverySettings(options, ctx);
  // The same service named twice is one affected service.
  const services = [...new Set(options.service ?? (ctx.config.service !== undefined ? [ctx.config.service] : []))];
  if (services.length === 0 && options.team === undefined) {
    throw new UsageError('An incident needs at least one --service (or DD_SERVICE) or a --team.');
  }
  if (options.startedAt === undefined) throw new UsageError('--started-at is required: when did the failure start?');
  const now = ctx.nowNs();
  const startedAt = parseTimestamp(options.startedAt, '--started-at', now);
  const finishedAt = options.finishedAt === undefined ? undefined : parseTimestamp(options.finishedAt, '--finished-at', now);
  const id = options.id ?? ctx.newId();
  const env = options.env ?? ctx.config.env;
  const version = options.version ?? ctx.config.version;

  // An incident is about what broke, not about the checkout this command runs in: git only when the culprit is named.
  let git;
  if (options.gitCommitSha !== undefined) {
    const resolution = await findGit(options, ctx, reporter);
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

  const payload = failurePayload({
    services: services.length > 0 ? services : undefined,
    team: options.team,
    started_at: startedAt,
    finished_at: finishedAt,
    name: options.name,
    severity: options.severity,
    env,
    version,
    id,
    custom_tags: options.customTags,
    git,
  });

  const state = finishedAt === undefined ? 'open' : 'resolved';
  const who = services.length > 0 ? services.map(shown).join(', ') : `team ${shown(options.team ?? '')}`;
  const resolveHint =
    state === 'open'
      ? [
          'Resolve it later with the same id, services, env and start:',
          `  ${resolveCommand({ id, services, team: options.team, env, startedAt })}`,
        ]
      : [];

  await sendEvent(
    {
      kind: 'incident',
      path: FAILURE_PATH,
      id,
      payload,
      title: `${state === 'open' ? 'opening' : 'resolution'} of the incident on ${who}${env ? ` in ${shown(env)}` : ''}`,
      summary: { state, services, team: options.team, env, started_at: startedAt, finished_at: finishedAt },
      afterSuccess: resolveHint,
    },
    options,
    ctx,
    reporter,
  );
}

function resolveCommand(event: { id: string; services: string[]; team?: string; env?: string; startedAt: bigint }): string {
  const parts = ['dora incident', `--id ${shellQuote(event.id)}`];
  for (const service of event.services) parts.push(`--service ${shellQuote(service)}`);
  if (event.team !== undefined) parts.push(`--team ${shellQuote(event.team)}`);
  if (event.env !== undefined) parts.push(`--env ${shellQuote(event.env)}`);
  parts.push(`--started-at ${event.startedAt}`, '--finished-at now');
  return parts.join(' ');
}

/** Quotes for POSIX shells only when needed, so the hint can be pasted as is. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.:,/@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
