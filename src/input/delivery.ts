/**
 * The delivery half of every command that talks to the API: where requests go (site or base URL), the time policy,
 * the proxy, FIPS and the keys. Checked before any other work, so a bad site or timeout exits 2 even in a dry run, and
 * a missing key exits 2 before anything is sent (or run).
 */
import { MIN_ATTEMPT_MS, type RequestPolicy } from '../api/request.js';
import { type ApiTarget, resolveApiTarget } from '../api/site.js';
import { proxyFor } from '../api/transports/no-proxy.js';
import { type Config, type ProxySettings, type ProxyUrl, requireConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { echoValue } from '../output/credential.js';
import { refuseCredential } from '../output/refuse.js';
import type { DeliveryFlags } from './flags.js';
import { trimmed } from './values.js';

/** The keys a run's requests carry. */
export interface Keys {
  apiKey?: string | undefined;
  appKey?: string | undefined;
}

export interface DeliveryInput {
  target: ApiTarget;
  policy: RequestPolicy;
  /** Every proxy setting, for the transport (it applies NO_PROXY to each request). */
  proxies: ProxySettings;
  /** The proxy a request to the target goes through (NO_PROXY applied), if any, for messages. */
  proxy?: ProxyUrl | undefined;
  fips: boolean;
  fipsIgnoreError: boolean;
  keys: Keys;
  /**
   * The options that said where requests go (`--site datadoghq.eu`, `--api-url …`), as flag and value pairs: a
   * command printed to run later (send again, resolve, mark) repeats them, or it would go to another site.
   */
  where: string[];
}

/**
 * Which keys the run needs: every request carries the API key; reading and updating events also needs an
 * application key with `appKeyPermission`. `optional`: attach what is there, require nothing (`dora doctor`).
 */
export type KeyNeeds = { apiKey: 'required' | 'optional'; appKeyPermission?: string | undefined };

/** Where and how requests go; the keys are added by `withKeys`, once the rest of the input is known to be good. */
export function deliveryInput(flags: DeliveryFlags, config: Config): DeliveryInput {
  const target = resolveApiTarget(
    trimmed(flags.site) ?? config.site,
    trimmed(flags.apiUrl) ?? config.apiUrl,
    flags.site !== undefined ? '--site' : (config.sources.site ?? 'DD_SITE'),
  );
  const policy: RequestPolicy = {
    requestTimeoutMs: Math.round(numberSetting(flags.requestTimeout, config.requestTimeout, REQUEST_TIMEOUT) * 1000),
    deadlineMs: Math.round(numberSetting(flags.deadline, config.deadline, DEADLINE) * 1000),
    maxAttempts: numberSetting(flags.maxAttempts, config.maxAttempts, MAX_ATTEMPTS),
  };
  requireConfig(config, 'proxy');
  // A malformed DATADOG_FIPS matters only when no flag overrides it.
  if (flags.fips === undefined) requireConfig(config, 'fips');
  if (flags.fipsIgnoreError === undefined) requireConfig(config, 'fipsIgnoreError');
  // A known secret inside a host name would go out in the DNS lookup, before any request: refused here. User info is
  // not a host (a proxy's password belongs there), so each address is checked without it.
  const addresses: Array<[string | undefined, string]> = [
    [trimmed(flags.site) ?? config.site, flags.site !== undefined ? '--site' : 'DD_SITE'],
    [trimmed(flags.apiUrl) ?? config.apiUrl, flags.apiUrl !== undefined ? '--api-url' : 'DORA_API_URL'],
    [config.proxy.httpsProxy?.display, 'HTTPS_PROXY'],
    [config.proxy.httpProxy?.display, 'HTTP_PROXY'],
  ];
  // Host names are case-insensitive (a URL lower-cases them): so is the comparison.
  const secrets = config.secrets.map((secret) => secret.toLowerCase());
  for (const [value, from] of addresses) {
    if (value !== undefined) refuseCredential({ value: value.toLowerCase(), from }, secrets);
  }
  // The proxy requests to the target really go through: none when NO_PROXY exempts the target.
  const proxy = proxyFor(target.baseUrl, config.proxy);
  return {
    target,
    policy,
    proxies: config.proxy,
    proxy,
    fips: flags.fips ?? config.fips,
    fipsIgnoreError: flags.fipsIgnoreError ?? config.fipsIgnoreError,
    keys: {},
    where: [
      ...(flags.site !== undefined ? ['--site', flags.site.trim()] : []),
      ...(flags.apiUrl !== undefined ? ['--api-url', target.baseUrl] : []),
    ],
  };
}

/**
 * The keys the run needs, or exit 2 naming the variable. `dryRun`: keys are neither required nor sent (a dry run
 * needs none and touches no network).
 */
export function withKeys(delivery: DeliveryInput, needs: KeyNeeds, config: Config, dryRun: boolean): DeliveryInput {
  return dryRun ? delivery : { ...delivery, keys: keysFor(needs, config) };
}

function keysFor(needs: KeyNeeds, config: Config): Keys {
  if (needs.apiKey === 'optional') return { apiKey: config.apiKey, appKey: config.appKey };
  requireConfig(config, 'apiKey');
  if (!config.apiKey) {
    throw new UsageError(
      'No API key: set DD_API_KEY (or DATADOG_API_KEY) to a Datadog API key. Use --dry-run to see the request without one.',
    );
  }
  if (needs.appKeyPermission === undefined) return { apiKey: config.apiKey };
  requireConfig(config, 'appKey');
  if (!config.appKey) {
    throw new UsageError(
      `No application key: set DD_APP_KEY (or DATADOG_APP_KEY) to a Datadog application key with the ` +
        `${needs.appKeyPermission} permission${needs.appKeyPermission.includes(' and ') ? 's' : ''}. Nothing was sent. Use --dry-run to see the request without one.`,
    );
  }
  return { apiKey: config.apiKey, appKey: config.appKey };
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
    throw new UsageError(`${label}: ${echoValue(raw)} must be ${what} from ${setting.min} to ${setting.max}.`);
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
