/**
 * `dora import`: flags → one final input → the import engine (src/import: read, check, plan, skip what is recorded,
 * send in order) on the one API client → the result. The engine is loaded only when this command runs.
 *
 * Interruption: the first SIGINT/SIGTERM/SIGHUP stops the import from starting requests; those out get their answers
 * (so the journal knows them), then the summary is printed. A second one ends the requests out too.
 */
import { Command } from 'commander';
import { pageCall } from '../api/calls.js';
import { type ApiClient, type PreparedEvent, recordCall } from '../api/client.js';
import { InterruptedError } from '../errors.js';
import { type EventRecord, readListed, searchQuery } from '../events/records.js';
import type { RecordedEvent } from '../import/already-recorded.js';
import type { PlannedRecord } from '../import/plan.js';
import type { ImportApi } from '../import/run.js';
import { addDeliveryFlags, addImportFlags, addOutputFlags, type ImportFlags } from '../input/flags.js';
import { type ImportEvent, type ImportInput, importInput, recordCheck } from '../input/import.js';
import { apiBounds, IncompleteRead, MAX_EVENTS, MAX_PAGE_SIZE, pagesOf } from '../metrics/paging.js';
import { warnAboutTarget } from '../output/run-notes.js';
import type { ImportResult } from '../result.js';
import { parseTimestamp } from '../time.js';
import type { Verb, World } from './verb.js';

export const importVerb: Verb<ImportFlags> = {
  command() {
    const command = new Command('import')
      .usage('[options] <file | -> | --git-tags <glob> --service <service>')
      .argument('[file]', 'records: .jsonl/.ndjson (one JSON object a line) or .csv (a header row); - reads stdin')
      .description('Bring past deployments and incidents into Datadog, oldest first, each one once.');
    addImportFlags(command);
    addOutputFlags(command, 'check and plan everything, print the counts and the first three bodies, send nothing');
    addDeliveryFlags(command);
    return command.addHelpText(
      'after',
      `
A record has the fields the options have, in snake case: service (or services, for an incident), env, version,
team, started_at, finished_at, id, custom_tags, git_repository_url, git_commit_sha, name, severity, and kind
("deployment" or "incident"; without it, a record with services, or a team and no service, is an incident). Deployments need finished_at; times are absolute (no "now" or -5m).

Every record is checked before anything is sent. A record already recorded (by an earlier run's journal, or found in
Datadog with DD_APP_KEY) is skipped, so running the same import again sends only what is missing.

Examples:
  $ dora import deploys.jsonl --dry-run
  $ dora import history.csv --concurrency 16
  $ gh api repos/OWNER/REPO/deployments --paginate | jq -c '.[] | {…}' | dora import - --format jsonl --journal deploys.journal
  $ dora import --git-tags 'v*' --service checkout --env prod --duration 5m`,
    );
  },

  async run({ flags, args }, world) {
    const { ctx, reporter } = world;
    const input = await importInput(flags, args[0], ctx);
    for (const warning of input.warnings) reporter.warn(warning);
    warnAboutTarget(input.delivery.target, input.dryRun, reporter);
    const { runImport } = await import('../import/run.js');
    const { tagReader } = await import('../import/git-tags.js');
    const { preparedRecord } = await import('../import/wire.js');

    const stop = new AbortController();
    const inFlight = new AbortController();
    let signals = 0;
    // Signals come here instead of ending the run at once: the requests out may finish and be journalled.
    const unsubscribe = ctx.subscribeSignals((signal) => {
      signals++;
      const reason = new InterruptedError(signal, 'maybe');
      if (signals === 1) {
        reporter.warn(
          `${signal}: stopping. No new request starts; those on their way get their answers (${signal} again ends them).`,
        );
        stop.abort(reason);
      } else {
        inFlight.abort(reason);
        unsubscribe(); // a third signal ends the process as any run's would
      }
    });
    let json: ImportResult | undefined;
    const text: string[] = [];
    try {
      const code = await runImport<ImportEvent>(
        {
          source: input.source,
          dryRun: input.dryRun,
          json: world.json,
          concurrency: input.concurrency,
          ...(input.journal !== undefined ? { journal: input.journal } : {}),
          resumeCommand: input.resumeCommand,
        },
        {
          validate: recordCheck(input.now, ctx.config.secrets),
          body: (record) => preparedRecord(record).payload,
          connect: async () => connect(input, world, { inFlight: inFlight.signal, stop: stop.signal }, preparedRecord),
          readStdin: () => ctx.readStdin(),
          git: { run: tagReader(ctx.env), cwd: ctx.cwd },
          clock: ctx.clock,
          signal: stop.signal,
          inFlightSignal: inFlight.signal,
          out: {
            result: (line) => text.push(line),
            json: (result) => {
              json = result;
            },
            info: (line) => reporter.info(line),
            warn: (line) => reporter.warn(line),
            progress: reporter.bar,
          },
        },
      );
      return {
        result: json ?? { ok: code === 0, exit_code: code, kind: 'import', total: 0, already_recorded: 0, moved: [] },
        text: text.join('\n'),
        exitCode: code,
      };
    } finally {
      unsubscribe();
    }
  },
};

