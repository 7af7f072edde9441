/**
 * The input of the verbs that read and correct what was recorded: show, list, delete, `incident resolve` and
 * `deployment update`. Each needs the application key (with the permission its request needs) besides the API key.
 */
import { UsageError } from '../errors.js';
import type { Patch, RecordKind, RemediationType, SearchTerms } from '../events/records.js';
import { refuseCredential } from '../output/refuse.js';
import { checkNotAhead, parseTimestamp } from '../time.js';
import { type DeliveryInput, deliveryInput, withKeys } from './delivery.js';
import { type InputSources, timeOf } from './event.js';
import { ID_PATTERN, text } from './fields.js';
import type { VerbFlags } from './flags.js';
import { READ, WRITE } from './permissions.js';
import { checked, fromFlag } from './values.js';

export interface VerbInput {
  delivery: DeliveryInput;
  dryRun: boolean;
}

/** The id of an event to read, update or delete: as the API gave it, so only sanity is checked. */
export function recordId(value: string, secrets: readonly string[], label = '<id>'): string {
  const id = value.trim();
  // The API's own form: anything else names no event, and `.` or `..` would reach another endpoint of the path.
  if (!ID_PATTERN.test(id)) {
    throw new UsageError(`${label}: not an event id (16 to 128 characters of letters, digits, "-", "_", "." or ":").`);
  }
  // It goes into the request's path, or into the event: never a credential.
  refuseCredential({ value: id, from: label }, secrets);
  return id;
}

function verb(flags: VerbFlags, sources: InputSources, permission: string): VerbInput {
  const dryRun = flags.dryRun === true;
  const delivery = deliveryInput(flags, sources.config);
  return {
    delivery: withKeys(delivery, { apiKey: 'required', appKeyPermission: permission }, sources.config, dryRun),
    dryRun,
  };
}

export interface OneRecordInput extends VerbInput {
  kind: RecordKind;
  id: string;
}

export function showInput(kind: RecordKind, rawId: string, flags: VerbFlags, sources: InputSources): OneRecordInput {
  const id = recordId(rawId, sources.config.secrets);
  return { ...verb(flags, sources, READ), kind, id };
}

export interface DeleteFlags extends VerbFlags {
  yes?: boolean;
}

export interface DeleteInput extends OneRecordInput {
  /** Delete without asking. */
  yes: boolean;
}

export function deleteInput(kind: RecordKind, rawId: string, flags: DeleteFlags, sources: InputSources): DeleteInput {
  const id = recordId(rawId, sources.config.secrets);
  return { ...verb(flags, sources, WRITE), kind, id, yes: flags.yes === true };
}

export interface ListFlags extends VerbFlags {
  service?: string;
  env?: string;
  version?: string;
  team?: string;
  severity?: string;
  open?: boolean;
  since?: string;
  until?: string;
  limit?: string;
  query?: string;
}

export interface ListInput extends VerbInput {
  kind: RecordKind;
  /** Inclusive bounds, nanoseconds. */
  from: bigint;
  to: bigint;
  limit: number;
  terms: SearchTerms;
  /** More search terms, as the user wrote them. */
  query?: string | undefined;
  /** Incidents not resolved yet only. */
  open: boolean;
}

export function listInput(kind: RecordKind, flags: ListFlags, sources: InputSources): ListInput {
  const base = verb(flags, sources, READ);
  const now = sources.nowNs();
  // An incident still open may have started long ago: --open looks back over all Datadog keeps (two years).
  const from = windowTime(
    flags.since ?? (kind === 'incident' && flags.open === true ? '-730d' : '-7d'),
    '--since',
    now,
  );
  const to = windowTime(flags.until ?? 'now', '--until', now);
  if (from > to) throw new UsageError('--since is after --until: nothing could match.');
  const rawLimit = flags.limit?.trim() ?? '20';
  const limit = Number(rawLimit);
  if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 1000) {
    throw new UsageError('--limit must be a whole number from 1 to 1000.');
  }
  const value = (raw: string | undefined, flag: string) => checked(text, fromFlag(raw, flag), sources.config.secrets);
  const terms: SearchTerms = {
    service: value(flags.service, '--service'),
    env: value(flags.env, '--env'),
    version: value(flags.version, '--version'),
    team: value(flags.team, '--team'),
    severity: value(flags.severity, '--severity'),
  };
  const query = flags.query?.trim() || undefined;
  // Sent as it is (Datadog's own search syntax, any length), but never with a credential in it.
  if (query !== undefined) refuseCredential({ value: query, from: '--query' }, sources.config.secrets);
  return { ...base, kind, from, to, limit, terms, query, open: flags.open === true };
}

