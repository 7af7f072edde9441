/** `dora deployment`'s input step: its flags and the configuration, checked once into one typed input. */
import type { CommonOptions } from '../commands/options.js';
import { requireConfig } from '../config.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { type DeliveryInput, deliveryInput } from './delivery.js';
import { type CommonFields, checkOrder, commonFields, idField, serviceList, timeField } from './event.js';

export interface DeploymentOptions extends CommonOptions {
  service?: string[];
  skipGit?: boolean;
  rollbackOf?: string;
  rollforwardOf?: string;
}

export interface DeploymentInput {
  delivery: DeliveryInput;
  /** One event per service, each with its own id; they share everything else. */
  services: Array<{ service: string; id: string }>;
  fields: CommonFields;
  /** Given with --started-at; in wrap mode it may be left to the command's start. */
  startedAt?: bigint;
  /** Given with --finished-at; else now (see finishOf), or the command's exit in wrap mode. */
  finishedAt?: bigint;
  skipGit: boolean;
  softFail: boolean;
  /** The deploy command to run and time (`-- <command>`), if any. */
  command?: readonly string[];
  /** This deployment remediates the one of that version: it is marked a change failure once this one is recorded. */
  remediates?: { version: string; type: 'rollback' | 'rollforward' };
}

export function deploymentInput(
  options: DeploymentOptions,
  ctx: Context,
  command?: readonly string[],
): DeploymentInput {
  // A bad site or timeout is refused before any other work, even in a dry run.
  const delivery = deliveryInput(options, ctx.config);
  const names = serviceList(options.service, ctx.config);
  if (names.length === 0) throw new UsageError('--service is required (or set DD_SERVICE).');
  if (names.length > 1 && options.id !== undefined) {
    throw new UsageError(
      '--id names one event, and several --service make one deployment each: leave --id out, and each gets its own.',
    );
  }
  if (command !== undefined && command.length === 0)
    throw new UsageError('Nothing to run after --: give the deploy command, e.g. -- ./deploy.sh.');
  const now = ctx.nowNs();
  const startedAt = timeField(options.startedAt, '--started-at', now);
  const finishedAt = timeField(options.finishedAt, '--finished-at', now);
  if (command !== undefined && finishedAt !== undefined) {
    throw new UsageError(
      '--finished-at cannot be given with a command to run: the deployment finishes when the command does.',
    );
  }
  if (command === undefined && startedAt === undefined) {
    throw new UsageError(
      '--started-at is required: when did the deployment start? (Or let dora time it: dora deployment … -- <deploy command>.)',
    );
  }
  if (startedAt !== undefined) checkOrder(startedAt, finishedAt, 'a deployment cannot finish before it starts');
  if (options.softFail === undefined) requireConfig(ctx.config, 'softFail');
  const fields = commonFields(options, ctx.config);
  const remediates = remediatesInput(options, fields.env);
  return {
    delivery,
    services: names.map((service, index) => ({
      service,
      id: index === 0 ? idField(options.id, ctx.newId) : ctx.newId(),
    })),
    fields,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    skipGit: options.skipGit === true,
    softFail: options.softFail ?? ctx.config.softFail,
    ...(command !== undefined ? { command } : {}),
    ...(remediates ? { remediates } : {}),
  };
}

function remediatesInput(options: DeploymentOptions, env: string | undefined): DeploymentInput['remediates'] {
  if (options.rollbackOf !== undefined && options.rollforwardOf !== undefined) {
    throw new UsageError('--rollback-of and --rollforward-of both name the deployment this one remediates: give one.');
  }
  const version = (options.rollbackOf ?? options.rollforwardOf)?.trim();
  if (version === undefined) return undefined;
  const flag = options.rollbackOf !== undefined ? '--rollback-of' : '--rollforward-of';
  if (version === '') throw new UsageError(`${flag} must not be empty: give the version of the failed deployment.`);
  // The failed deployment is looked up by service, env and version: without the env it could be another one's.
  if (env === undefined)
    throw new UsageError(`${flag} needs --env (or DD_ENV): the failed deployment is looked up in that environment.`);
  return { version, type: options.rollbackOf !== undefined ? 'rollback' : 'rollforward' };
}

/**
 * When a deployment without --finished-at finishes: now, or its start when that is a little ahead of this machine's
 * clock (another runner's clock, within the minute timeField allows): it cannot finish before it starts.
 */
export function finishOf(startedAt: bigint, finishedAt: bigint | undefined, nowNs: bigint): bigint {
  if (finishedAt !== undefined) return finishedAt;
  return nowNs < startedAt ? startedAt : nowNs;
}
