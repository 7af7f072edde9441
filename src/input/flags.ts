/**
 * Every flag dora takes, declared once, with the type of the values commander hands over. Turning those values into a
 * checked input is the job of the other files of this folder; commands only declare which groups of flags they take.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';

/** Where requests go and how long they may take: every command that talks to the API. */
export interface DeliveryFlags {
  site?: string | undefined;
  apiUrl?: string | undefined;
  requestTimeout?: string | undefined;
  deadline?: string | undefined;
  maxAttempts?: string | undefined;
  fips?: boolean | undefined;
  fipsIgnoreError?: boolean | undefined;
}

/** How the run reports. */
export interface OutputFlags {
  dryRun?: boolean | undefined;
  json?: boolean | undefined;
  verbose?: boolean | undefined;
}

/** What every event shares. */
export interface EventFlags {
  service?: string[] | undefined;
  env?: string | undefined;
  version?: string | undefined;
  team?: string | undefined;
  customTags?: string[] | undefined;
  id?: string | undefined;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  gitRepositoryUrl?: string | undefined;
  gitCommitSha?: string | undefined;
}

export interface SoftFailFlags {
  /** A failure to record is a warning and exit 0. */
  softFail?: boolean | undefined;
}

export interface DeploymentFlags extends EventFlags, DeliveryFlags, OutputFlags, SoftFailFlags {
  skipGit?: boolean | undefined;
  rollbackOf?: string | undefined;
  rollforwardOf?: string | undefined;
}

export interface IncidentFlags extends EventFlags, DeliveryFlags, OutputFlags, SoftFailFlags {
  name?: string | undefined;
  severity?: string | undefined;
}

/** The read and update verbs (show, list, delete, update, resolve). */
export interface VerbFlags extends DeliveryFlags, OutputFlags {}

/** `dora import`: a records file (or `-`), or the checkout's tags with what every tag's deployment shares. */
export interface ImportFlags extends DeliveryFlags, OutputFlags {
  format?: string | undefined;
  gitTags?: string | undefined;
  service?: string | undefined;
  env?: string | undefined;
  team?: string | undefined;
  customTags?: string[] | undefined;
  duration?: string | undefined;
  concurrency?: string | undefined;
  journal?: string | undefined;
}

/**
 * Every option that takes a value refuses one that is another option (`--version --dry-run`): it is what a script
 * sends when the variable meant as the value is empty (`--version $VERSION`), and taking `--dry-run` as a version
 * would turn a dry run into a real send. No value of dora's options starts with `--`.
 */
export function guardOptionValues(command: Command): Command {
  // `--dry-run=true` (a CI template's `--dry-run=${DRY_RUN}`): commander calls the whole word an unknown option and
  // suggests the option itself. Said as it is instead: the option takes no value. (The value is never echoed.)
  const reader = command as unknown as { unknownOption(flag: string): void };
  const unknownOption = reader.unknownOption.bind(command);
  reader.unknownOption = (flag: string) => {
    const name = flag.split('=')[0] ?? flag;
    const option = flag.includes('=') ? command.options.find((known) => known.long === name) : undefined;
    if (option && !option.required && !option.optional) {
      command.error(`error: ${name} takes no value: give it alone, without "=…".`, { code: 'commander.unknownOption' });
    }
    unknownOption(flag);
  };
  for (const option of command.options) {
    if (!option.required && !option.optional) continue;
    const parse = option.parseArg;
    const flag = option.long ?? option.short ?? option.flags;
    option.argParser((value: string, previous: unknown) => {
      if (value === '--' || /^--[A-Za-z]/.test(value)) {
        throw new InvalidArgumentError(
          `${flag} needs a value, and the next word is ${value === '--' ? 'the end of the options, --' : `the option ${value.split('=')[0]}`}: is the variable meant as its value empty?`,
        );
      }
      return parse ? parse(value, previous) : value;
    });
  }
  return command;
}

/** For options that repeat (`--custom-tags`, `--service`). */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * An option that takes one value. Given twice (`--env a … --env b`, often a script adding to a copied line), it is
 * refused rather than silently last-wins: which one was meant is the user's call.
 */
export function single(flags: string, description: string): Option {
  const flag = flags.split(/[ ,]/)[0] ?? flags;
  return new Option(flags, description).argParser((value: string, previous: string | undefined) => {
    if (previous !== undefined) throw new InvalidArgumentError(`${flag} was given twice; give it once.`);
    return value;
  });
}

