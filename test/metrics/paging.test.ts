/**
 * Reading a whole window through list endpoints without a cursor, against the stand-in that pages as Datadog does:
 * events sharing an instant across a page boundary, a full page on one instant, window edges, open failures.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PageFetcher } from '../../src/metrics/paging.js';
import { firstPageRequest, IncompleteRead, readAll } from '../../src/metrics/paging.js';
import type { StoredEvent } from '../helpers/dora-api.js';
import { at, DAY, deployment, failure, HOUR, MINUTE, SECOND, standIn } from './stand-in.js';

const SINCE = at('2026-11-01T00:00:00Z');
const UNTIL = at('2026-12-01T00:00:00Z');
const WINDOW = { since: SINCE, until: UNTIL };
const ids = (events: Array<{ id: string }>) => events.map((event) => event.id).sort();

describe('readAll: deployments', () => {
  it('reads every deployment once when several share the instant on a page boundary, whatever the tie order', async () => {
    const noon = at('2026-11-15T12:00:00Z');
    const events = [
      deployment('d1', noon + HOUR),
      deployment('d2', noon + MINUTE),
      deployment('tie-a', noon),
      deployment('tie-b', noon),
      deployment('tie-c', noon),
      deployment('d6', noon - MINUTE),
      deployment('d7', noon - HOUR),
    ];
    const { fetchPage, requests } = standIn(events, { shuffleTies: true });
    const read = await readAll('deployment', WINDOW, undefined, fetchPage, { pageSize: 4 });
    expect(ids(read)).toEqual(['d1', 'd2', 'd6', 'd7', 'tie-a', 'tie-b', 'tie-c']);
    expect(read).toHaveLength(7);
    // Page 1 ends on the shared instant; page 2 starts there again (inclusive `to`) and repeats what it had.
    expect(requests.map((request) => request.to)).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2026-11-15T12:00:00.000Z',
      '2026-11-15T11:59:00.000Z',
    ]);
    expect(requests.every((request) => request.sort === '-finished_at' && request.limit === 4)).toBe(true);
  });

  it('fails, saying why, when a full page holds only one instant: the list cannot be paged past it', async () => {
    const noon = at('2026-11-15T12:00:00Z');
    const events = [
      deployment('later-0001', noon + HOUR),
      ...['a', 'b', 'c', 'd'].map((x) => deployment(`same-${x}`, noon)),
      deployment('earlier-01', noon - HOUR),
    ];
    const { fetchPage } = standIn(events);
    const reading = readAll('deployment', WINDOW, undefined, fetchPage, { pageSize: 3 });
    await expect(reading).rejects.toThrow(IncompleteRead);
    await expect(reading).rejects.toMatchObject({
      exitCode: 5,
      message: expect.stringContaining('3 or more deployments share the instant 2026-11-15T12:00:00Z'),
    });
  });

  it('fails too when exactly a page of events shares one instant, since no answer can say none is left', async () => {
    const noon = at('2026-11-15T12:00:00Z');
    const { fetchPage } = standIn(['a', 'b', 'c'].map((x) => deployment(`same-${x}`, noon)));
    await expect(readAll('deployment', WINDOW, undefined, fetchPage, { pageSize: 3 })).rejects.toThrow(
      /cannot be paged past one instant/,
    );
  });

  it('keeps both edges of the window and nothing beyond, to the nanosecond the window was given with', async () => {
    const since = SINCE + 500_000n; // half a millisecond into the first one
    const until = UNTIL + 500_000n;
    const events = [
      deployment('before-since', SINCE), // inside the millisecond `from` is rounded down to, before `since`
      deployment('on-since', SINCE + 1_000_000n),
      deployment('on-until', UNTIL),
      deployment('after-until', UNTIL + 1_000_000n), // inside the millisecond `to` is rounded up to, after `until`
      deployment('long-before', SINCE - DAY),
      deployment('long-after', UNTIL + DAY),
    ];
    const { fetchPage, requests } = standIn(events);
    const read = await readAll('deployment', { since, until }, undefined, fetchPage);
    expect(ids(read)).toEqual(['on-since', 'on-until']);
    expect(requests[0]).toMatchObject({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.001Z' });
  });

  it('keeps the selection of the query: services (one of several), env and team', async () => {
    const t = at('2026-11-10T00:00:00Z');
    const events = [
      deployment('shop-prod-web', t, { service: 'shop', env: 'prod', team: 'web' }),
      deployment('cart-prod-web', t + SECOND, { service: 'cart', env: 'prod', team: 'web' }),
      deployment('shop-staging', t + 2n * SECOND, { service: 'shop', env: 'staging', team: 'web' }),
      deployment('search-prod', t + 3n * SECOND, { service: 'search', env: 'prod', team: 'web' }),
      deployment('shop-prod-ops', t + 4n * SECOND, { service: 'shop', env: 'prod', team: 'ops' }),
    ];
    const { fetchPage, requests } = standIn(events);
    const read = await readAll('deployment', WINDOW, 'service:(shop OR cart) env:prod team:web', fetchPage);
    expect(ids(read)).toEqual(['cart-prod-web', 'shop-prod-web']);
    expect(requests[0]?.query).toBe('service:(shop OR cart) env:prod team:web');
  });

  it('tells progress after each page, and shows the first request of each kind for --dry-run', async () => {
    const t = at('2026-11-10T00:00:00Z');
    const { fetchPage, requests } = standIn([0n, 1n, 2n, 3n, 4n].map((i) => deployment(`p${i}`, t + i * SECOND)));
    const told: Array<[string, number, number]> = [];
    await readAll('deployment', WINDOW, 'env:prod', fetchPage, {
      pageSize: 2,
      onPage: (kind, kept, pages) => told.push([kind, kept, pages]),
    });
    expect(told).toEqual([['deployment', 0, 1]]); // env:prod matches none of them (they have no env)
    await readAll('deployment', WINDOW, undefined, fetchPage, {
      pageSize: 2,
      onPage: (kind, kept, pages) => told.push([kind, kept, pages]),
    });
    // Pages of two, each starting on the previous page's oldest instant: the last one holds only the oldest event.
    expect(told.slice(1)).toEqual([
      ['deployment', 2, 1],
      ['deployment', 3, 2],
      ['deployment', 4, 3],
      ['deployment', 5, 4],
      ['deployment', 5, 5],
    ]);
    expect(firstPageRequest('deployment', WINDOW, 'env:prod', 2)).toEqual(requests[0]);
    expect(firstPageRequest('failure', WINDOW, undefined)).toEqual({
      kind: 'failure',
      from: '2024-12-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      limit: 1000,
      sort: '-started_at',
    });
  });

  it('reads an empty window in one request', async () => {
    const { fetchPage, requests } = standIn([]);
    expect(await readAll('deployment', WINDOW, undefined, fetchPage)).toEqual([]);
    expect(requests).toHaveLength(1);
  });
});

describe('readAll: failures', () => {
  it('pages on started_at from the start of retention, keeping the resolved in the window and the open started in it', async () => {
    const events = [
      failure('resolved-inside', at('2026-11-10T10:00:00Z'), at('2026-11-10T12:00:00Z')),
      failure('started-last-year', at('2025-12-20T00:00:00Z'), at('2026-11-02T00:00:00Z')),
      failure('open-inside', at('2026-11-20T00:00:00Z'), undefined),
      failure('open-since-before', at('2026-10-20T00:00:00Z'), undefined),
      failure('resolved-before', at('2026-10-01T00:00:00Z'), at('2026-10-02T00:00:00Z')),
      failure('resolved-after-until', at('2026-11-30T23:00:00Z'), at('2026-12-01T01:00:00Z')),
      failure('starts-after', at('2026-12-02T00:00:00Z'), undefined),
    ];
    const { fetchPage, requests } = standIn(events);
    const read = await readAll('failure', WINDOW, undefined, fetchPage, { pageSize: 2 });
    expect(ids(read)).toEqual(['open-inside', 'resolved-inside', 'started-last-year']);
    expect(requests[0]).toMatchObject({
      from: '2024-12-01T00:00:00.000Z', // 730 days before the window's end
      to: '2026-12-01T00:00:00.000Z',
      sort: '-started_at',
    });
  });

  it('matches a failure on service when its services list holds it', async () => {
    const t = at('2026-11-10T00:00:00Z');
    const events = [
      failure('shop-and-cart', t, t + HOUR, { services: ['cart', 'shop'] }),
      failure('search-only', t + SECOND, t + HOUR, { services: ['search'] }),
    ];
    const { fetchPage } = standIn(events);
    expect(ids(await readAll('failure', WINDOW, 'service:shop', fetchPage))).toEqual(['shop-and-cart']);
  });

  it('pages open and resolved failures that started on the same instant across a boundary', async () => {
    const t = at('2026-11-10T00:00:00Z');
    const events = [
      failure('f-newest', t + HOUR, t + 2n * HOUR),
      failure('f-open', t, undefined),
      failure('f-resolved', t, t + HOUR),
      failure('f-oldest', t - HOUR, t),
      failure('f-before', t - 2n * HOUR, t - HOUR),
    ];
    const { fetchPage, requests } = standIn(events, { shuffleTies: true });
    expect(ids(await readAll('failure', WINDOW, undefined, fetchPage, { pageSize: 3 }))).toEqual([
      'f-before',
      'f-newest',
      'f-oldest',
      'f-open',
      'f-resolved',
    ]);
    expect(requests.map((request) => request.to)).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2026-11-10T00:00:00.000Z',
      '2026-11-09T23:00:00.000Z',
    ]);
  });
});

describe('readAll: answers it cannot page', () => {
  const row = (id: string, finished: string) => ({
    id,
    attributes: { service: 'shop', started_at: finished, finished_at: finished },
  });
  const serving =
    (...pages: unknown[][]): PageFetcher =>
    async () => ({ data: pages.shift() ?? [] });

  it('fails when a page is not newest first', async () => {
    const fetchPage = serving([row('a', '2026-11-02T00:00:00Z'), row('b', '2026-11-03T00:00:00Z')]);
    await expect(readAll('deployment', WINDOW, undefined, fetchPage, { pageSize: 2 })).rejects.toThrow(
      /not sorted by finished_at/,
    );
  });

  it('fails when a row lies outside the range asked for', async () => {
    const fetchPage = serving([row('a', '2026-12-05T00:00:00Z')]);
    await expect(readAll('deployment', WINDOW, undefined, fetchPage)).rejects.toThrow(/outside that range/);
  });

  it('fails when the answer has no data array, naming it as unreadable', async () => {
    const fetchPage: PageFetcher = async () => ({ errors: ['?'] });
    await expect(readAll('failure', WINDOW, undefined, fetchPage)).rejects.toMatchObject({
      exitCode: 5,
      message: expect.stringContaining('no data array'),
    });
  });
});

describe('readAll against generated histories', () => {
  /** Events on a few instants, so that many share one; the page size small enough to cross many boundaries. */
  const histories = fc.record({
    deployments: fc.array(fc.tuple(fc.integer({ min: -3, max: 40 }), fc.integer({ min: 0, max: 2 })), {
      maxLength: 60,
    }),
    pageSize: fc.integer({ min: 1, max: 12 }),
  });

  it('returns exactly the deployments of the window, or fails when some instant holds a page of them', async () => {
    await fc.assert(
      fc.asyncProperty(histories, async ({ deployments, pageSize }) => {
        // Instants one hour apart from a day before the window; sub-millisecond offsets share the API's instant.
        const events: StoredEvent[] = deployments.map(([hour, jitter], i) =>
          deployment(`dep-${String(i).padStart(4, '0')}`, SINCE + BigInt(hour) * HOUR + BigInt(jitter) * 1000n),
        );
        const expected = events
          .filter((event) => {
            const ms = (BigInt(String(event.attributes.finished_at)) / 1_000_000n) * 1_000_000n;
            return ms >= SINCE && ms <= UNTIL;
          })
          .map((event) => event.id)
          .sort();
        const perInstant = new Map<bigint, number>();
        for (const event of events) {
          const ms = BigInt(String(event.attributes.finished_at)) / 1_000_000n;
          if (ms * 1_000_000n >= SINCE) perInstant.set(ms, (perInstant.get(ms) ?? 0) + 1);
        }
        const { fetchPage } = standIn(events, { shuffleTies: true });
        const reading = readAll('deployment', WINDOW, undefined, fetchPage, { pageSize });
        if ([...perInstant.values()].some((n) => n >= pageSize)) {
          // The page that reaches that instant is full, and so is every page after it: nothing gets past.
          await expect(reading).rejects.toThrow(IncompleteRead);
        } else {
          expect(ids(await reading)).toEqual(expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('readAll against a list that never ends', () => {
  it('stops with an incomplete read when fresh full pages keep coming', async () => {
    let pages = 0;
    const endless: PageFetcher = async (request) => {
      pages++;
      const to = BigInt(Date.parse(request.to)) * 1_000_000n;
      return {
        data: Array.from({ length: request.limit }, (_, i) => ({
          id: `endless-${pages}-${i}`.padEnd(16, '0'),
          type: 'dora_deployment',
          attributes: {
            service: 's',
            started_at: request.to,
            finished_at: new Date(Number((to - BigInt(i) * 1_000_000n) / 1_000_000n)).toISOString(),
          },
        })),
      };
    };
    const reading = readAll('deployment', { since: 0n, until: UNTIL }, undefined, endless);
    await expect(reading).rejects.toThrow(IncompleteRead);
    await expect(reading).rejects.toMatchObject({ message: expect.stringContaining('the list did not end') });
    expect(pages).toBeLessThan(300);
  });

  it('stops when a full page holds nothing new (the same ids again, walking back in time)', async () => {
    let pages = 0;
    const repeating: PageFetcher = async (request) => {
      pages++;
      const to = Date.parse(request.to);
      return {
        data: [0, 1, 2].map((i) => ({
          id: `same-row-id-00000${i}`,
          type: 'dora_deployment',
          attributes: { service: 's', started_at: request.to, finished_at: new Date(to - i).toISOString() },
        })),
      };
    };
    const reading = readAll('deployment', WINDOW, undefined, repeating, { pageSize: 3 });
    await expect(reading).rejects.toMatchObject({ message: expect.stringContaining('the list repeats itself') });
    expect(pages).toBeLessThanOrEqual(3);
  });
});
