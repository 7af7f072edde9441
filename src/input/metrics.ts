/**
 * `dora metrics`'s input: the window (every time form, both ends inclusive), the filters, the grouping and the output
 * form, checked once. A window longer than Datadog keeps events, ending in the future or ending before it starts is
 * refused before any request.
 */
import { UsageError } from '../errors.js';
import type { Filters, GroupBy, Window } from '../metrics/types.js';
import { formatInstant, MAX_FUTURE_SKEW_NS, parseTimestamp } from '../time.js';
import { type DeliveryInput, deliveryInput, withKeys } from './delivery.js';
import type { InputSources } from './event.js';
import { text } from './fields.js';
import type { DeliveryFlags, OutputFlags } from './flags.js';
import { READ } from './permissions.js';
import { checked, flagOrEnv, fromFlag } from './values.js';

export interface MetricsFlags extends DeliveryFlags, OutputFlags {
  service?: string[];
  env?: string;
  team?: string;
  since?: string;
  until?: string;
  by?: string;
  markdown?: boolean;
}

export interface MetricsInput {
  delivery: DeliveryInput;
  dryRun: boolean;
  window: Window;
  filters: Filters;
  by?: GroupBy | undefined;
  format: 'terminal' | 'markdown' | 'json';
}

/** Datadog keeps DORA events two years: a longer window could only be read in part. */
const MAX_WINDOW_NS = 730n * 86_400n * 1_000_000_000n;

const GROUPS: readonly GroupBy[] = ['service', 'env', 'team'];

export function metricsInput(flags: MetricsFlags, sources: InputSources): MetricsInput {
  const { config } = sources;
  const dryRun = flags.dryRun === true;
  const delivery = deliveryInput(flags, config);
  if (flags.json && flags.markdown) throw new UsageError('--json and --markdown each choose the output: give one.');
  const now = sources.nowNs();
  const since = parseTimestamp(flags.since ?? '-30d', '--since', now);
  const until = parseTimestamp(flags.until ?? 'now', '--until', now);
  if (until - now > MAX_FUTURE_SKEW_NS) {
    throw new UsageError(`--until is in the future: ${formatInstant(until)} is after this machine's clock.`);
  }
  if (since > until) {
    throw new UsageError(`--since is after --until (${formatInstant(since)} is after ${formatInstant(until)}).`);
  }
  if (until - since > MAX_WINDOW_NS) {
    throw new UsageError(
      'The window is longer than two years, which is as long as Datadog keeps DORA events: move --since or --until.',
    );
  }
  const services = (flags.service ?? (config.service !== undefined ? [config.service] : [])).map(
    (value) => checked(text, fromFlag(value, flags.service ? '--service' : 'DD_SERVICE'), config.secrets) as string,
  );
  const env = checked(text, flagOrEnv(flags.env, '--env', config, 'env'), config.secrets);
  const team = checked(text, fromFlag(flags.team, '--team'), config.secrets);
  const by = flags.by?.trim();
  if (by !== undefined && !GROUPS.includes(by as GroupBy)) {
    throw new UsageError(`--by takes ${GROUPS.join(', ')}.`);
  }
  return {
    delivery: withKeys(delivery, { apiKey: 'required', appKeyPermission: READ }, config, dryRun),
    dryRun,
    window: { since, until },
    filters: {
      service: [...new Set(services)],
      ...(env !== undefined ? { env } : {}),
      ...(team !== undefined ? { team } : {}),
    },
    by: by as GroupBy | undefined,
    format: flags.json ? 'json' : flags.markdown ? 'markdown' : 'terminal',
  };
}
