/**
 * The pieces every event input shares, each built once here: the services, the common fields, the id, the times
 * (against the one `now` of the run), the git facts and --soft-fail. deployment.ts and incident.ts add their own
 * extras; the body builders in src/events/ take the result and check nothing.
 */
import type { Config } from '../config.js';
import type { FileReader } from '../context.js';
import { UsageError } from '../errors.js';
import type { LocalGitReader } from '../git/local.js';
import { type GitFacts, type GitResolution, resolveGit } from '../git/resolve.js';
import { echoValue } from '../output/credential.js';
import { refuseCredential } from '../output/refuse.js';
import { checkNotAhead, formatInstant, isRelativeTime, parseTimestamp } from '../time.js';
import { customTags, eventId, firstIssue, text } from './fields.js';
import type { EventFlags, SoftFailFlags } from './flags.js';
import { checked, flagOrEnv, fromFlag, type Sourced } from './values.js';

/** What the input step reads besides the flags: the configuration, the clock once, ids, and the checkout. */
export interface InputSources {
  config: Config;
  nowNs(): bigint;
  newId(): string;
  cwd: string;
  io: FileReader;
  readLocalGit: LocalGitReader;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: git stops, and so does the input step. */
  signal: AbortSignal;
}

/** The attributes every event kind shares. */
export interface EventFields {
  env?: string | undefined;
  version?: string | undefined;
  team?: string | undefined;
  customTags?: string[] | undefined;
}

/** How time values may be written: relative forms (`now`, `-15m`) are refused where history must not depend on when. */
export interface TimeRules {
  /** Where the value came from, for messages: a flag, or a record's field and line. */
  label: (flag: string) => string;
  relative: boolean;
}

export const FLAG_TIMES: TimeRules = { label: (flag) => flag, relative: true };

/** The services named by repeated --service flags, else DD_SERVICE; the same name twice is one service. */
export function servicesOf(flags: EventFlags, config: Config): Sourced[] {
  const sourced = flags.service
    ? flags.service.map((value) => ({ value: value.trim(), from: '--service' }))
    : config.service !== undefined
      ? [{ value: config.service, from: config.sources.service ?? 'DD_SERVICE' }]
      : [];
  const seen = new Set<string>();
  return sourced.filter((one) => {
    checked(text, one, config.secrets);
    if (seen.has(one.value)) return false;
    seen.add(one.value);
    return true;
  });
}

export function fieldsOf(flags: EventFlags, config: Config): EventFields {
  const fields: EventFields = {
    env: checked(text, flagOrEnv(flags.env, '--env', config, 'env'), config.secrets),
    version: checked(text, flagOrEnv(flags.version, '--version', config, 'version'), config.secrets),
    team: checked(text, fromFlag(flags.team, '--team'), config.secrets),
  };
  const tags = flags.customTags?.map((tag) => tag.trim());
  if (tags !== undefined && tags.length > 0) {
    const parsed = customTags().safeParse(tags);
    if (!parsed.success) throw new UsageError(firstIssue(parsed.error));
    for (const tag of tags) refuseCredential({ value: tag, from: '--custom-tags' }, config.secrets);
    fields.customTags = parsed.data;
  }
  return fields;
}

/** A free-text flag of its own (an incident's --name or --severity). */
export function textOf(value: string | undefined, flag: string, config: Config, max?: number): string | undefined {
  return checked((label) => text(label, max), fromFlag(value, flag), config.secrets);
}

/** The event id: the user's, checked, or one generated for this run (every retry reuses it). */
export function idOf(
  value: string | undefined,
  newId: () => string,
  secrets: readonly string[],
): { id: string; generated: boolean } {
  const given = checked(eventId, fromFlag(value, '--id'), secrets);
  return given === undefined ? { id: newId(), generated: true } : { id: given, generated: false };
}

/** An event's time value, parsed against the run's one `now` and at most a minute ahead of it. */
export function timeOf(
  value: string | undefined,
  flag: string,
  now: bigint,
  rules: TimeRules = FLAG_TIMES,
): bigint | undefined {
  if (value === undefined) return undefined;
  const label = rules.label(flag);
  if (!rules.relative && isRelativeTime(value)) {
    throw new UsageError(`${label}: ${echoValue(value.trim())} is relative to now; history needs an absolute time.`);
  }
  const ns = parseTimestamp(value, label, now);
  checkNotAhead(ns, now, label);
  return ns;
}

/** Start before finish, or exit 2 saying which came first; `start` names where the start came from. */
export function checkOrder(
  startedAt: bigint,
  finishedAt: bigint | undefined,
  what: string,
  start = '--started-at',
): void {
  if (finishedAt !== undefined && startedAt > finishedAt) {
    throw new UsageError(
      `${start} is after --finished-at: ${what} (${formatInstant(startedAt)} is after ${formatInstant(finishedAt)}).`,
    );
  }
}

/** --soft-fail, else DORA_SOFT_FAIL (refused when it is not a boolean, whatever the command). */
export function softFailOf(flags: SoftFailFlags, config: Config): boolean {
  if (flags.softFail !== undefined) return flags.softFail;
  if (config.problems.softFail !== undefined) throw new UsageError(config.problems.softFail);
  return config.softFail;
}

/** The git facts an event carries, where each came from, and what was doubtful about them. */
export interface GitInput {
  facts?: GitFacts | undefined;
  resolution: GitResolution;
}

/** Resolves the repository and commit (flag > DD_GIT_* > CI provider > checkout). */
export async function gitOf(flags: EventFlags, sources: InputSources): Promise<GitInput> {
  const resolution = await resolveGit({
    flagUrl: flags.gitRepositoryUrl?.trim(),
    flagSha: flags.gitCommitSha?.trim(),
    config: sources.config,
    cwd: sources.cwd,
    io: sources.io,
    readLocal: (cwd) => sources.readLocalGit(cwd, sources.signal),
  });
  // Stopped while git ran: what the killed git did not say is not "missing", so no warning about it, just stop.
  if (sources.signal.aborted) throw sources.signal.reason;
  return { facts: resolution.git, resolution };
}
