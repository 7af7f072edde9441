/**
 * The event half of the input step: flags and configuration merged (flag > environment variable), trimmed, and
 * checked into one typed input, with messages that name where each value came from. Commands call these once; the
 * body builders in src/events/ take the result and check nothing.
 */
import type * as z from 'zod/mini';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { checkNotAhead, formatNs, parseTimestamp } from '../time.js';
import { customTags, eventId, firstIssue, text } from './fields.js';

export interface EventOptions {
  env?: string;
  version?: string;
  team?: string;
  customTags?: string[];
  id?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** The attributes every event kind shares. */
export interface CommonFields {
  env?: string;
  version?: string;
  team?: string;
  customTags?: string[];
}

/** A value from its flag, else from its variable, trimmed, with the name of where it came from. */
export interface Sourced {
  value: string;
  from: string;
}

export function flagOrEnv(
  flagValue: string | undefined,
  flag: string,
  config: Config,
  key: 'service' | 'env' | 'version',
): Sourced | undefined {
  if (flagValue !== undefined) return { value: flagValue.trim(), from: flag };
  const value = config[key];
  return value === undefined ? undefined : { value, from: config.sources[key] ?? key };
}

/** Checks one value with its schema; the message names `from`. */
export function checked<T>(schema: (label: string) => z.ZodMiniType<T>, sourced: Sourced | undefined): T | undefined {
  if (sourced === undefined) return undefined;
  const result = schema(sourced.from).safeParse(sourced.value);
  if (!result.success) throw new UsageError(firstIssue(result.error));
  return result.data;
}

export function commonFields(options: EventOptions, config: Config): CommonFields {
  const tags = options.customTags?.map((tag) => tag.trim());
  const parsedTags = tags === undefined ? undefined : customTags.safeParse(tags);
  if (parsedTags && !parsedTags.success) throw new UsageError(firstIssue(parsedTags.error));
  const fields: CommonFields = {};
  assign(fields, 'env', checked(text, flagOrEnv(options.env, '--env', config, 'env')));
  assign(fields, 'version', checked(text, flagOrEnv(options.version, '--version', config, 'version')));
  assign(fields, 'team', textFlag(options.team, '--team'));
  if (parsedTags?.success && parsedTags.data.length > 0) fields.customTags = parsedTags.data;
  return fields;
}

/** The services named by repeated --service flags, else DD_SERVICE; the same name twice is one service. */
export function serviceList(flagValues: string[] | undefined, config: Config): string[] {
  const sourced = flagValues
    ? flagValues.map((value) => ({ value: value.trim(), from: '--service' }))
    : config.service !== undefined
      ? [{ value: config.service, from: config.sources.service ?? 'DD_SERVICE' }]
      : [];
  return [...new Set(sourced.map((one) => checked(text, one) as string))];
}

/** A free-text flag of its own (an incident's --name or --severity). */
export function textFlag(value: string | undefined, flag: string, max?: number): string | undefined {
  return checked((label) => text(label, max), value === undefined ? undefined : { value: value.trim(), from: flag });
}

/** The event id: the user's, checked, or one generated for this run (every retry reuses it). */
export function idField(value: string | undefined, newId: () => string): string {
  return checked(eventId, value === undefined ? undefined : { value: value.trim(), from: '--id' }) ?? newId();
}

/** The id of an event to read, update or delete: as the API gave it, so only sanity is checked. */
export function recordId(value: string): string {
  const id = value.trim();
  if (!/^[\x21-\x7e]{1,128}$/.test(id))
    throw new UsageError(`${JSON.stringify(value)} is not an event id (1 to 128 visible characters).`);
  return id;
}

/** An event's time option, parsed against the caller's clock and at most a minute ahead of it; undefined when not given. */
export function timeField(value: string | undefined, flag: string, nowNs: bigint): bigint | undefined {
  if (value === undefined) return undefined;
  const ns = parseTimestamp(value, flag, nowNs);
  checkNotAhead(ns, nowNs, flag);
  return ns;
}

/** Start before finish, or exit 2 saying which came first. */
export function checkOrder(startedAt: bigint, finishedAt: bigint | undefined, what: string): void {
  if (finishedAt !== undefined && startedAt > finishedAt) {
    throw new UsageError(
      `--started-at is after --finished-at: ${what} (${formatNs(startedAt)} is after ${formatNs(finishedAt)}).`,
    );
  }
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
