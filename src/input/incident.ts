/** `dora incident`'s input: its flags and the configuration, checked once into one final input. */
import { UsageError } from '../errors.js';
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
  textOf,
  timeOf,
} from './event.js';
import { MAX_NAME_LENGTH } from './fields.js';
import type { IncidentFlags } from './flags.js';

export interface IncidentInput {
  delivery: DeliveryInput;
  dryRun: boolean;
  softFail: boolean;
  services: string[];
  id: string;
  /** Whether the id was generated for this run (not given with --id). */
  idGenerated: boolean;
  fields: EventFields;
  name?: string | undefined;
  severity?: string | undefined;
  startedAt: bigint;
  finishedAt?: bigint | undefined;
  /** Only when --git-commit-sha names the commit that caused the incident. */
  git?: GitInput | undefined;
  warnings: string[];
}

export async function incidentInput(flags: IncidentFlags, sources: InputSources): Promise<IncidentInput> {
  const { config } = sources;
  const dryRun = flags.dryRun === true;
  const delivery = deliveryInput(flags, config);
  const services = servicesOf(flags, config).map(({ value }) => value);
  const fields = fieldsOf(flags, config);
  if (services.length === 0 && fields.team === undefined) {
    throw new UsageError('An incident needs at least one --service (or DD_SERVICE) or a --team.');
  }
  const now = sources.nowNs();
  const startedAt = timeOf(flags.startedAt, '--started-at', now);
  if (startedAt === undefined) throw new UsageError('--started-at is required: when did the failure start?');
  const finishedAt = timeOf(flags.finishedAt, '--finished-at', now);
  checkOrder(startedAt, finishedAt, 'an incident cannot be resolved before it starts');
  const name = textOf(flags.name, '--name', config, MAX_NAME_LENGTH);
  const severity = textOf(flags.severity, '--severity', config);
  const softFail = softFailOf(flags, config);
  const { id, generated } = idOf(flags.id, sources.newId, config.secrets);
  // An incident is about what broke, not about the checkout this command runs in: git only when the culprit is named.
  let git: GitInput | undefined;
  if (flags.gitCommitSha !== undefined) {
    git = await gitOf(flags, sources);
    if (!git.facts) {
      throw new UsageError(
        `No repository URL found for commit ${flags.gitCommitSha.trim()}: pass --git-repository-url (or DD_GIT_REPOSITORY_URL), ` +
          'or run inside the checkout.',
      );
    }
  } else if (flags.gitRepositoryUrl !== undefined) {
    throw new UsageError('--git-repository-url needs --git-commit-sha (the commit that caused the incident).');
  }
  return {
    delivery: withKeys(delivery, { apiKey: 'required' }, config, dryRun),
    dryRun,
    softFail,
    services,
    id,
    idGenerated: generated,
    fields,
    name,
    severity,
    startedAt,
    finishedAt,
    git,
    warnings: git?.resolution.warnings ?? [],
  };
}
