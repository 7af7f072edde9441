/**
 * Reading every deployment or failure of a window through the list endpoints, which have no cursor: `from` and `to`
 * are inclusive RFC 3339 instants and a page holds at most `limit` events, newest first. We page by moving `to` back
 * to the oldest instant of a full page. Several events may share that instant, so `to` stays inclusive and the next
 * page repeats the events on it: they are told apart by id, so none is missed or counted twice. A full page whose
 * events all sit on one instant (at the millisecond precision the API takes) cannot be paged past: the read fails
 * rather than compute from part of the data.
 *
 * Which timestamp the list filters and sorts on. The API reference says only "minimum/maximum timestamp for
 * requested events"; the events are those of Datadog's event platform, which dates each one by one timestamp.
 * - Deployments: `finished_at` (required on every deployment; Datadog counts a deployment when it finished). We ask
 *   for `sort: -finished_at` and page on it.
 * - Failures: `started_at`. An open failure has no `finished_at`, yet the list returns open failures, so the date
 *   the list filters on must be one every failure has; Datadog matches a failure's updates by its `started_at`, its
 *   change-failure-rate notes say failures fall "when the failure starts", and its own list example sorts failures
 *   with `-started_at`. We ask for `sort: -started_at` and page on it.
 * The failures we need are those that finished in the window (whatever their start) and the open ones that started
 * in it. A failure that finished in the window may have started long before it, and the list cannot filter on
 * `finished_at`, so failures are read from the start of Datadog's retention (two years before the window's end) to
 * the window's end and selected here. Failures are few next to deployments, so this costs a few pages.
 * Each page is checked against these assumptions (every row inside the asked range, newest first by the paged
 * timestamp): an answer that breaks them fails the read instead of being paged wrongly.
 */
import { DeliveryError } from '../errors.js';
import { apiInstant, formatInstant } from '../time.js';
import { readPage } from './read.js';
import type { Deployment, EventKind, Failure, Window } from './types.js';

/** The API's own maximum. */
export const MAX_PAGE_SIZE = 1000;
/** The precision of `from` and `to` as the API reads them. */
export const API_PRECISION_NS = 1_000_000n;
/** Datadog keeps DORA events two years: no failure started earlier than this before the window's end. */
export const RETENTION_NS = 730n * 86_400n * 1_000_000_000n;

export interface PageRequest {
  kind: EventKind;
  /** RFC 3339, UTC, millisecond precision. */
  from: string;
  to: string;
  limit: number;
  /** Datadog search syntax; absent when nothing is filtered. */
  query?: string;
  /** `-finished_at` for deployments, `-started_at` for failures: the timestamp the pages are cut on. */
  sort: string;
}

/** One list request (POST /api/v2/dora/deployments or /failures) through the shared engine: the answer's JSON. */
export type PageFetcher = (request: PageRequest) => Promise<unknown>;

export interface ReadOptions {
  /** Events per page, 1 to 1000 (default 1000). */
  pageSize?: number;
  /** Told after each page, for progress: how many events of this kind are kept so far. */
  onPage?: (kind: EventKind, kept: number, pages: number) => void;
}

/** The read could not be completed: exit 5, as any read that did not come back whole. */
export class IncompleteRead extends DeliveryError {}

const SORT = { deployment: '-finished_at', failure: '-started_at' } as const;

/** The first request of a kind, as `--dry-run` shows it. */
export function firstPageRequest(
  kind: EventKind,
  window: Window,
  query: string | undefined,
  pageSize = MAX_PAGE_SIZE,
): PageRequest {
  const { from, to } = apiRange(kind, window);
  return request(kind, from, to, pageSize, query);
}

/**
 * Every event of the window: deployments whose `finished_at` lies in it; failures whose `finished_at` lies in it,
 * plus those that started in it and have none (open). In the order read (newest first by the paged timestamp).
 */
export async function readAll(
  kind: 'deployment',
  window: Window,
  query: string | undefined,
  fetchPage: PageFetcher,
  options?: ReadOptions,
): Promise<Deployment[]>;
export async function readAll(
  kind: 'failure',
  window: Window,
  query: string | undefined,
  fetchPage: PageFetcher,
  options?: ReadOptions,
): Promise<Failure[]>;
export async function readAll(
  kind: EventKind,
  window: Window,
  query: string | undefined,
  fetchPage: PageFetcher,
  options: ReadOptions = {},
): Promise<Array<Deployment | Failure>> {
  const limit = options.pageSize ?? MAX_PAGE_SIZE;
  const { from, to } = apiRange(kind, window);
  const keyOf = kind === 'deployment' ? (e: Deployment | Failure) => e.finishedAt as bigint : startOf;
  const kept: Array<Deployment | Failure> = [];
  let pages = 0;
  const read = (json: unknown): Array<Deployment | Failure> => readPage(kind, json);
  for await (const rows of pagesOf({ kind, from, to, query, limit, fetchPage, read, keyOf })) {
    for (const row of rows) if (inWindow(kind, row, window)) kept.push(row);
    options.onPage?.(kind, kept.length, ++pages);
  }
  return kept;
}

/** What pagesOf needs: the range (nanoseconds, at the API's precision), how to read a page and date a row. */
export interface Paging<T extends { id: string }> {
  kind: EventKind;
  from: bigint;
  to: bigint;
  query: string | undefined;
  limit: number;
  fetchPage: PageFetcher;
  /** A page's rows, newest first; throws when the answer cannot be read. */
  read: (json: unknown) => T[];
  /** The timestamp pages are cut on (finished_at for deployments, started_at for failures). */
  keyOf: (row: T) => bigint;
}

