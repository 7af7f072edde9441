/**
 * The environment, read once and checked here, at the edge: keys, proxies and switches. Everything below the entry
 * point gets this object instead of `process.env`, so tests pass an environment in and nothing reads globals at
 * import time. Reading never throws (`dora --help` must work whatever the environment holds): a malformed value is
 * kept as a problem, and the command that needs the value reports it (see `requireConfig`).
 */
import { UsageError } from './errors.js';
import { echoValue } from './output/credential.js';
import { environmentSecrets } from './output/redact.js';
import { displayUrl, type ProxyUrl, parseProxyUrl } from './url.js';

export type { ProxyUrl } from './url.js';

/** An environment: process.env, or a test's own. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ProxySettings {
  httpProxy?: ProxyUrl | undefined;
  httpsProxy?: ProxyUrl | undefined;
  noProxy?: string | undefined;
}

export type ConfigField = 'apiKey' | 'appKey' | 'proxy' | 'fips' | 'fipsIgnoreError' | 'softFail';

export interface Config {
  apiKey?: string | undefined;
  appKey?: string | undefined;
  site?: string | undefined;
  apiUrl?: string | undefined;
  service?: string | undefined;
  env?: string | undefined;
  version?: string | undefined;
  gitRepositoryUrl?: string | undefined;
  gitCommitSha?: string | undefined;
  requestTimeout?: string | undefined;
  deadline?: string | undefined;
  maxAttempts?: string | undefined;
  proxy: ProxySettings;
  /** Which variable each value came from (`site: 'DATADOG_SITE'`), for messages and `dora doctor`. */
  sources: Partial<Record<keyof Config, string>>;
  /** Values that were set but are unusable; reported by the command that needs them. */
  problems: Partial<Record<ConfigField, string>>;
  /** Every credential the environment holds, for the redactor (see environmentSecrets). */
  secrets: string[];
  /** DORA_DEBUG: print the stack of unexpected errors (bugs), for bug reports. */
  debug: boolean;
  fips: boolean;
  fipsIgnoreError: boolean;
  /** DORA_SOFT_FAIL: an event that could not be recorded is a warning and exit 0. */
  softFail: boolean;
  /** Running under CI: no spinner, no prompts. */
  ci: boolean;
  /** NO_COLOR set (to anything): no colour. */
  noColor: boolean;
  /** FORCE_COLOR: true or false when set, undefined when not. */
  forceColor: boolean | undefined;
  /** TERM=dumb: a terminal that shows no escape sequences (and no Unicode blocks). */
  dumbTerminal: boolean;
  /** The whole environment with empty values removed, for CI provider detection. */
  vars: Env;
}

/** Empty or blank variables count as unset: CI systems often export `FOO=` for every optional setting. */
export function normaliseEnv(env: Env): Env {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[name] = value;
  }
  return out;
}

