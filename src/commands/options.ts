/**
 * The commander options commands share, declared once so that every command and verb spells them alike. Parsing
 * their values is the input step's job (src/input/).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { DeliveryOptions } from '../input/delivery.js';
import type { EventOptions } from '../input/event.js';
import type { OutputOptions } from './send.js';

export interface GitOptions {
  gitRepositoryUrl?: string;
  gitCommitSha?: string;
}

/** What commander hands an event command's action. */
export interface CommonOptions extends EventOptions, DeliveryOptions, OutputOptions, GitOptions {
  verbose?: boolean;
}

/** For options that repeat (`--custom-tags`, `--service`). */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * An option that takes one value. Given twice (`--env a … --env b`, often a script adding to a copied line), it is
 * refused rather than silently last-wins: which one was meant is the user's call. `why` adds the reason, if any.
 */
export function single(flags: string, description: string, why = ''): Option {
  const flag = flags.split(/[ ,]/)[0] ?? flags;
  return new Option(flags, description).argParser((value: string, previous: string | undefined) => {
    if (previous !== undefined) throw new InvalidArgumentError(`${flag} was given twice${why}; give it once.`);
    return value;
  });
}

export function addEventOptions(command: Command, noun: string): Command {
  return command
    .addOption(single('--env <env>', `environment the ${noun} concerns (env: DD_ENV)`))
    .addOption(single('--version <version>', `version of the service, not of this CLI (env: DD_VERSION)`))
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

/** The options of every command that calls the API; `records`: an event command, which takes --soft-fail too. */
export function addDeliveryOptions(
  command: Command,
  dryRun = 'print the JSON body that would be sent and stop (no API key, no network)',
  records = true,
): Command {
  command
    .addOption(new Option('--dry-run', dryRun))
    .addOption(new Option('--json', 'print one JSON object on stdout (the result, or the error)'))
    .addOption(new Option('--verbose', 'say where each value came from and how delivery went'));
  if (records)
    command.addOption(
      new Option('--soft-fail', 'an event that could not be recorded is a warning, exit 0 (env: DORA_SOFT_FAIL)'),
    );
  return command
    .addOption(single('--site <site>', 'Datadog site, e.g. datadoghq.eu (env: DATADOG_SITE, DD_SITE)'))
    .addOption(single('--api-url <url>', 'API base URL for gateways and tests; overrides the site (env: DORA_API_URL)'))
    .addOption(single('--request-timeout <seconds>', 'timeout of one attempt, default 10 (env: DORA_REQUEST_TIMEOUT)'))
    .addOption(
      single(
        '--deadline <seconds>',
        'time budget for the whole send, retries included, default 30 (env: DORA_DEADLINE)',
      ),
    )
    .addOption(single('--max-attempts <n>', 'attempts before giving up, default 5 (env: DORA_MAX_ATTEMPTS)'))
    .addOption(new Option('--fips', 'use FIPS-validated crypto (env: DATADOG_FIPS)'))
    .addOption(
      new Option('--fips-ignore-error', 'carry on when FIPS mode cannot be enabled (env: DATADOG_FIPS_IGNORE_ERROR)'),
    );
}
