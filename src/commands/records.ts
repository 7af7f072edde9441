/**
 * The verbs that read and remove what was recorded, the same for deployments and incidents: `show <id>`,
 * `list [filters]` and `delete <id>`. Each needs the application key (DD_APP_KEY), goes through the one call path
 * (src/commands/call.ts) and prints its result on stdout.
 */
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { toJson } from '../events/json.js';
import {
  type EventRecord,
  listBody,
  PATHS,
  queryTerm,
  type RecordKind,
  readFetched,
  readListed,
  rfc3339,
} from '../events/records.js';
import { type DeliveryInput, type DeliveryOptions, deliveryInput } from '../input/delivery.js';
import { recordId } from '../input/event.js';
import { newestFirst, recordBlock, recordTable } from '../output/records.js';
import type { Reporter } from '../output/reporter.js';
import { parseTimestamp } from '../time.js';
import { describeDryRun, type Keys, type PlannedCall, perform, prepareCalls } from './call.js';
import { addDeliveryOptions, single } from './options.js';

export const READ = 'dora_metrics_read';
export const WRITE = 'dora_metrics_write';

export interface VerbOptions extends DeliveryOptions {
  json?: boolean;
  verbose?: boolean;
}

export type ReporterFor = (verbose: boolean) => Reporter;

/** Adds the delivery options a verb takes (no --soft-fail: it records no event to give up on). */
export function verbOptions(command: Command, dryRun: string): Command {
  return addDeliveryOptions(command, dryRun, false);
}

const NOUN: Record<RecordKind, string> = { deployment: 'deployment', incident: 'incident' };

// --- show ---------------------------------------------------------------------------------------------------------

export function showCommand(kind: RecordKind, reporterFor: ReporterFor, ctx: Context): Command {
  const command = new Command('show')
    .argument('<id>', `the ${NOUN[kind]}'s id`)
    .description(`Show a recorded ${NOUN[kind]}.`);
  verbOptions(command, 'print the request that would be made and stop (no key, no network)');
  return command.action(async (id: string, options: VerbOptions) => {
    const reporter = reporterFor(options.verbose === true);
    const delivery = deliveryInput(options, ctx.config);
    const found = await fetchRecord(kind, recordId(id), delivery, options, ctx, reporter);
    if (!found) return;
    reporter.result(options.json ? JSON.stringify(found.raw) : recordBlock(found));
  });
}

export function fetchCall(kind: RecordKind, id: string): PlannedCall {
  return {
    method: 'GET',
    path: PATHS[kind].fetch(id),
    action: 'read',
    noun: NOUN[kind],
    appKeyPermission: READ,
    title: `${NOUN[kind]} ${id}`,
  };
}

/** GET one event; undefined in a dry run. */
export async function fetchRecord(
  kind: RecordKind,
  id: string,
  delivery: DeliveryInput,
  options: { dryRun?: boolean },
  ctx: Context,
  reporter: Reporter,
  /** Keys already checked for a run of several calls. */
  keys?: Keys,
): Promise<EventRecord | undefined> {
  const json = await read(fetchCall(kind, id), delivery, options, ctx, reporter, keys);
  return json === undefined ? undefined : readFetched(kind, json.value);
}

/** A read: in a dry run shown (with its body, if any) and not made; else made, and its JSON answer returned. */
async function read(
  call: PlannedCall,
  delivery: DeliveryInput,
  options: { dryRun?: boolean },
  ctx: Context,
  reporter: Reporter,
  keys: Keys | undefined,
): Promise<{ value: unknown } | undefined> {
  if (options.dryRun) {
    if (call.body !== undefined) reporter.result(call.body);
    describeDryRun([call], delivery, reporter);
    return undefined;
  }
  const answer = await perform(call, keys ?? prepareCalls([call], delivery, ctx, reporter), delivery, ctx, reporter);
  return { value: answer.json };
}

// --- list ---------------------------------------------------------------------------------------------------------

interface ListOptions extends VerbOptions {
  service?: string;
  env?: string;
  version?: string;
  team?: string;
  severity?: string;
  open?: boolean;
  since?: string;
  until?: string;
  limit?: string;
  query?: string;
}

