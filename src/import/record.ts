/**
 * One record of an import, from what a file line holds to the option values `dora deployment` / `dora incident` take
 * (strings, as commander hands them over): the same input core then checks both, so a record means exactly what the
 * same flags would mean.
 *
 * Three shapes are read, and may not be mixed within a record:
 * - the CLI's option names in snake case: `{"service":"shop","finished_at":…,"git_commit_sha":…}`;
 * - the API's attribute shape, with `git: {repository_url, commit_sha}`;
 * - a whole body as `--dry-run` prints it: `{"data":{"attributes":{…}}}` (a `kind` may sit beside `data`).
 * Values arrive as text: the JSON reader hands numbers over as they were written (see parse.ts), and CSV has nothing
 * else. `null` means absent, as jq writes a missing value.
 */

import { echoValue } from '../output/credential.js';
import type { Problem } from './problems.js';

export type EventKind = 'deployment' | 'incident';

/** Option values under the names commander gives the two commands' options. */
export interface ImportFlags {
  service?: string[];
  env?: string;
  version?: string;
  team?: string;
  customTags?: string[];
  id?: string;
  startedAt?: string;
  finishedAt?: string;
  gitRepositoryUrl?: string;
  gitCommitSha?: string;
  name?: string;
  severity?: string;
}

export interface ImportRecord {
  line: number;
  /** Set for records made from git tags: the tag's name, for messages. */
  tag?: string;
  kind: EventKind;
  flags: ImportFlags;
  /** Set when started_at was not given and took finished_at's value: a problem with it is finished_at's. */
  startFromFinish?: true;
}

/** What a file holds for one record, before normalising. */
export interface RawRecord {
  line: number;
  values: unknown;
}

export type Normalized = { ok: true; record: ImportRecord } | { ok: false; problem: Problem };

type TextFlag = Exclude<keyof ImportFlags, 'service' | 'customTags'>;

/** Each text member and its option; `service`, `services`, `custom_tags`, `git` and `kind` are read apart. */
const TEXT_MEMBERS: ReadonlyArray<readonly [string, TextFlag]> = [
  ['env', 'env'],
  ['version', 'version'],
  ['team', 'team'],
  ['id', 'id'],
  ['started_at', 'startedAt'],
  ['finished_at', 'finishedAt'],
  ['git_repository_url', 'gitRepositoryUrl'],
  ['git_commit_sha', 'gitCommitSha'],
  ['name', 'name'],
  ['severity', 'severity'],
];

/** Every member a record may have, in the order messages list them. */
export const RECORD_MEMBERS: readonly string[] = [
  'kind',
  'service',
  'services',
  ...TEXT_MEMBERS.map(([member]) => member),
  'custom_tags',
  'git',
];

const KNOWN = new Set(RECORD_MEMBERS);
const INCIDENT_ONLY = ['services', 'name', 'severity'];
const GIT_MEMBERS = new Set(['repository_url', 'commit_sha']);

/** The member a record uses for an option, for messages that name the option: `startedAt` → `started_at`. */
export function memberOf(flag: keyof ImportFlags): string {
  if (flag === 'service') return 'service';
  if (flag === 'customTags') return 'custom_tags';
  return TEXT_MEMBERS.find(([, name]) => name === flag)?.[0] ?? flag;
}

class Refusal {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}
}

export function normalizeRecord(raw: RawRecord): Normalized {
  try {
    return { ok: true, record: { line: raw.line, ...read(raw.values) } };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, problem: { line: raw.line, field: error.field, reason: error.reason } };
  }
}

