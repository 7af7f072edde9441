/** `dora deployment`'s input step: its flags and the configuration, checked once into one typed input. */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { deliveryInput, type DeliveryInput } from './delivery.js';
import { checkOrder, commonFields, idField, serviceList, timeField, type CommonFields } from './event.js';
import type { CommonOptions } from '../commands/options.js';

export interface DeploymentOptions extends CommonOptions {
  service?: string;
  skipGit?: boolean;
}

export interface DeploymentInput {
  delivery: DeliveryInput;
  service: string;
  id: string;
  fields: CommonFields;
  startedAt: bigint;
  finishedAt: bigint;
  /** Whether the finish was given (else it is now). */
  finishGiven: boolean;
  skipGit: boolean;
}

export function deploymentInput(options: DeploymentOptions, ctx: Context): DeploymentInput {
  // A bad site or timeout is refused before any other work, even in a dry run.
  const delivery = deliveryInput(options, ctx.config);
  const [service] = serviceList(options.service === undefined ? undefined : [options.service], ctx.config);
  if (service === undefined) throw new UsageError('--service is required (or set DD_SERVICE).');
  const now = ctx.nowNs();
  const startedAt = timeField(options.startedAt, '--started-at', now);
  if (startedAt === undefined) throw new UsageError('--started-at is required: when did the deployment start?');
  const finishedAt = timeField(options.finishedAt, '--finished-at', now);
  if (finishedAt === undefined && startedAt > now) {
    throw new UsageError('--started-at is in the future: without --finished-at the deployment finishes now.');
  }
  checkOrder(startedAt, finishedAt, 'a deployment cannot finish before it starts');
  return {
    delivery,
    service,
    id: idField(options.id, ctx.newId),
    fields: commonFields(options, ctx.config),
    startedAt,
    finishedAt: finishedAt ?? now,
    finishGiven: finishedAt !== undefined,
    skipGit: options.skipGit === true,
  };
}
