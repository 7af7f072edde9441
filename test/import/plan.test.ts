import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ValidatedRecord, ValidEvent } from '../../src/import/event.js';
import { type PlannedRecord, planImport } from '../../src/import/plan.js';
import { anchorOf, derivedId } from '../../src/import/table.js';
import { ID_PATTERN } from '../../src/input/fields.js';

const S = 1_000_000_000n;
const BASE = 1_795_687_200n * S;

const deployment = (
  line: number,
  service: string,
  finishedAt: bigint,
  extra: Partial<ValidEvent> = {},
): ValidatedRecord<ValidEvent> => ({
  line,
  event: { kind: 'deployment' as const, services: [service], startedAt: finishedAt - 30n * S, finishedAt, ...extra },
});

/** Records crowded into a few seconds of a few services and envs, so they collide. */
const crowded = fc
  .array(
    fc.record({
      kind: fc.constantFrom<'deployment' | 'incident'>('deployment', 'deployment', 'incident'),
      services: fc.uniqueArray(fc.constantFrom('shop', 'api', 'cart'), { minLength: 1, maxLength: 2 }),
      env: fc.option(fc.constantFrom('prod', 'staging'), { nil: undefined }),
      second: fc.nat(6),
      fraction: fc.bigInt({ min: 0n, max: S - 1n }),
      duration: fc.bigInt({ min: 0n, max: 300n * S }),
      version: fc.string({ maxLength: 4 }),
      open: fc.boolean(),
    }),
    { maxLength: 40 },
  )
  .map((items) =>
    items.map((item, index): ValidatedRecord<ValidEvent> => {
      const at = BASE + BigInt(item.second) * S + item.fraction;
      const event: ValidEvent =
        item.kind === 'deployment'
          ? {
              kind: 'deployment',
              services: item.services.slice(0, 1),
              startedAt: at - item.duration,
              finishedAt: at,
              version: `${item.version}#${index}`,
            }
          : {
              kind: 'incident',
              services: item.services,
              startedAt: at,
              ...(item.open ? {} : { finishedAt: at + item.duration }),
              version: `${item.version}#${index}`,
            };
      if (item.env) event.env = item.env;
      return { line: index + 2, event };
    }),
  );

const keysOf = (record: PlannedRecord) =>
  record.event.services.map((s) => `${record.event.kind}/${s}/${record.event.env ?? ''}`);
const second = (ns: bigint) => ns / S;
const finishOf = (record: PlannedRecord) => record.finishedAt ?? record.startedAt;
const sentAnchor = (record: PlannedRecord) =>
  anchorOf({ ...record.event, startedAt: record.startedAt, finishedAt: record.finishedAt });

