/**
 * The checks that need an answer from the API: the API key (GET /api/v1/validate), the application key and the
 * last deployment (a one-item list), the network path and the clock. Pure: the command makes the calls and hands
 * over what it saw.
 */
import type { DoraError } from '../errors.js';
import { type Check, fail, ok, warn } from './check.js';

/** What one call came to, as the command observed it. */
export interface CallOutcome {
  /** The 2xx answer's body. */
  json?: unknown | undefined;
  /** The failure as a send would word it (src/api/messages.ts). */
  error?: DoraError | undefined;
  /** The status of the last answer, refusals included. */
  status?: number | undefined;
  /** Round trip of the last attempt to its status line, from the injected clock. */
  rttMs?: number | undefined;
  /** The server's Date of the last answer, and the local wall clock when it arrived. */
  serverDateMs?: number | undefined;
  localMs?: number | undefined;
}

export interface Target {
  /** The site's name as the user sees it (datadoghq.eu), or the base URL given instead. */
  site: string;
  host: string;
}

/** Why a call was not made, and what makes it happen: in place of its outcome. */
export interface Skipped {
  skipped: string;
  fix: string;
}

function isSkipped(outcome: CallOutcome | Skipped): outcome is Skipped {
  return 'skipped' in outcome;
}

/** How the failure of a call that reached no verdict is worded in the checks that depended on it. */
const answered = (outcome: CallOutcome) => outcome.status !== undefined;

export function judgeApiKey(outcome: CallOutcome | Skipped, hasKey: boolean, target: Target): Check {
  if (!hasKey)
    return warn('api key', 'not checked: no API key', 'Set DD_API_KEY to check that the key is valid for this site.');
  if (isSkipped(outcome)) return warn('api key', `not checked (${outcome.skipped})`, outcome.fix);
  if (outcome.error?.exitCode === 3 || outcome.status === 401 || outcome.status === 403) {
    return fail(
      'api key',
      `HTTP ${outcome.status ?? 403}: the API key is not valid for ${target.site} (${target.host})`,
      `An API key belongs to one Datadog site: use a key of the organisation on ${target.site}, or set DD_SITE to the site the key was made on.`,
      3,
    );
  }
  if (outcome.error !== undefined) {
    if (!answered(outcome)) return warn('api key', 'not checked: the API was not reached', 'See the network check.');
    if (outcome.error.exitCode === 5) {
      // It answered (a 429 to the end, a redirect, a page that is not JSON): reached, but no verdict on the key.
      return warn(
        'api key',
        `not checked: ${target.host} answered HTTP ${outcome.status}, and no verdict on the key (${outcome.error.message.split('\n')[0]})`,
        'Try again later; if it persists, check that --api-url / DORA_API_URL leads to a Datadog API.',
      );
    }
    const why =
      outcome.status === 404 ? `HTTP 404 from ${target.host}: no validate endpoint there` : outcome.error.message;
    return fail(
      'api key',
      why,
      'Check --api-url / DORA_API_URL: it must lead to a Datadog API.',
      outcome.error.exitCode,
    );
  }
  const valid = (outcome.json as { valid?: unknown } | undefined)?.valid;
  if (valid === false) {
    return fail(
      'api key',
      `${target.host} did not confirm the key (answered ${JSON.stringify(outcome.json)})`,
      'Check that the key is an API key, not an application key.',
      3,
    );
  }
  if (valid !== true) {
    // Not the validate endpoint's answer at all: whatever is at that address is not the API, whatever the key.
    return fail(
      'api key',
      `${target.host} answered HTTP ${outcome.status ?? 200}, but not as Datadog's validate endpoint does (no "valid")`,
      'Check --api-url / DORA_API_URL: it must lead to a Datadog API.',
      4,
    );
  }
  return ok('api key', `valid for ${target.site}`);
}

export function judgeAppKey(
  outcome: CallOutcome | Skipped,
  keys: { api: boolean; app: boolean },
  target: Target,
  /** This deployment marks another (--rollback-of): its send reads and updates deployments. */
  appKeyNeeded = false,
): Check {
  if (!keys.app) {
    // Said once, by the keys check, when this send needs one; here only what there is to check.
    return appKeyNeeded
      ? fail('application key', 'not set: --rollback-of / --rollforward-of need one', 'Set DD_APP_KEY.', 2)
      : ok('application key', 'not set: sending needs none; reading events (and this check) does');
  }
  if (!keys.api)
    return warn('application key', 'not checked: it is sent together with an API key', 'Set DD_API_KEY too.');
  if (isSkipped(outcome)) return warn('application key', `not checked (${outcome.skipped})`, outcome.fix);
  if (outcome.error === undefined)
    return ok('application key', `can read DORA events on ${target.site} (dora_metrics_read)`);
  if (outcome.error.exitCode === 3) {
    return warn(
      'application key',
      `HTTP ${outcome.status ?? 403}: it cannot read DORA events on ${target.site}`,
      'Use an application key of the same organisation as the API key, whose owner has the dora_metrics_read permission.',
    );
  }
  return warn('application key', outcome.error.message, 'Try again; sending does not depend on this check.');
}