function read(values: unknown): Omit<ImportRecord, 'line' | 'tag'> {
  const top = objectOf(values, '(record)', 'must be an object: {"service":…,"finished_at":…}');
  let members = top;
  let prefix = '';
  if ('data' in top) {
    // A body as --dry-run prints it; `kind` may sit beside `data` to say what it is.
    const extra = Object.keys(top).find((key) => key !== 'data' && key !== 'kind');
    if (extra !== undefined)
      throw new Refusal(extra, 'is not a member of a record given as {"data":{"attributes":{…}}}');
    const data = objectOf(top.data, 'data', 'must be an object: {"attributes":{…}}');
    const other = Object.keys(data).find((key) => key !== 'attributes');
    if (other !== undefined)
      throw new Refusal(`data.${other}`, 'is not read: a record body holds data.attributes only');
    members = objectOf(data.attributes, 'data.attributes', 'must be an object');
    if ('kind' in members) throw new Refusal('data.attributes.kind', 'is not an attribute: put kind beside data');
    prefix = 'data.attributes.';
  }
  for (const key of Object.keys(members)) {
    if (!KNOWN.has(key)) {
      throw new Refusal(`${prefix}${key}`, `is not a record field (the fields: ${RECORD_MEMBERS.join(', ')})`);
    }
  }
  const kind = kindOf(top.kind, members);
  const flags: ImportFlags = {};

  for (const [member, flag] of TEXT_MEMBERS) {
    const value = textOf(members[member], `${prefix}${member}`);
    if (value !== undefined) flags[flag] = value;
  }
  if (kind === 'deployment') {
    for (const member of INCIDENT_ONLY) {
      if (members[member] !== undefined && members[member] !== null) {
        throw new Refusal(
          `${prefix}${member}`,
          member === 'services'
            ? 'belongs to incidents: a deployment names its one service with service'
            : 'belongs to incidents, and this record is a deployment',
        );
      }
    }
    const service = members.service;
    if (Array.isArray(service)) {
      throw new Refusal(`${prefix}service`, 'must be one name: a record is one deployment of one service');
    }
    const name = textOf(service, `${prefix}service`);
    if (name !== undefined) flags.service = [name];
  } else {
    if (members.service !== undefined && members.service !== null) {
      throw new Refusal(`${prefix}service`, 'belongs to deployments: an incident names its services with services');
    }
    const services = listOf(members.services, `${prefix}services`, true);
    if (services !== undefined) flags.service = services;
  }
  const tags = listOf(members.custom_tags, `${prefix}custom_tags`, false);
  if (tags !== undefined) flags.customTags = tags;
  readGit(members.git, prefix, flags);

  if (kind === 'deployment') {
    if (flags.finishedAt === undefined) {
      throw new Refusal(`${prefix}finished_at`, 'is required: when did the deployment finish? (history has no "now")');
    }
    if (flags.startedAt === undefined) {
      flags.startedAt = flags.finishedAt;
      return { kind, flags, startFromFinish: true };
    }
  }
  return { kind, flags };
}

/**
 * A record says its kind, else its members do: `services`, or a `team` without a `service` (an incident may name only
 * the team it hit; a deployment always names its service), make an incident.
 */
function kindOf(kind: unknown, members: Record<string, unknown>): EventKind {
  if (kind === undefined || kind === null) {
    const given = (name: string) => members[name] !== undefined && members[name] !== null;
    return given('services') || (given('team') && !given('service')) ? 'incident' : 'deployment';
  }
  if (kind === 'deployment' || kind === 'incident') return kind;
  throw new Refusal(
    'kind',
    `must be "deployment" or "incident", not ${typeof kind === 'string' ? echoValue(kind) : describe(kind)}`,
  );
}

function readGit(git: unknown, prefix: string, flags: ImportFlags): void {
  if (git === undefined || git === null) return;
  const members = objectOf(git, `${prefix}git`, 'must be an object: {"repository_url":…,"commit_sha":…}');
  if (flags.gitRepositoryUrl !== undefined || flags.gitCommitSha !== undefined) {
    throw new Refusal(`${prefix}git`, 'and git_repository_url / git_commit_sha say the same thing: give one of them');
  }
  for (const key of Object.keys(members)) {
    if (!GIT_MEMBERS.has(key))
      throw new Refusal(`${prefix}git.${key}`, 'is not read: git holds repository_url and commit_sha');
  }
  const url = textOf(members.repository_url, `${prefix}git.repository_url`);
  const sha = textOf(members.commit_sha, `${prefix}git.commit_sha`);
  if (url !== undefined) flags.gitRepositoryUrl = url;
  if (sha !== undefined) flags.gitCommitSha = sha;
}

function objectOf(value: unknown, field: string, shape: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Refusal(field, shape);
  return value as Record<string, unknown>;
}

function textOf(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new Refusal(field, `must be text, not ${describe(value)}`);
}

/** A list of names; `oneIsList`: a single name stands for a list of one (an incident's services). Empty is absent. */
function listOf(value: unknown, field: string, oneIsList: boolean): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && oneIsList) return [value];
  if (!Array.isArray(value)) throw new Refusal(field, `must be a list of text, not ${describe(value)}`);
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string') throw new Refusal(`${field}[${index}]`, `must be text, not ${describe(item)}`);
  }
  return value.length === 0 ? undefined : (value as string[]);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object'
    ? 'an object'
    : `${typeof value} ${typeof value === 'string' ? echoValue(value) : JSON.stringify(value)}`;
}
