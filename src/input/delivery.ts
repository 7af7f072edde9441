/**
 * The delivery half of the input step, shared by every command that talks to the API: where requests go (site or
 * base URL), the time policy, the proxy, and the keys. Checked once, before any other work, so a bad site or timeout
 * exits 2 even in a dry run.
 */

import { MIN_ATTEMPT_MS, type RequestPolicy } from '../api/request.js';
import { type ApiTarget, resolveApiTarget } from '../api/site.js';
import { type Config, type ProxyUrl, requireConfig } from '../config.js';
import { UsageError } from '../errors.js';

export interface DeliveryOptions {
  site?: string;
  apiUrl?: string;
  requestTimeout?: string;
  deadline?: string;
  maxAttempts?: string;
  fips?: boolean;
  fipsIgnoreError?: boolean;
  dryRun?: boolean;
}

export interface DeliveryInput {
  target: ApiTarget;
  policy: RequestPolicy;
  /** The proxy a request to the target goes through, if any (NO_PROXY is undici's to apply). */
  proxy?: ProxyUrl;
  fips: boolean;
  fipsIgnoreError: boolean;
}

export function deliveryInput(options: DeliveryOptions, config: Config): DeliveryInput {
  const target = resolveApiTarget(trimmed(options.site) ?? config.site, trimmed(options.apiUrl) ?? config.apiUrl);
  const policy: RequestPolicy = {
    requestTimeoutMs: Math.round(numberSetting(options.requestTimeout, config.requestTimeout, REQUEST_TIMEOUT) * 1000),
    deadlineMs: Math.round(numberSetting(options.deadline, config.deadline, DEADLINE) * 1000),
    maxAttempts: numberSetting(options.maxAttempts, config.maxAttempts, MAX_ATTEMPTS),
  };
  requireConfig(config, 'proxy');
  // A malformed DATADOG_FIPS matters only when no flag overrides it.
  if (options.fips === undefined) requireConfig(config, 'fips');
  if (options.fipsIgnoreError === undefined) requireConfig(config, 'fipsIgnoreError');
  const proxy = target.baseUrl.startsWith('https:')
    ? (config.proxy.httpsProxy ?? config.proxy.httpProxy)
    : config.proxy.httpProxy;
  return {
    target,
    policy,
    ...(proxy ? { proxy } : {}),
    fips: options.fips ?? config.fips,
    fipsIgnoreError: options.fipsIgnoreError ?? config.fipsIgnoreError,
  };
}

/** The API key, or exit 2 naming the variables; checked only when a request is really made (not in a dry run). */
export function requireApiKey(config: Config): string {
  requireConfig(config, 'apiKey');
  if (!config.apiKey) {
    throw new UsageError(
      'No API key: set DD_API_KEY (or DATADOG_API_KEY) to a Datadog API key. Use --dry-run to see the request without one.',
    );
  }
  return config.apiKey;
}

/** The application key that reading and updating events needs, or exit 2 naming the variables. */
export function requireAppKey(config: Config, permission: string): string {
  requireConfig(config, 'appKey');
  if (!config.appKey) {
    throw new UsageError(
      `No application key: set DD_APP_KEY (or DATADOG_APP_KEY) to a Datadog application key with the ${permission} ` +
        'permission. Nothing was sent. Use --dry-run to see the request without one.',
    );
  }
  return config.appKey;
}

/** Flags are trimmed like environment variables: a stray space or newline from a script is never meant. */
export function trimmed(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.trim();
}

interface NumberSetting {
  flag: string;
  variable: string;
  fallback: number;
  min: number;
  max: number;
  unit: 'seconds' | 'count';
}

/** A number from its flag, else its variable, else the default; refused with the name of where it came from. */
function numberSetting(flagValue: string | undefined, envValue: string | undefined, setting: NumberSetting): number {
  const raw = flagValue ?? envValue;
  if (raw === undefined) return setting.fallback;
  const label = flagValue !== undefined ? setting.flag : setting.variable;
  const text = raw.trim();
  const value = Number(text);
  const form = setting.unit === 'seconds' ? /^\d+(\.\d+)?$/ : /^\d+$/;
  if (!form.test(text) || value < setting.min || value > setting.max) {
    const what = setting.unit === 'seconds' ? 'a number of seconds' : 'a whole number';
    throw new UsageError(`${label}: ${JSON.stringify(raw)} must be ${what} from ${setting.min} to ${setting.max}.`);
  }
  return value;
}

// Below a quarter of a second no attempt is even started (see MIN_ATTEMPT_MS): refused rather than send nothing.
const MIN_SECONDS = MIN_ATTEMPT_MS / 1000;
const REQUEST_TIMEOUT: NumberSetting = {
  flag: '--request-timeout',
  variable: 'DORA_REQUEST_TIMEOUT',
  fallback: 10,
  min: MIN_SECONDS,
  max: 300,
  unit: 'seconds',
};
const DEADLINE: NumberSetting = {
  flag: '--deadline',
  variable: 'DORA_DEADLINE',
  fallback: 30,
  min: MIN_SECONDS,
  max: 3600,
  unit: 'seconds',
};
const MAX_ATTEMPTS: NumberSetting = {
  flag: '--max-attempts',
  variable: 'DORA_MAX_ATTEMPTS',
  fallback: 5,
  min: 1,
  max: 20,
  unit: 'count',
};