interface ListedDeployment {
  id?: string | undefined;
  attributes?: { version?: string; finished_at?: string | number; env?: string };
}

export function judgeLastDeployment(
  json: unknown,
  query: { service: string; env?: string | undefined },
  days: number,
): Check {
  const data = (json as { data?: unknown } | undefined)?.data;
  const last = Array.isArray(data) ? (data[0] as ListedDeployment | undefined) : undefined;
  const of = `${query.service}${query.env ? ` in ${query.env}` : ''}`;
  if (!last) {
    return warn(
      'last deployment',
      `none recorded for ${of} in the last ${days} days`,
      'Expected before the first one; otherwise check the service and env names and that earlier sends used this site.',
    );
  }
  const a = last.attributes ?? {};
  const finished = typeof a.finished_at === 'number' ? new Date(a.finished_at / 1e6).toISOString() : a.finished_at;
  return ok(
    'last deployment',
    `${of}: ${a.version ? `version ${a.version}` : 'no version'}, finished ${finished ?? 'at an unknown time'}${last.id ? ` (id ${last.id})` : ''}`,
  );
}

export interface NetworkFacts {
  /** The proxy's masked URL, when one is configured for the target's scheme. */
  proxy?: string | undefined;
  /** The NO_PROXY entry that exempts the host, if any. */
  exemptBy?: string | undefined;
}

export function judgeNetwork(outcome: CallOutcome | Skipped, facts: NetworkFacts, target: Target): Check {
  const path = facts.proxy
    ? facts.exemptBy
      ? `direct (NO_PROXY entry ${JSON.stringify(facts.exemptBy)} exempts ${target.host} from the proxy ${facts.proxy})`
      : `through the proxy ${facts.proxy}`
    : 'direct, no proxy';
  if (isSkipped(outcome)) return warn('network', `${path}; not checked (${outcome.skipped})`, outcome.fix);
  if (outcome.error?.exitCode === 5) {
    const fix =
      facts.proxy && !facts.exemptBy
        ? 'Check the proxy (HTTPS_PROXY) and that it lets this machine reach the host, or exempt the host with NO_PROXY.'
        : `Check that this machine can reach ${target.host} on its port (firewall, DNS, HTTPS_PROXY for a proxy).`;
    return fail('network', `${path}: ${outcome.error.message}`, fix, 5);
  }
  // Stopped before any request (FIPS could not be turned on): say why rather than claim the host answered.
  if (outcome.error !== undefined && !answered(outcome)) {
    return fail(
      'network',
      `${path}; not checked: ${outcome.error.message}`,
      'Fix the problem named first; nothing was sent.',
      outcome.error.exitCode,
    );
  }
  const rtt = outcome.rttMs === undefined ? '' : ` in ${Math.round(outcome.rttMs)} ms`;
  return ok('network', `${path}; ${target.host} answered${rtt}`);
}

/** DORA measures times: beyond this the local clock shifts what a send records (finished "now"). */
export const MAX_SKEW_MS = 30_000;

export function judgeClock(outcome: CallOutcome | undefined): Check {
  if (outcome?.serverDateMs === undefined || outcome.localMs === undefined) {
    return warn(
      'clock',
      'not checked: no answer from the API carried a Date',
      'Check the machine clock against a time server (NTP).',
    );
  }
  // The Date header counts whole seconds, truncated: up to 1 s ahead of it is no skew at all.
  const skew = outcome.localMs - outcome.serverDateMs;
  const size = Math.abs(skew);
  if (size <= MAX_SKEW_MS) return ok('clock', `within ${Math.max(1, Math.ceil(size / 1000))} s of the server's`);
  return warn(
    'clock',
    `the local clock is ${duration(size)} ${skew > 0 ? 'ahead of' : 'behind'} the server's`,
    'Sync the clock (NTP): DORA measures times, and a deployment that finishes "now" is stamped with this clock.',
  );
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
