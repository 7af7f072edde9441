/** Where events go: a Datadog site (`datadoghq.eu` → `https://api.datadoghq.eu`) or an explicit base URL. */
import { UsageError } from '../errors.js';
import { echoValue } from '../output/credential.js';
import { parseApiUrl } from '../url.js';

export const DEFAULT_SITE = 'datadoghq.com';

export const KNOWN_SITES: readonly string[] = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
];

/** Sites where Datadog does not offer DORA Metrics (its documentation: not available on US1-FED). */
const NO_DORA_SITES: readonly string[] = ['ddog-gov.com'];

/** Every Datadog site is one of these domains or below one (datad0g.com is Datadog's own staging site). */
const DATADOG_DOMAINS: readonly string[] = ['datadoghq.com', 'datadoghq.eu', 'ddog-gov.com', 'datad0g.com'];

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

export interface ApiTarget {
  /** Base URL without a trailing slash, e.g. https://api.datadoghq.com */
  baseUrl: string;
  /** The Datadog site the keys are for, e.g. datadoghq.eu (with --api-url, the site it overrides). */
  site: string;
  /** Set when the site is well formed but not one Datadog publishes: worth a warning, not a refusal. */
  unknownSite?: string;
  /** Set on a site where Datadog offers no DORA Metrics (ddog-gov.com): events would go nowhere useful. */
  noDora?: true;
}

/**
 * Resolves the base URL. An explicit `apiUrl` (for gateways and tests) wins over the site.
 * Malformed values are refused: a site with a scheme, a path or spaces would send the key somewhere unintended.
 */
export function resolveApiTarget(
  site: string | undefined,
  apiUrl: string | undefined,
  /** Where the site came from, for messages: `--site`, `DD_SITE` or `DATADOG_SITE`. */
  siteFrom = 'DD_SITE / --site',
): ApiTarget {
  // The site is checked even when a base URL overrides it: a malformed value is a mistake worth reporting either way.
  // Whether it is a Datadog domain matters only when the key would go there, not when a base URL overrides it.
  const siteTarget = siteApiTarget(site, apiUrl === undefined, siteFrom);
  if (apiUrl === undefined) return siteTarget;
  // Through a gateway the keys still belong to the site: one where Datadog has no DORA Metrics stays one.
  return {
    baseUrl: parseApiUrl(apiUrl),
    site: siteTarget.site,
    ...(siteTarget.noDora ? { noDora: true as const } : {}),
  };
}

/**
 * The unambiguous spellings people paste for a site, read as the site: a scheme (`https://datadoghq.eu`), a trailing
 * slash (`datadoghq.eu/`), the API or web app host (`https://api.datadoghq.eu`, `app.datadoghq.eu`). A path or a port
 * is not a site and stays refused.
 */
function normaliseSite(site: string): string {
  return site
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '');
}

function siteApiTarget(site: string | undefined, keyGoesThere: boolean, siteFrom: string): ApiTarget {
  const host = normaliseSite(site ?? DEFAULT_SITE);
  if (!HOSTNAME.test(host)) {
    throw new UsageError(
      `${siteFrom}: ${echoValue(site ?? '')} is not a Datadog site. Give a bare host name such as ` +
        `${KNOWN_SITES.slice(0, 4).join(', ')} (no scheme, no path).`,
    );
  }
  // People often paste the API host or the web app's host; take the site from either rather than send to api.api.…
  const bare = host.replace(/^(api|app)\./, '');
  const apiHost = `api.${bare}`;
  // The key goes wherever the site says: a typo such as datadoghq.cm would hand it to whoever owns that domain.
  if (keyGoesThere && !DATADOG_DOMAINS.some((domain) => bare === domain || bare.endsWith(`.${domain}`))) {
    throw new UsageError(
      `${siteFrom}: ${echoValue(site ?? '')} is not a Datadog site (those end in ${DATADOG_DOMAINS.slice(0, 3).join(', ')}), ` +
        'and the API key would be sent there. For a gateway or a proxy host, use --api-url / DORA_API_URL.',
    );
  }
  return {
    baseUrl: `https://${apiHost}`,
    site: bare,
    ...(KNOWN_SITES.includes(bare) ? {} : { unknownSite: bare }),
    ...(NO_DORA_SITES.includes(bare) ? { noDora: true as const } : {}),
  };
}