export function addEventFlags(command: Command, noun: 'deployment' | 'incident'): Command {
  const service =
    noun === 'deployment'
      ? 'deployed service (required; env: DD_SERVICE); repeat for several, one event each'
      : 'affected service; repeat for several (env: DD_SERVICE)';
  return command
    .addOption(new Option('--service <service>', service).argParser(collect))
    .addOption(single('--env <env>', `environment the ${noun} concerns (env: DD_ENV)`))
    .addOption(single('--version <version>', 'version of the service, not of this CLI (env: DD_VERSION)'))
    .addOption(single('--team <team>', 'owning team'))
    .addOption(new Option('--custom-tags <key:value>', 'custom tag; repeat for more (at most 100)').argParser(collect))
    .addOption(single('--id <id>', 'event id, 16-128 chars of [A-Za-z0-9-_.:] (default: generated for this run)'))
    .addOption(
      single('--started-at <time>', 'when it started: Unix s/ms/µs/ns, ISO 8601 with a zone, RFC 2822, "now" or -15m'),
    )
    .addOption(single('--finished-at <time>', 'when it finished (same forms)'))
    .addOption(single('--git-repository-url <url>', 'repository URL (env: DD_GIT_REPOSITORY_URL)'))
    .addOption(single('--git-commit-sha <sha>', 'commit SHA, 40 or 64 hex characters (env: DD_GIT_COMMIT_SHA)'));
}

/** A deployment's own flags; `dora doctor` takes them too, so it judges the very event about to be sent. */
export function addDeploymentFlags(command: Command): Command {
  addEventFlags(command, 'deployment');
  return command
    .addOption(new Option('--skip-git', 'send no repository URL or commit SHA (change lead time needs them)'))
    .addOption(
      single(
        '--rollback-of <version>',
        'this deployment rolls back version <version>: mark that one a change failure, remediated by this one',
      ),
    )
    .addOption(
      single(
        '--rollforward-of <version>',
        'this deployment fixes version <version> by rolling forward (a hotfix): mark it likewise',
      ),
    );
}

export function addOutputFlags(command: Command, dryRun: string): Command {
  return command
    .addOption(new Option('--dry-run', dryRun))
    .addOption(new Option('--json', 'print one JSON object on stdout (the result, or the failure)'))
    .addOption(new Option('--verbose', 'say where each value came from and how delivery went'));
}

export function addSoftFailFlag(command: Command): Command {
  return command.addOption(
    new Option('--soft-fail', 'an event that could not be recorded is a warning, exit 0 (env: DORA_SOFT_FAIL)'),
  );
}

export function addDeliveryFlags(command: Command): Command {
  return command
    .addOption(single('--site <site>', 'Datadog site, e.g. datadoghq.eu (env: DATADOG_SITE, DD_SITE)'))
    .addOption(single('--api-url <url>', 'API base URL for gateways and tests; overrides the site (env: DORA_API_URL)'))
    .addOption(single('--request-timeout <seconds>', 'timeout of one attempt, default 10 (env: DORA_REQUEST_TIMEOUT)'))
    .addOption(
      single(
        '--deadline <seconds>',
        'time budget for the whole run, retries included, default 30 (env: DORA_DEADLINE)',
      ),
    )
    .addOption(
      single('--max-attempts <n>', 'attempts per request before giving up, default 5 (env: DORA_MAX_ATTEMPTS)'),
    )
    .addOption(new Option('--fips', 'use FIPS-validated crypto (env: DATADOG_FIPS)'))
    .addOption(
      new Option('--fips-ignore-error', 'carry on when FIPS mode cannot be enabled (env: DATADOG_FIPS_IGNORE_ERROR)'),
    );
}

export function addImportFlags(command: Command): Command {
  return command
    .addOption(
      single('--format <format>', "jsonl or csv: the records' format (needed with -; else from the extension)"),
    )
    .addOption(
      single('--git-tags <glob>', 'import one deployment per tag of this checkout matching <glob> (as git tag --list)'),
    )
    .addOption(single('--service <service>', 'with --git-tags: the deployed service'))
    .addOption(single('--env <env>', 'with --git-tags: the environment'))
    .addOption(single('--team <team>', 'with --git-tags: the owning team'))
    .addOption(
      new Option('--custom-tags <key:value>', 'with --git-tags: a custom tag; repeat for more').argParser(collect),
    )
    .addOption(
      single(
        '--duration <duration>',
        'with --git-tags: how long each deployment took: seconds, or 30s, 5m, 2h, 1d (default 0)',
      ),
    )
    .addOption(single('--concurrency <n>', 'requests in flight at most, 1 to 64 (default 8)'))
    .addOption(
      single(
        '--journal <path>',
        'where acknowledged ids are kept (default: beside the file, or in .git for --git-tags)',
      ),
    );
}

/** The flags of a read or update verb: output and delivery, no --soft-fail (it records no event to give up on). */
export function addVerbFlags(command: Command, dryRun: string): Command {
  return addDeliveryFlags(addOutputFlags(command, dryRun));
}