export function readConfig(rawEnv: Env): Config {
  const env = normaliseEnv(rawEnv);
  const config: Config = {
    proxy: {},
    sources: {},
    problems: {},
    secrets: environmentSecrets(env),
    // Some providers set CI to their own name (CI=woodpecker): anything but an "off" spelling means CI.
    ci:
      (env.CI !== undefined && parseBoolean(env.CI) !== false) ||
      env.CONTINUOUS_INTEGRATION !== undefined ||
      env.BUILD_NUMBER !== undefined,
    debug: env.DORA_DEBUG !== undefined && parseBoolean(env.DORA_DEBUG) !== false,
    fips: false,
    fipsIgnoreError: false,
    softFail: false,
    noColor: env.NO_COLOR !== undefined,
    // FORCE_COLOR=1, =2, =3 (colour levels) and =true force colour; =0 and =false turn it off.
    forceColor:
      env.FORCE_COLOR === undefined
        ? undefined
        : /^[1-3]$/.test(env.FORCE_COLOR.trim()) || parseBoolean(env.FORCE_COLOR) !== false,
    dumbTerminal: env.TERM === 'dumb',
    vars: env,
  };
  /** The first variable that is set, trimmed (a trailing newline from `$(cat file)` is never meant), noting its name. */
  const take = (key: keyof Config, ...names: string[]): string | undefined => {
    const name = names.find((candidate) => env[candidate] !== undefined);
    if (name === undefined) return undefined;
    config.sources[key] = name;
    return (env[name] as string).trim();
  };
  assign(config, 'apiKey', checkedKey(config, 'apiKey', take('apiKey', 'DATADOG_API_KEY', 'DD_API_KEY')));
  assign(config, 'appKey', checkedKey(config, 'appKey', take('appKey', 'DATADOG_APP_KEY', 'DD_APP_KEY')));
  assign(config, 'site', take('site', 'DATADOG_SITE', 'DD_SITE'));
  assign(config, 'apiUrl', take('apiUrl', 'DORA_API_URL'));
  assign(config, 'service', take('service', 'DD_SERVICE'));
  assign(config, 'env', take('env', 'DD_ENV'));
  assign(config, 'version', take('version', 'DD_VERSION'));
  assign(config, 'gitRepositoryUrl', take('gitRepositoryUrl', 'DD_GIT_REPOSITORY_URL'));
  assign(config, 'gitCommitSha', take('gitCommitSha', 'DD_GIT_COMMIT_SHA'));
  assign(config, 'requestTimeout', take('requestTimeout', 'DORA_REQUEST_TIMEOUT'));
  assign(config, 'deadline', take('deadline', 'DORA_DEADLINE'));
  assign(config, 'maxAttempts', take('maxAttempts', 'DORA_MAX_ATTEMPTS'));
  config.fips = switchValue(config, 'fips', 'DATADOG_FIPS', env.DATADOG_FIPS);
  config.fipsIgnoreError = switchValue(
    config,
    'fipsIgnoreError',
    'DATADOG_FIPS_IGNORE_ERROR',
    env.DATADOG_FIPS_IGNORE_ERROR,
  );
  config.softFail = switchValue(config, 'softFail', 'DORA_SOFT_FAIL', env.DORA_SOFT_FAIL);
  readProxies(config, env);
  return config;
}

/** Throws the problem recorded for `field`, if any: called by the commands that need the value. */
export function requireConfig(config: Config, ...fields: ConfigField[]): void {
  for (const field of fields) {
    const problem = config.problems[field];
    if (problem !== undefined) throw new UsageError(problem);
  }
}

/** A key that cannot travel in an HTTP header (spaces, control or non-ASCII characters) is a mistake, never a key. */
function checkedKey(config: Config, field: 'apiKey' | 'appKey', value: string | undefined): string | undefined {
  if (value === undefined || /^[\x21-\x7e]+$/.test(value)) return value;
  const what =
    field === 'apiKey'
      ? 'a Datadog API key is 32 hexadecimal characters'
      : 'a Datadog application key is 40 hexadecimal characters';
  config.problems[field] =
    `${config.sources[field]} contains spaces, control or non-ASCII characters; ${what}. Nothing was sent.`;
  return undefined;
}

/**
 * The one boolean rule, for every variable and input that takes one: the usual spellings of on and off, any case;
 * anything else is undefined (the caller refuses it, or decides what a bare presence means).
 */
export function parseBoolean(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return undefined;
}

/** A boolean variable: refused (kept as a problem) rather than guessed when it is neither on nor off. */
function switchValue(
  config: Config,
  field: 'fips' | 'fipsIgnoreError' | 'softFail',
  name: string,
  raw: string | undefined,
): boolean {
  if (raw === undefined) return false;
  const value = parseBoolean(raw);
  if (value === undefined) config.problems[field] = `${name}: ${echoValue(raw)} is not a boolean; use true or false.`;
  return value === true;
}

function readProxies(config: Config, env: Env): void {
  const first = (...names: string[]) => names.find((name) => env[name] !== undefined);
  for (const [key, names] of [
    ['httpsProxy', ['https_proxy', 'HTTPS_PROXY']],
    ['httpProxy', ['http_proxy', 'HTTP_PROXY']],
  ] as const) {
    const name = first(...names);
    if (name === undefined) continue;
    const parsed = parseProxyUrl(env[name] as string);
    if (typeof parsed === 'string') {
      config.problems.proxy ??= `${name}: ${echoValue(displayUrl(env[name] as string))} ${parsed}`;
    } else {
      config.proxy[key] = parsed;
    }
  }
  const noProxy = first('no_proxy', 'NO_PROXY');
  if (noProxy !== undefined) config.proxy.noProxy = (env[noProxy] as string).trim();
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
