/**
 * The environment, read once. Everything below the entry point gets this object instead of `process.env`, so tests
 * pass an environment in and nothing reads globals at import time.
 */
import type { Env } from './git/ci-providers.js';

export interface Config {
  apiKey?: string;
  site?: string;
  apiUrl?: string;
  service?: string;
  env?: string;
  version?: string;
  gitRepositoryUrl?: string;
  gitCommitSha?: string;
  requestTimeout?: string;
  deadline?: string;
  maxAttempts?: string;
  proxy: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
  /** DORA_DEBUG: print the stack of unexpected errors (bugs), for bug reports. */
  debug: boolean;
  fips: boolean;
  fipsIgnoreError: boolean;
  /** Running under CI: no spinner, no prompts. */
  ci: boolean;
  noColor: boolean;
  forceColor: boolean;
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
  const first = (...names: string[]) => names.map((name) => env[name]).find((value) => value !== undefined);
  const config: Config = {
    proxy: {},
    ci: isTruthy(env.CI) || env.CONTINUOUS_INTEGRATION !== undefined || env.BUILD_NUMBER !== undefined,
    debug: isTruthy(env.DORA_DEBUG),
    fips: isTruthy(env.DATADOG_FIPS),
    fipsIgnoreError: isTruthy(env.DATADOG_FIPS_IGNORE_ERROR),
    noColor: env.NO_COLOR !== undefined,
    forceColor: env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false',
    vars: env,
  };
  assign(config, 'apiKey', first('DATADOG_API_KEY', 'DD_API_KEY')?.trim());
  assign(config, 'site', first('DATADOG_SITE', 'DD_SITE')?.trim());
  assign(config, 'apiUrl', first('DORA_API_URL')?.trim());
  // Trimmed, unlike flags: a trailing newline in a variable (`DD_ENV=$(cat env.txt)` in some shells) is never meant.
  assign(config, 'service', first('DD_SERVICE')?.trim());
  assign(config, 'env', first('DD_ENV')?.trim());
  assign(config, 'version', first('DD_VERSION')?.trim());
  assign(config, 'gitRepositoryUrl', first('DD_GIT_REPOSITORY_URL')?.trim());
  assign(config, 'gitCommitSha', first('DD_GIT_COMMIT_SHA')?.trim());
  assign(config, 'requestTimeout', first('DORA_REQUEST_TIMEOUT'));
  assign(config, 'deadline', first('DORA_DEADLINE'));
  assign(config, 'maxAttempts', first('DORA_MAX_ATTEMPTS'));
  assign(config.proxy, 'httpProxy', first('http_proxy', 'HTTP_PROXY')?.trim());
  assign(config.proxy, 'httpsProxy', first('https_proxy', 'HTTPS_PROXY')?.trim());
  assign(config.proxy, 'noProxy', first('no_proxy', 'NO_PROXY')?.trim());
  return config;
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && !['0', 'false', 'no'].includes(value.toLowerCase());
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