export function listCommand(kind: RecordKind, reporterFor: ReporterFor, ctx: Context): Command {
  const command = new Command('list')
    .description(`List recorded ${NOUN[kind]}s, newest first.`)
    .addOption(
      single('--service <service>', kind === 'deployment' ? 'only this service' : 'only incidents of this service'),
    )
    .addOption(single('--env <env>', 'only this environment'))
    .addOption(single('--version <version>', 'only this version'));
  if (kind === 'incident') {
    command
      .addOption(single('--team <team>', 'only this team'))
      .addOption(single('--severity <severity>', 'only this severity'))
      .addOption(new Option('--open', 'only incidents not resolved yet'));
  }
  command
    .addOption(single('--since <time>', 'from this time (every time form; default -7d)'))
    .addOption(single('--until <time>', 'up to this time (default now)'))
    .addOption(single('--limit <n>', 'at most this many, 1 to 1000 (default 20)'))
    .addOption(single('--query <search>', 'more search terms, in Datadog search syntax, added to the filters'));
  verbOptions(command, 'print the request that would be made and stop (no key, no network)');
  return command.action(async (options: ListOptions) => {
    const reporter = reporterFor(options.verbose === true);
    const delivery = deliveryInput(options, ctx.config);
    const now = ctx.nowNs();
    const since = parseTimestamp(options.since ?? '-7d', '--since', now);
    const until = parseTimestamp(options.until ?? 'now', '--until', now);
    if (since > until) throw new UsageError('--since is after --until: nothing could match.');
    const rawLimit = options.limit?.trim() ?? '20';
    const limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 1000) {
      throw new UsageError(`--limit: ${JSON.stringify(options.limit)} must be a whole number from 1 to 1000.`);
    }
    const terms = [
      ...(['service', 'env', 'version', 'team', 'severity'] as const)
        .filter((key) => options[key] !== undefined)
        .map((key) => queryTerm(key, (options[key] as string).trim())),
      ...(options.query?.trim() ? [options.query.trim()] : []),
    ];
    const records = await listRecords(
      kind,
      { from: rfc3339(since), to: rfc3339(until), limit, ...(terms.length ? { query: terms.join(' ') } : {}) },
      delivery,
      options,
      ctx,
      reporter,
    );
    if (!records) return;
    // --open is judged here, on what came back: the search syntax has no "field is absent".
    const shown = newestFirst(options.open ? records.filter((record) => record.finishedAt === undefined) : records);
    if (options.json) reporter.result(`[${shown.map((record) => JSON.stringify(record.raw)).join(',')}]`);
    else if (shown.length === 0)
      reporter.info(`No ${NOUN[kind]}s matched between ${rfc3339(since)} and ${rfc3339(until)}.`);
    else reporter.result(recordTable(shown));
  });
}

export function listCall(kind: RecordKind, query: Parameters<typeof listBody>[1]): PlannedCall {
  return {
    method: 'POST',
    path: PATHS[kind].list,
    body: toJson(listBody(kind, query)),
    action: 'read',
    noun: NOUN[kind],
    appKeyPermission: READ,
    title: `${NOUN[kind]}s`,
  };
}

/** POST a list request; undefined in a dry run (which shows the body). */
export async function listRecords(
  kind: RecordKind,
  query: Parameters<typeof listBody>[1],
  delivery: DeliveryInput,
  options: { dryRun?: boolean },
  ctx: Context,
  reporter: Reporter,
  keys?: Keys,
): Promise<EventRecord[] | undefined> {
  const json = await read(listCall(kind, query), delivery, options, ctx, reporter, keys);
  return json === undefined ? undefined : readListed(kind, json.value);
}

// --- delete -------------------------------------------------------------------------------------------------------

interface DeleteOptions extends VerbOptions {
  yes?: boolean;
}

export function deleteCommand(kind: RecordKind, reporterFor: ReporterFor, ctx: Context): Command {
  const command = new Command('delete')
    .argument('<id>', `the ${NOUN[kind]}'s id`)
    .description(`Delete a recorded ${NOUN[kind]}.`)
    .addOption(new Option('--yes', 'delete without asking (required without an interactive terminal)'));
  verbOptions(command, 'print the request that would be made and stop (no key, no network)');
  return command.action(async (rawId: string, options: DeleteOptions) => {
    const reporter = reporterFor(options.verbose === true);
    const delivery = deliveryInput(options, ctx.config);
    const id = recordId(rawId);
    const call: PlannedCall = {
      method: 'DELETE',
      path: PATHS[kind].remove(id),
      action: 'delete',
      noun: NOUN[kind],
      appKeyPermission: WRITE,
      title: `${NOUN[kind]} ${id}`,
    };
    if (options.dryRun) {
      describeDryRun([call], delivery, reporter);
      return;
    }
    const keys = prepareCalls([call], delivery, ctx, reporter);
    if (!options.yes) {
      const confirmed = reporter.interactive
        ? await ctx.confirm?.(`Delete ${NOUN[kind]} ${id}? This cannot be undone. [y/N] `)
        : undefined;
      if (confirmed === undefined) {
        throw new UsageError(`Deleting needs --yes without an interactive terminal: nothing was deleted.`);
      }
      if (!confirmed) {
        reporter.info('Nothing was deleted.');
        return;
      }
    }
    const answer = await perform(call, keys, delivery, ctx, reporter);
    reporter.success(`Deleted ${NOUN[kind]} ${id} (HTTP ${answer.status}).`);
    if (options.json) reporter.result(toJson({ ok: true, kind: NOUN[kind], id, deleted: true, status: answer.status }));
  });
}