/**
 * The one paging loop: each page's rows not seen before, newest first, until the range is exhausted. A reader may
 * stop early (`list --open` stops once it has enough). Each page is checked (every row inside the asked range, newest
 * first by the paged timestamp); a full page on one instant cannot be paged past, and fails.
 */
export async function* pagesOf<T extends { id: string }>(paging: Paging<T>): AsyncGenerator<T[]> {
  const { kind, from, query, limit, fetchPage, read, keyOf } = paging;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`page size ${limit} is not a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  const seen = new Set<string>();
  let to = paging.to;
  let pending = fetchPage(request(kind, from, to, limit, query));
  for (;;) {
    const json = await pending;
    const data = (json as { data?: unknown } | null | undefined)?.data;
    const full = Array.isArray(data) && data.length >= limit;
    // A full page: more may follow, older than its oldest instant or on that instant itself. The next page is asked
    // for now, from this page's first and last rows, so the API works on it while this one is read.
    let next: bigint | undefined;
    if (full) {
      const [newest, oldest] = read({ data: [data[0], data[data.length - 1]] }).map((row) => truncate(keyOf(row))) as [
        bigint,
        bigint,
      ];
      if (newest === oldest) throw stuck(kind, oldest, limit);
      next = oldest;
      if (oldest < to) {
        pending = fetchPage(request(kind, from, oldest, limit, query));
        pending.catch(() => {}); // awaited on the next turn; a page found wrong below leaves it unread
      }
    }
    const fresh: T[] = [];
    let previous: bigint | undefined;
    for (const row of read(json)) {
      const key = truncate(keyOf(row));
      if (key < from || key > to) throw outOfRange(kind, from, to);
      if (previous !== undefined && key > previous) throw unsorted(kind);
      previous = key;
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      fresh.push(row);
    }
    // A server that pages forever (fresh ids without end, or the same rows again) must not hold the run: a window
    // of more events than any real one, or a full page of nothing new, ends the read as incomplete.
    if (seen.size > MAX_EVENTS) throw tooMany(kind);
    if (full && fresh.length === 0) throw repeating(kind);
    yield fresh;
    if (next === undefined) return;
    to = next;
  }
}

/** More events of one kind than this in one read: a window larger than dora reads in one go (a year at 680 deployments a day). */
export const MAX_EVENTS = 250_000;

function tooMany(kind: EventKind): IncompleteRead {
  return new IncompleteRead(
    `Stopped reading ${kind}s after ${MAX_EVENTS.toLocaleString('en-US')} of them: the list did not end. Ask for a ` +
      'shorter span of time or fewer services, or check that --api-url points at the DORA API.',
  );
}

function repeating(kind: EventKind): IncompleteRead {
  return new IncompleteRead(
    `Stopped reading ${kind}s: a full page held nothing new (the list repeats itself), so it cannot be read whole.`,
  );
}

/** A window's bounds at the API's precision: `from` rounded down and `to` up, so no edge event is left out. */
export function apiBounds(since: bigint, until: bigint): { from: bigint; to: bigint } {
  return { from: truncate(since), to: roundUp(until) };
}

/** The range asked of the API, at its precision: `from` rounded down and `to` up, so no edge event is left out. */
function apiRange(kind: EventKind, window: Window): { from: bigint; to: bigint } {
  return apiBounds(kind === 'deployment' ? window.since : window.until - RETENTION_NS, window.until);
}

function inWindow(kind: EventKind, event: Deployment | Failure, { since, until }: Window): boolean {
  const finished = event.finishedAt;
  if (finished !== undefined) return finished >= since && finished <= until;
  return kind === 'failure' && event.startedAt >= since && event.startedAt <= until;
}

const startOf = (event: Deployment | Failure) => event.startedAt;

function request(kind: EventKind, from: bigint, to: bigint, limit: number, query: string | undefined): PageRequest {
  const page: PageRequest = { kind, from: apiInstant(from), to: apiInstant(to), limit, sort: SORT[kind] };
  if (query) page.query = query;
  return page;
}

function truncate(ns: bigint): bigint {
  const rest = ns % API_PRECISION_NS;
  return rest < 0n ? ns - rest - API_PRECISION_NS : ns - rest;
}

function roundUp(ns: bigint): bigint {
  const down = truncate(ns);
  return down === ns ? ns : down + API_PRECISION_NS;
}

function stuck(kind: EventKind, instant: bigint, limit: number): IncompleteRead {
  return new IncompleteRead(
    `Could not read every ${kind} of the window: ${limit} or more ${kind}s share the instant ${formatInstant(instant)}, ` +
      `and Datadog's list cannot be paged past one instant (it has no cursor). No metric was computed from a ` +
      `partial read; narrow the selection (--service, --env, --team) so fewer ${kind}s share that instant.`,
  );
}

function outOfRange(kind: EventKind, from: bigint, to: bigint): IncompleteRead {
  return new IncompleteRead(
    `Could not read every ${kind} of the window: Datadog answered a request for ${formatInstant(from)} to ${formatInstant(to)} ` +
      `with a ${kind} outside that range, so dora cannot tell which ${kind}s remain to be read.`,
  );
}

function unsorted(kind: EventKind): IncompleteRead {
  return new IncompleteRead(
    `Could not read every ${kind} of the window: Datadog's answer was not sorted by ${SORT[kind].slice(1)} as ` +
      'asked, so dora cannot page through it.',
  );
}