describe('planImport', () => {
  it('sends oldest first by finish, file order among equals', () => {
    const plan = planImport([
      deployment(2, 'shop', BASE + 50n * S),
      deployment(3, 'api', BASE + 10n * S),
      deployment(4, 'cart', BASE + 50n * S),
      { line: 5, event: { kind: 'incident', services: ['shop'], startedAt: BASE + 20n * S } },
    ]);
    expect(plan.records.map((record) => record.line)).toEqual([3, 5, 2, 4]);
  });

  it('moves the later of two records of a service and env in one second to the first free second', () => {
    const plan = planImport([
      deployment(2, 'shop', BASE + 10n * S + 700_000_000n),
      deployment(3, 'shop', BASE + 10n * S + 200_000_000n),
      deployment(4, 'shop', BASE + 11n * S),
      deployment(5, 'shop', BASE + 10n * S + 200_000_000n, { env: 'staging' }),
      deployment(6, 'api', BASE + 10n * S + 700_000_000n),
    ]);
    const line2 = plan.records.find((record) => record.line === 2);
    // Line 3 finished earlier in that second and stays; 11 is line 4's; line 2 goes to 12, its start with it.
    expect(line2).toMatchObject({
      movedSeconds: 2,
      finishedAt: BASE + 12n * S + 700_000_000n,
      startedAt: BASE - 18n * S + 700_000_000n,
    });
    expect(plan.moves).toEqual([
      { line: 2, id: line2?.id, from: '2026-11-26T10:00:10.7Z', to: '2026-11-26T10:00:12.7Z' },
    ]);
    expect(plan.records.map((record) => record.line)).toEqual([3, 5, 6, 4, 2]);
  });

  it('moves the one later in the file when two finish at the same instant', () => {
    const plan = planImport([
      deployment(2, 'shop', BASE, { version: 'a' }),
      deployment(3, 'shop', BASE, { version: 'b' }),
    ]);
    expect(plan.moves.map((move) => move.line)).toEqual([3]);
  });

  it('keeps an incident in a second free for every one of its services', () => {
    const plan = planImport([
      { line: 2, event: { kind: 'incident', services: ['shop'], startedAt: BASE } },
      { line: 3, event: { kind: 'incident', services: ['api'], startedAt: BASE + S } },
      { line: 4, event: { kind: 'incident', services: ['api', 'shop'], startedAt: BASE + 500n } },
    ]);
    expect(plan.records.find((record) => record.line === 4)?.startedAt).toBe(BASE + 2n * S + 500n);
  });

  it('gives every service and env a second of its own per record, each moved only forward to the first free one', () => {
    fc.assert(
      fc.property(crowded, (validated) => {
        const plan = planImport(validated);
        expect(plan.problems.count).toBe(0);
        const held = new Map<string, number>();
        for (const record of plan.records) {
          for (const key of keysOf(record)) {
            const at = `${key}@${second(sentAnchor(record))}`;
            expect(held.get(at), `${at} held twice`).toBeUndefined();
            held.set(at, record.line);
          }
          const original = validated.find((one) => one.line === record.line)?.event as ValidEvent;
          const shift = BigInt(record.movedSeconds) * S;
          expect(record.movedSeconds).toBeGreaterThanOrEqual(0);
          expect(record.startedAt).toBe(original.startedAt + shift);
          expect(record.finishedAt).toBe(original.finishedAt === undefined ? undefined : original.finishedAt + shift);
          // A moved record never lands where another record was: that one would have to move in turn.
          if (record.movedSeconds > 0) {
            const landed = plan.records.some(
              (other) =>
                other !== record &&
                keysOf(other).some((key) => keysOf(record).includes(key)) &&
                second(anchorOf(other.event)) === second(sentAnchor(record)),
            );
            expect(landed, `line ${record.line} landed on another record's second`).toBe(false);
          }
          // Every second skipped on the way was some other record's (where it started or where it went).
          for (let skipped = 1n; skipped < BigInt(record.movedSeconds); skipped++) {
            const at = second(anchorOf(original)) + skipped;
            const busy = plan.records.some(
              (other) =>
                other !== record &&
                keysOf(other).some((key) => keysOf(record).includes(key)) &&
                (second(sentAnchor(other)) === at || second(anchorOf(other.event)) === at),
            );
            expect(busy, `second ${at} was free for line ${record.line}`).toBe(true);
          }
        }
        for (const [index, record] of plan.records.entries()) {
          const next = plan.records[index + 1];
          if (next)
            expect(
              finishOf(record) < finishOf(next) || (finishOf(record) === finishOf(next) && record.line < next.line),
            ).toBe(true);
        }
        expect(plan.moves.length).toBe(plan.records.filter((record) => record.movedSeconds > 0).length);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same ids whatever the order of the file, within the API’s id rules', () => {
    fc.assert(
      fc.property(
        crowded.chain((records) =>
          fc.tuple(fc.constant(records), fc.shuffledSubarray(records, { minLength: records.length })),
        ),
        ([records, shuffled]) => {
          const idsOf = (list: ValidatedRecord<ValidEvent>[]) =>
            new Map(planImport(list).records.map((record) => [record.line, record.id]));
          const ids = idsOf(records);
          expect(idsOf(shuffled)).toEqual(ids);
          for (const id of ids.values()) expect(id).toMatch(ID_PATTERN);
        },
      ),
    );
  });

  it('derives an id from kind, services, env, the anchor and the commit or version, and nothing else', () => {
    const base: ValidEvent = {
      kind: 'deployment',
      services: ['shop'],
      env: 'prod',
      startedAt: BASE - S,
      finishedAt: BASE,
      version: '1.0',
    };
    const id = derivedId(base);
    expect(derivedId({ ...base, startedAt: BASE - 100n * S, team: 'web' })).toBe(id);
    for (const changed of [
      { kind: 'incident' as const, startedAt: BASE },
      { services: ['api'] },
      { env: 'staging' },
      { finishedAt: BASE + 1n },
      { version: '1.1' },
      { commitSha: 'a'.repeat(40) },
    ]) {
      expect(
        derivedId({ ...base, ...changed }),
        JSON.stringify(changed, (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
      ).not.toBe(id);
    }
    // The commit decides over the version, in any letter case.
    const sha = 'ABCDEF'.padEnd(40, '0');
    expect(derivedId({ ...base, commitSha: sha, version: 'x' })).toBe(
      derivedId({ ...base, commitSha: sha.toLowerCase() }),
    );
  });

  it('keeps an id when a later file adds a record that pushes this one further', () => {
    const first = planImport([deployment(2, 'shop', BASE), deployment(3, 'shop', BASE + 300_000_000n)]);
    const grown = planImport([
      deployment(2, 'shop', BASE),
      deployment(3, 'shop', BASE + 300_000_000n),
      deployment(4, 'shop', BASE + S),
    ]);
    expect(grown.records.find((record) => record.line === 3)?.id).toBe(
      first.records.find((record) => record.line === 3)?.id,
    );
  });

  it('refuses two different events with one id, naming both lines', () => {
    const plan = planImport([
      deployment(2, 'shop', BASE, { id: 'deploy-000000000001' }),
      deployment(3, 'api', BASE, { id: 'deploy-000000000001' }),
    ]);
    expect(plan.problems.listed).toEqual([
      { line: 3, field: 'id', reason: expect.stringMatching(/also the id of line 2, a different event/) },
    ]);
  });

  it('sends an event the input repeats once, saying which record it repeats', () => {
    const plan = planImport([
      deployment(2, 'shop', BASE, { version: '1', id: 'deploy-000000000001' }),
      deployment(3, 'shop', BASE + 5n * S, { commitSha: 'a'.repeat(40), version: 'v1.0' }),
      { ...deployment(4, 'shop', BASE, { version: '1', id: 'deploy-000000000001' }), tag: 'x' },
      deployment(5, 'shop', BASE + 5n * S, { commitSha: 'a'.repeat(40), version: 'v1' }),
    ]);
    expect(plan.problems.count).toBe(0);
    expect(plan.records.map((record) => record.line)).toEqual([2, 3]);
    expect(plan.duplicates).toEqual([
      { line: 4, tag: 'x', id: 'deploy-000000000001', of: { line: 2 } },
      { line: 5, id: plan.records[1]?.id, of: { line: 3 } },
    ]);
  });

  it('spreads twenty thousand records of one second over as many seconds', () => {
    const records = Array.from({ length: 20_000 }, (_, index) =>
      deployment(index + 2, 'shop', BASE, { version: `${index}` }),
    );
    const plan = planImport(records);
    expect(new Set(plan.records.map((record) => second(record.finishedAt as bigint))).size).toBe(20_000);
    expect(plan.records.at(-1)?.movedSeconds).toBe(19_999);
  });
});
