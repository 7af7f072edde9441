/**
 * `dora deployment`'s input: its flags, the configuration and the checkout, checked once into one final input. What
 * leaves here is what is sent: the times are fixed (or, with a deploy command to wrap, left to that command), the ids
 * made, the git facts found, the keys present.
 */
import { UsageError } from '../errors.js';
import { refuseCredential } from '../output/refuse.js';
import { laterOf } from '../time.js';
import { type DeliveryInput, deliveryInput, withKeys } from './delivery.js';
import {
  checkOrder,
  type EventFields,
  fieldsOf,
  type GitInput,
  gitOf,
  type InputSources,
  idOf,
  servicesOf,
  softFailOf,
  timeOf,
} from './event.js';
import type { DeploymentFlags } from './flags.js';
import { READ, WRITE } from './permissions.js';

export interface DeploymentInput extends DeploymentEvent {
  delivery: DeliveryInput;
}

/** Everything of the input but where it goes: what `dora doctor` judges as "the event". */
export interface DeploymentEvent {
  dryRun: boolean;
  softFail: boolean;
  /** One event per service, each with its own id; they share everything else. */
  services: Array<{ service: string; id: string }>;
  fields: EventFields;
  /** The run's one "now", read once by the input step. */
  now: bigint;
  /** Fixed times, or (wrapping a deploy command) the times that command's run will give. */
  window: { startedAt: bigint; finishedAt: bigint } | { command: readonly string[]; startedAt?: bigint | undefined };
  /** undefined with --skip-git. */
  git?: GitInput | undefined;
  /** This deployment remediates the one of that version: it is marked a change failure once this one is recorded. */
  remediates?: { version: string; type: 'rollback' | 'rollforward' } | undefined;
  /** Said on stderr and kept in the result. */
  warnings: string[];
}

/**
 * `command`: the words after `--`, when a deploy command is to be run (undefined when there was no `--`). Everything a
 * send would refuse is refused here, before the command runs; `dora doctor` runs this same step.
 */
export async function deploymentInput(
  flags: DeploymentFlags,
  command: readonly string[] | undefined,
  sources: InputSources,
): Promise<DeploymentInput> {
  // A bad site or timeout is refused before any other work, even in a dry run.
  const delivery = deliveryInput(flags, sources.config);
  const event = await deploymentEvent(flags, command, sources);
  // The keys last: a run that could not record exits 2 and runs nothing.
  const permission = event.remediates ? `${READ} and ${WRITE}` : undefined;
  const needs = { apiKey: 'required' as const, appKeyPermission: permission };
  return { ...event, delivery: withKeys(delivery, needs, sources.config, event.dryRun) };
}

