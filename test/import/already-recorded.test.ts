import { describe, expect, it } from 'vitest';
import { alreadyRecorded, listingQueries, type RecordedEvent } from '../../src/import/already-recorded.js';
import type { ValidEvent } from '../../src/import/event.js';
import { planTable } from '../../src/import/plan.js';
import { RecordTable } from '../../src/import/table.js';

const S = 1_000_000_000n;
const BASE = 1_795_687_200n * S; // 2026-11-26T10:00:00Z

function planned(events: ValidEvent[]) {
  const table = new RecordTable();
  for (const [at, event] of events.entries()) table.add({ line: at + 2, at, event });
  const plan = planTable(table);
  return { table, order: plan.order };
}

const deployment = (service: string, finishedAt: bigint, extra: Partial<ValidEvent> = {}): ValidEvent => ({
  kind: 'deployment',
  services: [service],
  env: 'prod',
  startedAt: finishedAt - 60n * S,
  finishedAt,
  ...extra,
});

describe('listingQueries', () => {
  it('asks once per kind and service (or team) for the whole seconds its records are sent in', () => {
    const { table, order } = planned([
      deployment('shop', BASE + 500_000_000n),
      deployment('shop', BASE + 3600n * S),
      deployment('api', BASE),
      { kind: 'incident', services: ['shop', 'api'], startedAt: BASE - 100n * S, finishedAt: BASE },
      { kind: 'incident', services: [], team: 'web', startedAt: BASE },
    ]);
    expect(listingQueries(table, order)).toEqual(
      expect.arrayContaining([
        { kind: 'deployment', service: 'shop', from: '2026-11-26T09:59:00Z', to: '2026-11-26T11:00:01Z' },
        { kind: 'deployment', service: 'api', from: '2026-11-26T09:59:00Z', to: '2026-11-26T10:00:01Z' },
        { kind: 'incident', service: 'shop', from: '2026-11-26T09:58:20Z', to: '2026-11-26T10:00:01Z' },
        { kind: 'incident', service: 'api', from: '2026-11-26T09:58:20Z', to: '2026-11-26T10:00:01Z' },
        { kind: 'incident', team: 'web', from: '2026-11-26T10:00:00Z', to: '2026-11-26T10:00:01Z' },
      ]),
    );
    expect(listingQueries(table, order)).toHaveLength(5);
  });
});

describe('alreadyRecorded', () => {
  const listed = (event: Partial<RecordedEvent>): RecordedEvent => ({
    kind: 'deployment',
    id: 'recorded-elsewhere-1',
    services: ['shop'],
    env: 'prod',
    startedAt: BASE - 60n * S,
    finishedAt: BASE,
    ...event,
  });

  it('finds a record Datadog holds by its id, or by its service, env and second', () => {
    const { table, order } = planned([
      deployment('shop', BASE + 200_000_000n),
      deployment('shop', BASE + 10n * S, { id: 'deploy-000000000010' }),
      deployment('shop', BASE + 20n * S),
      deployment('shop', BASE + 30n * S, { env: 'staging' }),
    ]);
    const found = alreadyRecorded(table, order, [
      listed({ finishedAt: BASE + 900_000_000n }),
      listed({ id: 'deploy-000000000010', finishedAt: BASE + 99n * S }),
      listed({ finishedAt: BASE + 21n * S }),
      listed({ env: 'prod', finishedAt: BASE + 30n * S }),
    ]);
    expect([...found].map((index) => table.line(index)).sort()).toEqual([2, 3]);
  });

  it('looks at the seconds the records are sent in, after moves', () => {
    // Two in one second: the second moved to the next, where an earlier run put it.
    const { table, order } = planned([deployment('shop', BASE), deployment('shop', BASE + 1n)]);
    const found = alreadyRecorded(table, order, [listed({ finishedAt: BASE + S + 1n })]);
    expect([...found].map((index) => table.line(index))).toEqual([3]);
  });

  it('still sends the resolution of an incident Datadog holds open, and not an open one it holds resolved', () => {
    const incident = (finishedAt?: bigint): ValidEvent => ({
      kind: 'incident',
      services: ['shop'],
      env: 'prod',
      startedAt: BASE,
      ...(finishedAt !== undefined ? { finishedAt } : {}),
      id: 'incident-0000000001',
    });
    const open = listed({ kind: 'incident', id: 'incident-0000000001', startedAt: BASE, finishedAt: undefined });
    const resolved = { ...open, finishedAt: BASE + 60n * S };
    const resolving = planned([incident(BASE + 60n * S)]);
    expect(alreadyRecorded(resolving.table, resolving.order, [open]).size).toBe(0);
    expect(alreadyRecorded(resolving.table, resolving.order, [resolved]).size).toBe(1);
    const opening = planned([incident()]);
    expect(alreadyRecorded(opening.table, opening.order, [open]).size).toBe(1);
    expect(alreadyRecorded(opening.table, opening.order, [resolved]).size).toBe(1);
    // By the second too: same services, env and start.
    expect(alreadyRecorded(opening.table, opening.order, [{ ...open, id: 'another-000000000001' }]).size).toBe(1);
  });
});
