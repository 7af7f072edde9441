/**
 * Options both commands share, declared once so `dora deployment` and `dora incident` cannot drift apart, and the
 * parsing of the delivery settings they share.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { MIN_ATTEMPT_MS, type DeliveryPolicy } from '../api/client.js';
import type { Config } from '../config.js';

export interface CommonOptions {
  env?: string;
  version?: string;
  team?: string;
  customTags?: string[];
  id?: string;
  startedAt?: string;
  finishedAt?: string;
  gitRepositoryUrl?: string;
  gitCommitSha?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
  site?: string;
  apiUrl?: string;
  requestTimeout?: string;
  deadline?: string;
  maxAttempts?: string;
  fips?: boolean;
  fipsIgnoreError?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

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
    .addOption(
      new Option('--custom-tags <key:value>', 'custom tag; repeat for more (at most 100)').argParser(collect),
    )
    .addOption(
      single('--id <id>', 'event id, 16-128 chars of [A-Za-z0-9-_.:] (default: generated for this run)'),
    )
    .addOption(single('--started-at <time>', 'when it started: Unix s/ms/µs/ns, ISO 8601 with a zone, or "now"'))
    .addOption(single('--finished-at <time>', 'when it finished (same forms)'))
    .addOption(single('--git-repository-url <url>', 'repository URL (env: DD_GIT_REPOSITORY_URL)'))
    .addOption(single('--git-commit-sha <sha>', 'commit SHA, 40 to 64 hex characters (env: DD_GIT_COMMIT_SHA)'));
}

export function addDeliveryOptions(command: Command): Command {
  return command
    .addOption(new Option('--dry-run', 'print the JSON body that would be sent and stop (no API key, no network)'))
    .addOption(new Option('--json', 'on success, print one JSON object with the event id on stdout'))
    .addOption(new Option('--verbose', 'say where each value came from and how delivery went'))
    .addOption(single('--site <site>', 'Datadog site, e.g. datadoghq.eu (env: DATADOG_SITE, DD_SITE)'))
    .addOption(single('--api-url <url>', 'API base URL for gateways and tests; overrides the site (env: DORA_API_URL)'))
    .addOption(single('--request-timeout <seconds>', 'timeout of one attempt, default 10 (env: DORA_REQUEST_TIMEOUT)'))
    .addOption(single('--deadline <seconds>', 'time budget for the whole send, retries included, default 30 (env: DORA_DEADLINE)'))
    .addOption(single('--max-attempts <n>', 'attempts before giving up, default 5 (env: DORA_MAX_ATTEMPTS)'))
    .addOption(new Option('--fips', 'use FIPS-validated crypto (env: DATADOG_FIPS)'))
    .addOption(new Option('--fips-ignore-error', 'carry on when FIPS mode cannot be enabled (env: DATADOG_FIPS_IGNORE_ERROR)'));
}

export function deliveryPolicy(options: CommonOptions, config: Config): DeliveryPolicy {
  return {
    requestTimeoutMs: seconds(options.requestTimeout ?? config.requestTimeout, '--request-timeout (or DORA_REQUEST_TIMEOUT)', 10, 300),
    deadlineMs: seconds(options.deadline ?? config.deadline, '--deadline (or DORA_DEADLINE)', 30, 3600),
    maxAttempts: count(options.maxAttempts ?? config.maxAttempts, '--max-attempts (or DORA_MAX_ATTEMPTS)', 5, 20),
  };
}

function seconds(raw: string | undefined, flag: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback * 1000;
  const value = Number(raw.trim());
  // Below a quarter of a second no attempt is even started (see MIN_ATTEMPT_MS): refuse it rather than send nothing.
  const min = MIN_ATTEMPT_MS / 1000;
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value < min || value > max) {
    throw new UsageError(`${flag}: ${JSON.stringify(raw)} must be a number of seconds from ${min} to ${max}.`);
  }
  return Math.round(value * 1000);
}

function count(raw: string | undefined, flag: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > max) {
    throw new UsageError(`${flag}: ${JSON.stringify(raw)} must be a whole number from 1 to ${max}.`);
  }
  return value;
}
