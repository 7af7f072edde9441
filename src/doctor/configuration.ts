/** The configuration checks: where events would go, which keys are set, and the event's own fields. Pure. */
import type { Config } from '../config.js';
import { type Check, fail, ok, warn } from './check.js';

export interface SiteFacts {
  /** The site asked for (flag, variable or default) and where it came from. */
  site: string;
  siteSource: string;
  /** Set when --api-url / DORA_API_URL overrides the site. */
  apiUrlSource?: string | undefined;
  baseUrl?: string | undefined;
  unknownSite?: string | undefined;
  /** The site as src/api/site.ts read it (spellings normalised), and whether it lacks DORA Metrics (ddog-gov.com). */
  resolvedSite?: string | undefined;
  noDora?: boolean | undefined;
  /** Why the delivery settings (site, base URL, timeouts, proxy, FIPS) are unusable. */
  problem?: string | undefined;
}

export function judgeSite(facts: SiteFacts): Check {
  if (facts.problem !== undefined)
    return fail('site', facts.problem, 'Correct the setting named above; nothing can be sent until then.', 2);
  const bare = facts.resolvedSite ?? facts.site;
  const where = facts.apiUrlSource
    ? `API at ${facts.baseUrl ?? '?'} (${facts.apiUrlSource}, in place of the site ${bare} from ${facts.siteSource})`
    : `${bare} (${facts.siteSource}), API at ${facts.baseUrl ?? '?'}`;
  if (facts.noDora && facts.apiUrlSource !== undefined) {
    // A gateway in front does not change whose site the keys are of.
    return warn(
      'site',
      `${where}: DORA Metrics is not available on ${bare}, the site the keys belong to`,
      'Send DORA events to an organisation on another Datadog site (DD_SITE).',
    );
  }
  if (facts.noDora) {
    return fail(
      'site',
      `${where}: DORA Metrics is not available on ${bare}`,
      'Send DORA events to an organisation on another Datadog site (DD_SITE).',
      2,
    );
  }
  if (facts.unknownSite !== undefined) {
    return warn(
      'site',
      `${where}: not a Datadog site dora knows`,
      'Check the spelling of DD_SITE / --site against the site shown in your Datadog URL.',
    );
  }
  return ok('site', where);
}

/** The last 4 characters, the rest masked: enough to tell two keys apart, never enough to use one. */
export function lastFour(key: string): string {
  return `…${key.slice(-4)}`;
}

/** `appKeyNeeded`: the deployment marks another (--rollback-of), which reads and updates deployments. */
export function judgeKeys(config: Config, appKeyNeeded: boolean): Check {
  const problem = config.problems.apiKey ?? config.problems.appKey;
  if (problem !== undefined) {
    return fail(
      'keys',
      problem,
      'Set the variable to the key itself, copied from Datadog (Organization Settings > API Keys).',
      2,
    );
  }
  const app = config.appKey
    ? `application key ${lastFour(config.appKey)} (${config.sources.appKey})`
    : appKeyNeeded
      ? 'no application key, which --rollback-of / --rollforward-of need'
      : 'no application key (optional; the application key and last deployment checks need DD_APP_KEY)';
  if (!config.apiKey) {
    return fail(
      'keys',
      `no API key; ${app}`,
      'Set DD_API_KEY (or DATADOG_API_KEY) to an API key of this site; the API key and application key checks need it.',
      2,
    );
  }
  if (appKeyNeeded && !config.appKey) {
    return fail(
      'keys',
      `API key ${lastFour(config.apiKey)} (${config.sources.apiKey}); ${app}`,
      'Set DD_APP_KEY (or DATADOG_APP_KEY) to an application key with dora_metrics_read and dora_metrics_write.',
      2,
    );
  }
  return ok('keys', `API key ${lastFour(config.apiKey)} (${config.sources.apiKey}); ${app}`);
}

export interface EventFacts {
  /** The services named (a deployment is of one service; several --service make one event each). */
  services?: { values: string[]; from: string } | undefined;
  env?: { value: string; from: string } | undefined;
  version?: { value: string; from: string } | undefined;
  /** Why the event, as a send would build it, is refused. */
  problem?: string | undefined;
}

export function judgeEvent(facts: EventFacts): Check {
  if (facts.problem !== undefined)
    return fail('event', facts.problem, 'Correct the value named above; a send would refuse it.', 2);
  const parts = [
    facts.services
      ? `service${facts.services.values.length > 1 ? 's' : ''} ${facts.services.values.join(', ')} (${facts.services.from})`
      : 'no service',
    facts.env ? `env ${facts.env.value} (${facts.env.from})` : 'no env',
    facts.version ? `version ${facts.version.value} (${facts.version.from})` : 'no version',
  ];
  const detail = parts.join(', ');
  if (!facts.services)
    return warn(
      'event',
      detail,
      'Pass --service (or set DD_SERVICE): a deployment is of one service, and the last deployment check needs it.',
    );
  if (!facts.version) {
    return warn(
      'event',
      detail,
      'Pass --version (or DD_VERSION): without one, Datadog detects rollbacks from the commit alone.',
    );
  }
  return ok('event', detail);
}
