/** `dora incident`'s input step: its flags and the configuration, checked once into one typed input. */
import type { CommonOptions } from '../commands/options.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { type DeliveryInput, deliveryInput } from './delivery.js';
import { type CommonFields, checkOrder, commonFields, idField, serviceList, textFlag, timeField } from './event.js';
import { MAX_NAME_LENGTH } from './fields.js';

export interface IncidentOptions extends CommonOptions {
  service?: string[];
  name?: string;
  severity?: string;
}

export interface IncidentInput {
  delivery: DeliveryInput;
  services: string[];
  id: string;
  /** Whether the id was generated for this run (not given with --id). */
  idGenerated: boolean;
  fields: CommonFields;
  name?: string;
  severity?: string;
  startedAt: bigint;
  finishedAt?: bigint;
}

export function incidentInput(options: IncidentOptions, ctx: Context): IncidentInput {
  const delivery = deliveryInput(options, ctx.config);
  const services = serviceList(options.service, ctx.config);
  const fields = commonFields(options, ctx.config);
  if (services.length === 0 && fields.team === undefined) {
    throw new UsageError('An incident needs at least one --service (or DD_SERVICE) or a --team.');
  }
  const now = ctx.nowNs();
  const startedAt = timeField(options.startedAt, '--started-at', now);
  if (startedAt === undefined) throw new UsageError('--started-at is required: when did the failure start?');
  const finishedAt = timeField(options.finishedAt, '--finished-at', now);
  checkOrder(startedAt, finishedAt, 'an incident cannot be resolved before it starts');
  const name = textFlag(options.name, '--name', MAX_NAME_LENGTH);
  const severity = textFlag(options.severity, '--severity');
  return {
    delivery,
    services,
    id: idField(options.id, ctx.newId),
    idGenerated: options.id === undefined,
    fields,
    ...(name !== undefined ? { name } : {}),
    ...(severity !== undefined ? { severity } : {}),
    startedAt,
    ...(finishedAt !== undefined ? { finishedAt } : {}),
  };
}