/** A bound of a window read back: every time form, at most a minute ahead of now. */
export function windowTime(value: string, flag: string, now: bigint): bigint {
  const ns = parseTimestamp(value, flag, now);
  checkNotAhead(ns, now, flag);
  return ns;
}

export interface ResolveFlags extends VerbFlags {
  finishedAt?: string;
}

export interface ResolveInput extends VerbInput {
  id: string;
  finishedAt: bigint;
}

/** `dora incident resolve <id>`: reads the incident (application key) and sends it again (API key). */
export function resolveInput(rawId: string, flags: ResolveFlags, sources: InputSources): ResolveInput {
  const id = recordId(rawId, sources.config.secrets);
  const base = verb(flags, sources, READ);
  const now = sources.nowNs();
  const finishedAt = timeOf(flags.finishedAt ?? 'now', '--finished-at', now) as bigint;
  return { ...base, id, finishedAt };
}

export interface UpdateFlags extends VerbFlags {
  changeFailure?: boolean;
  /** Both --change-failure and --no-change-failure were given. */
  changeFailureBoth?: boolean;
  remediatedBy?: string;
  remediatedByVersion?: string;
  remediationType?: string;
  service?: string;
  env?: string;
  version?: string;
}

/** A deployment picked by service, env and version: the most recent one that finished by `before`. */
export interface DeploymentPick {
  service: string;
  env: string;
  version: string;
  before: bigint;
}

export interface UpdateInput extends VerbInput {
  target: { id: string } | { pick: DeploymentPick };
  patch: Patch;
}

export function updateInput(rawId: string | undefined, flags: UpdateFlags, sources: InputSources): UpdateInput {
  const pickGiven = [flags.service, flags.env, flags.version].filter((value) => value !== undefined).length;
  if (rawId !== undefined && pickGiven > 0) {
    throw new UsageError('Give the deployment either by <id> or by --service, --env and --version, not both.');
  }
  if (rawId === undefined && pickGiven < 3) {
    throw new UsageError('Which deployment? Give its <id>, or --service, --env and --version together.');
  }
  if (flags.remediatedBy !== undefined && flags.remediatedByVersion !== undefined) {
    throw new UsageError('--remediated-by and --remediated-by-version name the same thing: give one.');
  }
  const by = flags.remediatedBy ?? flags.remediatedByVersion;
  if (by !== undefined && flags.remediationType === undefined) {
    throw new UsageError('--remediation-type rollback|rollforward is required with a remediation.');
  }
  if (by === undefined && flags.remediationType !== undefined) {
    throw new UsageError('--remediation-type needs --remediated-by or --remediated-by-version.');
  }
  if (flags.changeFailureBoth) {
    throw new UsageError('--change-failure and --no-change-failure say opposite things: give one.');
  }
  if (flags.changeFailure === undefined && by === undefined) {
    throw new UsageError(
      'Nothing to change: give --change-failure, --no-change-failure or a remediation (--remediated-by … --remediation-type …).',
    );
  }
  if (flags.changeFailure === false && by !== undefined) {
    throw new UsageError('A deployment that is no change failure has no remediation: leave out --remediated-by.');
  }
  const type = flags.remediationType as RemediationType | undefined;
  const remediation =
    by === undefined || type === undefined
      ? undefined
      : flags.remediatedBy !== undefined
        ? { id: recordId(flags.remediatedBy, sources.config.secrets, '--remediated-by'), type }
        : { version: checked(text, fromFlag(by, '--remediated-by-version'), sources.config.secrets) as string, type };
  // A remediation is of a change failure: naming one marks it.
  const patch: Patch = { changeFailure: flags.changeFailure ?? true, ...(remediation ? { remediation } : {}) };
  const base = verb(flags, sources, pickGiven > 0 ? `${READ} and ${WRITE}` : WRITE);
  if (rawId !== undefined) return { ...base, target: { id: recordId(rawId, sources.config.secrets) }, patch };
  const value = (raw: string | undefined, flag: string) =>
    checked(text, fromFlag(raw, flag), sources.config.secrets) as string;
  const pick: DeploymentPick = {
    service: value(flags.service, '--service'),
    env: value(flags.env, '--env'),
    version: value(flags.version, '--version'),
    before: sources.nowNs(),
  };
  return { ...base, target: { pick }, patch };
}
