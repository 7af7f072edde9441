/**
 * The search query of both list requests, from the filters: `service:(shop OR cart) env:prod team:web`. Datadog's
 * search syntax matches a failure on `service:` when its `services` list holds the value.
 */
import type { Filters } from './types.js';

/** undefined when nothing is filtered (the request then carries no query). */
export function metricsQuery(filters: Filters): string | undefined {
  const terms: string[] = [];
  const services = [...new Set(filters.service)];
  if (services.length === 1) terms.push(`service:${searchValue(services[0] as string)}`);
  else if (services.length > 1) terms.push(`service:(${services.map(searchValue).join(' OR ')})`);
  if (filters.env !== undefined) terms.push(`env:${searchValue(filters.env)}`);
  if (filters.team !== undefined) terms.push(`team:${searchValue(filters.team)}`);
  return terms.length > 0 ? terms.join(' ') : undefined;
}

/** A value as the search syntax reads it: bare when it is one plain word, else quoted with `"` and `\` escaped. */
export function searchValue(value: string): string {
  return /^[A-Za-z0-9_.:/@+-]+$/.test(value) && !/^(OR|AND|NOT)$/.test(value)
    ? value
    : `"${value.replace(/["\\]/g, '\\$&')}"`;
}
