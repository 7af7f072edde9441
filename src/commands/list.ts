/** `dora deployment list` and `dora incident list`: recorded events of a window, newest first. */
import { Command, Option } from 'commander';
import { listCall, pageCall } from '../api/calls.js';
import type { ApiClient } from '../api/client.js';
import { toJson } from '../events/json.js';
import { type EventRecord, type RecordKind, readListed, searchQuery } from '../events/records.js';
import { addVerbFlags, single } from '../input/flags.js';
import { type ListFlags, type ListInput, listInput } from '../input/records.js';
import { apiBounds, MAX_PAGE_SIZE, pagesOf } from '../metrics/paging.js';
import { newestFirst, recordTable } from '../output/records.js';
import { apiInstant, formatInstant } from '../time.js';
import type { Verb } from './verb.js';

function list(kind: RecordKind): Verb<ListFlags> {
  return {
    command() {
      const command = new Command('list')
        .description(`List recorded ${kind}s, newest first.`)
        .addOption(
          single('--service <service>', kind === 'deployment' ? 'only this service' : 'only incidents of this service'),
        )
        .addOption(single('--env <env>', 'only this environment'))
        .addOption(single('--version <version>', 'only this version'));
      if (kind === 'incident') {
        command
          .addOption(single('--team <team>', 'only this team'))
          .addOption(single('--severity <severity>', 'only this severity'))
          .addOption(new Option('--open', 'only incidents not resolved yet (from the last two years, unless --since)'));
      }
      command
        .addOption(single('--since <time>', 'from this time (every time form; default -7d)'))
        .addOption(single('--until <time>', 'up to this time (default now)'))
        .addOption(single('--limit <n>', 'at most this many, 1 to 1000 (default 20)'))
        .addOption(single('--query <search>', 'more search terms, in Datadog search syntax, added to the filters'));
      return addVerbFlags(command, 'print the request that would be made and stop (no key, no network)');
    },
    async run({ flags }, world) {
      const input = listInput(kind, flags, world.ctx);
      const client = world.client(input.delivery, { dryRun: input.dryRun, keepAlive: input.open });
      const query = searchQuery(input.terms, input.query);
      const from = apiInstant(input.from);
      const to = apiInstant(input.to, true);
      // --open is judged on what comes back (the search syntax has no "field is absent"): pages are read, newest
      // start first, until enough open incidents are found or the window is read through.
      const call = input.open
        ? pageCall({
            kind: 'failure',
            from,
            to,
            limit: MAX_PAGE_SIZE,
            sort: '-started_at',
            ...(query ? { query } : {}),
          })
        : listCall(kind, { from, to, limit: input.limit, query });
      if (input.dryRun) {
        world.reporter.info(`Dry run: nothing read. A real run would POST ${client.shown(call).url} with this body.`);
        return {
          result: { ok: true, exit_code: 0, kind, dry_run: true, requests: [client.shown(call)] },
          text: toJson(call.body ?? null),
        };
      }
      const read = input.open
        ? await openIncidents(input, query, client)
        : readListed(kind, (await client.call(call)).json);
      // Only what was asked for, to the nanosecond (the request's bounds are rounded outwards to the API's
      // milliseconds, and a server may ignore them): a row outside the window is left out, and said so.
      const records = read.filter((record) => {
        const at = kind === 'deployment' ? (record.finishedAt ?? record.startedAt) : record.startedAt;
        return at >= input.from && at <= input.to;
      });
      if (records.length < read.length) {
        world.reporter.warn(
          `Left out ${read.length - records.length} of the ${kind}s the API listed: they lie outside the window asked for.`,
        );
      }
      const shown = newestFirst(records).slice(0, input.limit);
      if (shown.length === 0) {
        world.reporter.info(`No ${kind}s matched between ${formatInstant(input.from)} and ${formatInstant(input.to)}.`);
      }
      return {
        result: { ok: true, exit_code: 0, kind, count: shown.length, data: shown.map((record) => record.raw) },
        text: shown.length > 0 ? recordTable(shown) : undefined,
      };
    },
  };
}

export const deploymentList = list('deployment');
export const incidentList = list('incident');

/** The open incidents that started in the window, newest first, read page by page until `limit` are found. */
async function openIncidents(input: ListInput, query: string | undefined, client: ApiClient): Promise<EventRecord[]> {
  const { from, to } = apiBounds(input.from, input.to);
  const open: EventRecord[] = [];
  const pages = pagesOf({
    kind: 'failure',
    from,
    to,
    query,
    limit: MAX_PAGE_SIZE,
    fetchPage: async (page) => (await client.call(pageCall(page))).json,
    read: (json) => readListed('incident', json),
    keyOf: (record) => record.startedAt,
  });
  for await (const rows of pages) {
    open.push(...rows.filter((record) => record.finishedAt === undefined && record.startedAt >= input.from));
    if (open.length >= input.limit) break;
  }
  return open;
}