/**
 * The API as the import uses it: sends on one kept-alive connection pool (the engine paces them and waits out
 * 429s itself), and the listing of what Datadog holds when an application key allows it (a dry run lists too).
 */
function connect(
  input: ImportInput,
  world: World,
  { inFlight, stop }: { inFlight: AbortSignal; stop: AbortSignal },
  preparedRecord: (record: PlannedRecord<ImportEvent>) => PreparedEvent,
): ImportApi<ImportEvent> {
  const sender = input.dryRun
    ? undefined
    : world.client(input.delivery, {
        dryRun: false,
        keepAlive: true,
        quiet: true,
        signal: inFlight,
        retrySignal: stop,
        deadline: 'call',
      });
  // The check of what Datadog holds is one step, bounded as a whole by --deadline (the sends each get theirs).
  const lister = input.canList
    ? world.client(input.delivery, { dryRun: false, keepAlive: true, quiet: true, signal: stop, deadline: 'run' })
    : undefined;
  return {
    ...(sender
      ? {
          send: async (record) => {
            const event = preparedRecord(record);
            const answer = await sender.call({ ...recordCall(event), answerRateLimits: true });
            return { status: answer.status, headers: answer.headers };
          },
        }
      : {}),
    ...(lister ? { listRecorded: (queries) => listRecorded(lister, queries) } : {}),
  };
}

/** Every event Datadog lists for each query's service (or team) and range, read page by page. */
async function listRecorded(
  client: ApiClient,
  queries: ReadonlyArray<{
    kind: 'deployment' | 'incident';
    service?: string;
    team?: string;
    from: string;
    to: string;
  }>,
): Promise<RecordedEvent[]> {
  const found: RecordedEvent[] = [];
  for (const query of queries) {
    const kind = query.kind === 'incident' ? 'failure' : 'deployment';
    const { from, to } = apiBounds(parseTimestamp(query.from, 'from', 0n), parseTimestamp(query.to, 'to', 0n));
    const pages = pagesOf<EventRecord>({
      kind,
      from,
      to,
      query: searchQuery(query.service !== undefined ? { service: query.service } : { team: query.team }),
      limit: MAX_PAGE_SIZE,
      fetchPage: async (page) => (await client.call(pageCall(page))).json,
      read: (json) => readListed(query.kind, json),
      keyOf: (row) => (kind === 'deployment' ? (row.finishedAt ?? row.startedAt) : row.startedAt),
    });
    for await (const rows of pages) {
      // However many services and pages: the events kept stay bounded, as a read's are.
      if (found.length + rows.length > MAX_EVENTS) {
        throw new IncompleteRead(
          `Datadog lists more than ${MAX_EVENTS.toLocaleString('en-US')} events for these services and times`,
        );
      }
      for (const row of rows) {
        found.push({
          kind: row.kind,
          id: row.id,
          services: row.services,
          ...(row.env !== undefined ? { env: row.env } : {}),
          startedAt: row.startedAt,
          finishedAt: row.finishedAt,
        });
      }
    }
  }
  return found;
}
