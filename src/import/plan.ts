/**
 * The plan of an import: every record's id (see table.ts), the seconds records must move so Datadog keeps them all,
 * and the order they are sent in. Pure and deterministic: the same file gives the same plan, which is what lets a
 * second run recognise what the first one recorded.
 */
import { formatInstant } from '../time.js';
import type { ValidatedRecord, ValidEvent } from './event.js';
import { ProblemList, placeOf } from './problems.js';
import { type Duplicate, RecordTable } from './table.js';

const NS_PER_SECOND = 1_000_000_000n;

/** A record as it is sent: the checked event, with the plan's id and times. */
export interface PlannedRecord<E extends ValidEvent = ValidEvent> {
  line: number;
  tag?: string;
  /** The record's own id, or the one derived from what it records. */
  id: string;
  event: E;
  /** The times to send: the event's own, moved forward by `movedSeconds`. */
  startedAt: bigint;
  finishedAt?: bigint | undefined;
  movedSeconds: number;
}

/** A record moved to a free second, as the dry run and the summary list it (RFC 3339 finish times). */
export interface Move {
  line: number;
  /** For records made from git tags: the tag (messages name it; --json keeps to line, id, from, to). */
  tag?: string;
  id: string;
  from: string;
  to: string;
}

export interface Plan {
  /** Indices into the table, oldest first by finish time (file order among equals): the order they start in. */
  order: Uint32Array;
  moves: Move[];
  /** Records of an event an earlier record already holds: sent once. */
  duplicates: Duplicate[];
}

/** Two different events with one id, as problems of the input: one would overwrite the other. */
export function conflictProblems(table: RecordTable): ProblemList {
  const problems = new ProblemList();
  for (const conflict of table.conflicts) {
    problems.add({
      line: conflict.line,
      ...(conflict.tag !== undefined ? { tag: conflict.tag } : {}),
      field: 'id',
      reason: `${conflict.id} is also the id of ${placeOf(conflict.with)}, a different event: one would overwrite the other`,
    });
  }
  return problems;
}

/** What is known before planning: the seconds Datadog holds, and the records already recorded (by their id). */
export interface Recorded {
  /** Whether Datadog holds an event of stream `key` in `second`: a moved record must not land there. */
  held?: (key: string, second: number) => boolean;
  /** Whether record `index` was recorded before (the journal or Datadog has its id): it keeps its second. */
  known?: (index: number) => boolean;
}

/** Plans the records of a table (sealed here: no record is added after planning). */
export function planTable(table: RecordTable, recorded: Recorded = {}): Plan {
  table.seal();
  const moves = moveToFreeSeconds(table, recorded);
  const order = Uint32Array.from({ length: table.size }, (_, index) => index).sort(
    (a, b) => compare(table.finishOf(a), table.finishOf(b)) || table.line(a) - table.line(b),
  );
  return { order, moves, duplicates: table.duplicates };
}

/**
 * The plan of records given as objects, with their events, and the conflicts among them: for callers that hold them
 * anyway (and the tests). An import refuses the conflicts (conflictProblems) before it plans.
 */
export function planImport<E extends ValidEvent>(
  validated: readonly ValidatedRecord<E>[],
): Omit<Plan, 'order'> & { records: PlannedRecord<E>[]; problems: ProblemList } {
  const table = new RecordTable();
  for (const [at, record] of validated.entries()) table.add({ ...record, at });
  const problems = conflictProblems(table);
  const { order, ...plan } = planTable(table);
  const records = Array.from(order, (index) => plannedRecord(table, index, validated[table.at(index)]?.event as E));
  return { ...plan, records, problems };
}

/** Record `index` of a planned table as it is sent, with its checked event. */
export function plannedRecord<E extends ValidEvent>(table: RecordTable, index: number, event: E): PlannedRecord<E> {
  const tag = table.tag(index);
  const finishedAt = table.finishedAt(index);
  return {
    line: table.line(index),
    ...(tag !== undefined ? { tag } : {}),
    id: table.id(index),
    event,
    startedAt: table.startedAt(index),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    movedSeconds: table.movedSeconds(index),
  };
}

/**
 * Gives every record a second of its own per service and env: taken in order of their anchor (file order among
 * equals), those recorded before first, a record whose second an earlier one already holds moves forward by whole seconds, its start and finish
 * alike, to the first second no other record of that service and env holds or starts in.
 */
function moveToFreeSeconds(table: RecordTable, { held, known }: Recorded): Move[] {
  const secondOf = Float64Array.from({ length: table.size }, (_, index) => Number(table.anchor(index) / NS_PER_SECOND));
  // Seconds the records start in: a moved record must not land on one, or that record would have to move too.
  const original = new Map<string, Set<number>>();
  const taken = new Map<string, Set<number>>();
  const setOf = (map: Map<string, Set<number>>, key: string) => {
    let set = map.get(key);
    if (set === undefined) {
      set = new Set<number>();
      map.set(key, set);
    }
    return set;
  };
  for (let index = 0; index < table.size; index++) {
    for (const key of table.stream(index).keys) setOf(original, key).add(secondOf[index] as number);
  }
  // Records recorded before keep their seconds: they are placed first, and a new record that shares one moves (taking
  // it would put the new record on an event Datadog holds, or have it taken for that event and skipped).
  const isKnown = known ?? (() => false);
  const byAnchor = Uint32Array.from({ length: table.size }, (_, index) => index).sort(
    (a, b) =>
      Number(isKnown(b)) - Number(isKnown(a)) ||
      compare(table.anchor(a), table.anchor(b)) ||
      table.line(a) - table.line(b),
  );
  // Where the last search from a second ended: seconds before it stay taken, so a thousand records in one second
  // (a spreadsheet with dates only) cost a thousand steps, not half a million.
  const searchedTo = new Map<string, number>();
  const busy = (keys: readonly string[], at: number) =>
    keys.some((key) => taken.get(key)?.has(at) || original.get(key)?.has(at) || held?.(key, at) === true);
  const moves: Move[] = [];
  for (const index of byAnchor) {
    const { keys } = table.stream(index);
    const second = secondOf[index] as number;
    let target = second;
    if (keys.some((key) => taken.get(key)?.has(second))) {
      const from = `${keys.join('\u0001')}\u0002${second}`;
      target = Math.max(second + 1, searchedTo.get(from) ?? 0);
      while (busy(keys, target)) target++;
      searchedTo.set(from, target + 1);
    }
    for (const key of keys) setOf(taken, key).add(target);
    if (target === second) continue;
    const from = table.finishOf(index);
    table.move(index, target - second);
    const tag = table.tag(index);
    moves.push({
      line: table.line(index),
      ...(tag !== undefined ? { tag } : {}),
      id: table.id(index),
      from: formatInstant(from),
      to: formatInstant(table.finishOf(index)),
    });
  }
  return moves.sort((a, b) => a.line - b.line);
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
