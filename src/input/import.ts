/**
 * `dora import`'s input: where the records come from, how they travel, and the check every record passes.
 *
 * A record is checked by the same pieces of the input core as the flags of `dora deployment` and `dora incident`
 * (services, fields, id, times, git), with two differences history needs: times must be absolute, and nothing is
 * taken from the environment or the checkout (DD_SERVICE, DD_ENV, the CI commit): a record says all it means, and
 * importing it again elsewhere means the same. Messages name the record's members (`finished_at`), not flags.
 */
import { type Config, readConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { type GitFacts, namedGit, resolveGit } from '../git/resolve.js';
import type { Validate, ValidEvent } from '../import/event.js';
import type { ImportRecord } from '../import/record.js';
import type { ImportSource } from '../import/run.js';
import { echoValue } from '../output/credential.js';
import { refuseCredential } from '../output/refuse.js';
import { shellQuote } from '../output/shell.js';
import { displayUrl } from '../url.js';
import { type DeliveryInput, deliveryInput, type Keys, withKeys } from './delivery.js';
import { checkOrder, fieldsOf, type InputSources, servicesOf, type TimeRules, textOf, timeOf } from './event.js';
import { eventId, MAX_NAME_LENGTH } from './fields.js';
import type { ImportFlags } from './flags.js';
import { checked, fromFlag } from './values.js';

/** A checked record: what the import plans with, and what its body is built from. */
export interface ImportEvent extends ValidEvent {
  customTags?: string[] | undefined;
  name?: string | undefined;
  severity?: string | undefined;
  git?: GitFacts | undefined;
}

export interface ImportInput {
  source: ImportSource;
  dryRun: boolean;
  json: boolean;
  concurrency: number;
  journal?: string | undefined;
  delivery: DeliveryInput;
  /** Whether Datadog can be asked what it already holds: an application key is set. */
  canList: boolean;
  /** The run's one "now": no record may be ahead of it. */
  now: bigint;
  /** The same import, as a command to paste: it resumes where this one stopped. */
  resumeCommand: string;
  warnings: string[];
}

/** Options that shape the records made from tags, and make no sense with a file. */
const TAG_ONLY = [
  ['service', '--service'],
  ['env', '--env'],
  ['team', '--team'],
  ['customTags', '--custom-tags'],
  ['duration', '--duration'],
] as const;

export async function importInput(
  flags: ImportFlags,
  file: string | undefined,
  sources: InputSources,
): Promise<ImportInput> {
  const { config } = sources;
  const dryRun = flags.dryRun === true;
  const delivery = deliveryInput(flags, config);
  const concurrency = concurrencyOf(flags.concurrency);
  const journal = flags.journal?.trim();
  if (journal === '') throw new UsageError('--journal must not be empty: give a file path.');
  const warnings: string[] = [];
  let source: ImportSource;
  if (flags.gitTags !== undefined) {
    if (file !== undefined) {
      throw new UsageError(`Give a records file or --git-tags, not both (${echoValue(file)} and --git-tags).`);
    }
    source = await tagSource(flags, sources, warnings);
  } else {
    if (file === undefined) {
      throw new UsageError(
        'Nothing to import: give a records file (dora import deploys.jsonl), - for stdin with --format, or --git-tags <glob>.',
      );
    }
    const given = TAG_ONLY.find(([key]) => flags[key] !== undefined);
    if (given) {
      throw new UsageError(`${given[1]} goes with --git-tags: the records of a file name their own values.`);
    }
    const format = flags.format?.trim();
    source =
      file === '-'
        ? { kind: 'stdin', ...(format !== undefined ? { format } : {}) }
        : { kind: 'file', path: file, ...(format !== undefined ? { format } : {}) };
  }
  // A real import needs the API key; the application key only lets it ask Datadog what it holds (a dry run asks too,
  // when the keys are there).
  const usable = (field: 'apiKey' | 'appKey') => (config.problems[field] === undefined ? config[field] : undefined);
  const keys: Keys = dryRun
    ? { apiKey: usable('apiKey'), appKey: usable('appKey') }
    : { ...withKeys(delivery, { apiKey: 'required' }, config, false).keys, appKey: usable('appKey') };
  if (config.problems.appKey !== undefined) {
    warnings.push(
      `The application key in ${config.sources.appKey ?? 'DD_APP_KEY'} is not a key (it holds spaces, control or ` +
        'non-ASCII characters), so Datadog cannot be asked what it already holds.',
    );
  }
  return {
    source,
    dryRun,
    json: flags.json === true,
    concurrency,
    journal,
    delivery: { ...delivery, keys },
    canList: keys.apiKey !== undefined && keys.appKey !== undefined,
    now: sources.nowNs(),
    resumeCommand: resumeCommand(flags, file),
    warnings,
  };
}

/** `--git-tags`: the checkout's tags, with its repository URL found as `dora deployment` finds it. */
async function tagSource(flags: ImportFlags, sources: InputSources, warnings: string[]): Promise<ImportSource> {
  const glob = flags.gitTags ?? '';
  if (glob.trim() === '') throw new UsageError('--git-tags needs a pattern, e.g. --git-tags "v*".');
  if (flags.format !== undefined) throw new UsageError('--format is for records files; --git-tags reads git.');
  const service = flags.service?.trim();
  if (!service) throw new UsageError('--git-tags needs --service: the service the tags were deployments of.');
  const resolution = await resolveGit({
    config: sources.config,
    cwd: sources.cwd,
    io: sources.io,
    readLocal: (cwd) => sources.readLocalGit(cwd, sources.signal),
  });
  if (sources.signal.aborted) throw sources.signal.reason;
  warnings.push(...resolution.warnings);
  const repositoryUrl = resolution.repositoryUrl?.value;
  if (repositoryUrl === undefined) {
    throw new UsageError(
      '--git-tags sends each tag with its commit, and the commit needs its repository URL: run inside a checkout ' +
        'with an origin remote, or set DD_GIT_REPOSITORY_URL.',
    );
  }
  const shared = {
    ...(flags.env !== undefined ? { env: flags.env } : {}),
    ...(flags.team !== undefined ? { team: flags.team } : {}),
    ...(flags.customTags !== undefined ? { customTags: flags.customTags } : {}),
  };
  return {
    kind: 'git-tags',
    glob,
    service,
    repositoryUrl,
    shared,
    ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
  };
}

/** `--concurrency`: a whole number from 1 to 64; default 8. */
export function concurrencyOf(value: string | undefined): number {
  if (value === undefined) return 8;
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= 64)) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, not ${echoValue(value)}.`);
  }
  return n;
}

/** The command that resumes: the same source and options (keys and the rest come from the environment again). */
function resumeCommand(flags: ImportFlags, file: string | undefined): string {
  const words = ['dora', 'import'];
  if (file !== undefined) words.push(file);
  const options: Array<[string, string | undefined]> = [
    ['--format', flags.format],
    ['--git-tags', flags.gitTags],
    ['--service', flags.service],
    ['--env', flags.env],
    ['--team', flags.team],
    ...(flags.customTags ?? []).map((tag): [string, string] => ['--custom-tags', tag]),
    ['--duration', flags.duration],
    ['--concurrency', flags.concurrency],
    ['--journal', flags.journal],
    ['--site', flags.site],
    ['--api-url', flags.apiUrl === undefined ? undefined : displayUrl(flags.apiUrl)],
    ['--request-timeout', flags.requestTimeout],
    ['--deadline', flags.deadline],
    ['--max-attempts', flags.maxAttempts],
  ];
  for (const [flag, value] of options) if (value !== undefined) words.push(flag, value);
  if (flags.fips) words.push('--fips');
  if (flags.fipsIgnoreError) words.push('--fips-ignore-error');
  return words.map(shellQuote).join(' ');
}

/**
 * The check of one record, against the import's one `now`. Deterministic: the import checks a record when it reads
 * it and again when it sends it.
 */
export function recordCheck(now: bigint, secrets: readonly string[]): Validate<ImportEvent> {
  // A configuration with nothing set: a record takes no default from this machine's environment. It knows this run's
  // secrets all the same, so that a record holding a key is refused as a flag holding one is.
  const none: Config = { ...readConfig({}), secrets: [...secrets] };
  return (record) => {
    try {
      return { ok: true, event: checkRecord(record, now, none) };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { ok: false, ...inRecordTerms(error.message, record.kind) };
    }
  };
}

/** Times of records: absolute only (messages are put in the record's terms with the rest, see inRecordTerms). */
const RECORD_TIMES: TimeRules = { label: (flag) => flag, relative: false };

function checkRecord(record: ImportRecord, now: bigint, none: Config): ImportEvent {
  const { flags, kind } = record;
  const services = servicesOf({ service: flags.service }, none).map(({ value }) => value);
  const fields = fieldsOf(
    { env: flags.env, version: flags.version, team: flags.team, customTags: flags.customTags },
    none,
  );
  if (kind === 'deployment' && services.length !== 1) {
    throw new UsageError('--service is required: the service that was deployed.');
  }
  if (kind === 'incident' && services.length === 0 && fields.team === undefined) {
    throw new UsageError('--services is required (or --team): an incident names what failed.');
  }
  const startedAt = timeOf(flags.startedAt, '--started-at', now, RECORD_TIMES);
  if (startedAt === undefined) throw new UsageError('--started-at is required: when did it start?');
  const finishedAt = timeOf(flags.finishedAt, '--finished-at', now, RECORD_TIMES);
  if (kind === 'deployment' && finishedAt === undefined) {
    throw new UsageError('--finished-at is required: when did the deployment finish? (history has no "now")');
  }
  checkOrder(
    startedAt,
    finishedAt,
    `a${kind === 'incident' ? 'n incident' : ' deployment'} cannot end before it starts`,
  );
  const git = namedGit(
    { url: flags.gitRepositoryUrl, sha: flags.gitCommitSha },
    { url: '--git-repository-url', sha: '--git-commit-sha' },
  );
  if (git) refuseCredential({ value: git.repository_url, from: '--git-repository-url' }, none.secrets);
  return {
    kind,
    services,
    env: fields.env,
    version: fields.version,
    team: fields.team,
    customTags: fields.customTags,
    id: checked(eventId, fromFlag(flags.id, '--id'), none.secrets),
    startedAt,
    finishedAt,
    git,
    commitSha: git?.commit_sha,
    ...(kind === 'incident'
      ? {
          name: textOf(flags.name, '--name', none, MAX_NAME_LENGTH),
          severity: textOf(flags.severity, '--severity', none),
        }
      : {}),
  };
}

/** `--git-commit-sha` → `git_commit_sha`: the member a record gives for the option. */
function memberOfFlag(flag: string): string {
  return flag.replace(/^--/, '').replaceAll('-', '_');
}

/**
 * A message of the input core in the record's words: the member it is about (an incident's services are
 * `services`), and the reason naming members instead of options, without repeating the member it starts with.
 */
function inRecordTerms(message: string, kind: ImportRecord['kind']): { field: string; reason: string } {
  const member = (flag: string) => {
    const name = memberOfFlag(flag);
    return kind === 'incident' && name === 'service' ? 'services' : name;
  };
  const flag = /(?<![\w-])--[a-z][a-z-]*/.exec(message)?.[0];
  const field = flag === undefined ? '(record)' : member(flag);
  // One line per record in the report: the first line of a longer message (the time forms' list) says what is wrong.
  const reason = (message.split('\n')[0] ?? '')
    .replace(/(?<![\w-])--[a-z][a-z-]*/g, member)
    .replace(/\.$/, '')
    .replace(new RegExp(`^${field}:? `), '');
  return { field, reason };
}