export async function deploymentEvent(
  flags: DeploymentFlags,
  command: readonly string[] | undefined,
  sources: InputSources,
): Promise<DeploymentEvent> {
  const { config } = sources;
  const dryRun = flags.dryRun === true;
  const remediates = remediatesOf(flags, config.secrets);
  const names = servicesOf(flags, config);
  if (names.length === 0) throw new UsageError('--service is required (or set DD_SERVICE).');
  if (names.length > 1 && flags.id !== undefined) {
    throw new UsageError(
      '--id names one event, and several --service make one deployment each: leave --id out, and each gets its own.',
    );
  }
  if (command !== undefined && (command.length === 0 || command[0]?.trim() === '')) {
    throw new UsageError(
      'Nothing to run after --: give the deploy command, e.g. -- ./deploy.sh (an unset variable such as "$DEPLOY_CMD" gives an empty one).',
    );
  }
  const now = sources.nowNs();
  const startedAt = timeOf(flags.startedAt, '--started-at', now);
  const finishedAt = timeOf(flags.finishedAt, '--finished-at', now);
  if (command !== undefined && finishedAt !== undefined) {
    throw new UsageError(
      '--finished-at cannot be given with a command to run: the deployment finishes when the command does.',
    );
  }
  if (command !== undefined && startedAt !== undefined && startedAt > now) {
    throw new UsageError(
      '--started-at is ahead of now: with a command to run, the deployment starts no later than the command does.',
    );
  }
  if (command === undefined && startedAt === undefined) {
    throw new UsageError(
      '--started-at is required: when did the deployment start? (Or let dora time it: dora deployment … -- <deploy command>.)',
    );
  }
  const fields = fieldsOf(flags, config);
  if (remediates && fields.env === undefined) {
    throw new UsageError(
      `${remediates.flag} needs --env (or DD_ENV): the failed deployment is looked up in that environment.`,
    );
  }
  const softFail = softFailOf(flags, config);
  let window: DeploymentInput['window'];
  if (command === undefined) {
    const start = startedAt as bigint;
    // Without --finished-at it finished now, or at its start when that is a little ahead of this machine's clock
    // (another runner's clock, within the minute timeOf allows): it cannot finish before it starts.
    const finish = finishedAt ?? laterOf(start, now);
    checkOrder(start, finish, 'a deployment cannot finish before it starts');
    window = { startedAt: start, finishedAt: finish };
  } else {
    window = { command, startedAt };
  }
  const first = idOf(flags.id, sources.newId, config.secrets);
  const services = names.map(({ value }, index) => ({
    service: value,
    id: index === 0 ? first.id : sources.newId(),
  }));
  const skipGit = flags.skipGit === true;
  const warnings: string[] = [];
  if (skipGit && (flags.gitRepositoryUrl !== undefined || flags.gitCommitSha !== undefined)) {
    warnings.push('--skip-git given: the git flags are ignored.');
  }
  // Read before the deploy runs: a deploy script may tag, commit or change branch.
  const git = skipGit ? undefined : await gitOf(flags, sources);
  if (git) warnings.push(...git.resolution.warnings, ...missingGitWarning(git));
  return {
    dryRun,
    softFail,
    services,
    fields,
    now,
    window,
    git,
    remediates: remediates ? { version: remediates.version, type: remediates.type } : undefined,
    warnings,
  };
}

function remediatesOf(flags: DeploymentFlags, secrets: readonly string[]) {
  if (flags.rollbackOf !== undefined && flags.rollforwardOf !== undefined) {
    throw new UsageError('--rollback-of and --rollforward-of both name the deployment this one remediates: give one.');
  }
  const version = (flags.rollbackOf ?? flags.rollforwardOf)?.trim();
  if (version === undefined) return undefined;
  const flag = flags.rollbackOf !== undefined ? '--rollback-of' : '--rollforward-of';
  if (version === '') throw new UsageError(`${flag} must not be empty: give the version of the failed deployment.`);
  // A search term of the lookup: refused before anything is sent, as every value that would reach Datadog.
  refuseCredential({ value: version, from: flag }, secrets);
  return { version, flag, type: flags.rollbackOf !== undefined ? ('rollback' as const) : ('rollforward' as const) };
}

/** Sent without git data, change lead time cannot be computed for this deployment: say so, and how to fix it. */
function missingGitWarning(git: GitInput): string[] {
  const { resolution } = git;
  if (resolution.git) return [];
  const missing = [
    resolution.repositoryUrl ? undefined : 'repository URL',
    resolution.commitSha ? undefined : 'commit SHA',
  ]
    .filter(Boolean)
    .join(' or ');
  // When the checkout itself said what went wrong (git missing, an unsafe directory), "run inside it" misleads.
  const where = resolution.local?.problem ? 'Pass' : 'Run inside the checkout, or pass';
  return [
    `No git ${missing} found, so the deployment is sent without git data and change lead time cannot be computed ` +
      `for it. ${where} --git-repository-url and --git-commit-sha (or DD_GIT_REPOSITORY_URL / DD_GIT_COMMIT_SHA); ` +
      '--skip-git silences this.',
  ];
}
