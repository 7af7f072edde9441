/**
 * The plan of an import: every record's id, the seconds records must move so Datadog keeps them all, and the order
 * they are sent in. Pure and deterministic: the same file gives the same plan, which is what lets a second run
 * recognise what the first one recorded.
 */
import { createHash } from 'node:crypto';
import { formatInstant } from '../time.js';
import type { ValidatedRecord, ValidEvent } from './event.js';
import { ProblemList, placeOf } from './problems.js';

const NS_PER_SECOND = 1_000_000_000n;

export interface PlannedRecord<E extends ValidEvent = ValidEvent> {
  line: number;
  tag?: string;
  /** The record's own id, or the one derived from what it records. */
  id: string;
  event: E;
  /** The times to send: the event's own, moved forward by `movedSeconds`. */
  startedAt: bigint;
  finishedAt?: bigint;
  movedSeconds: number;
}

/** A record moved to a free second, as the dry run and the summary list it (RFC 3339 finish times). */
export interface Move {
  line: number;
  id: string;
  from: string;
  to: string;
}

/** A record left out because an earlier one records the same event. */
export interface Duplicate {
  line: number;
  tag?: string;
  id: string;
  of: { line: number; tag?: string };
}

export interface Plan<E extends ValidEvent> {
  /** Oldest first by finish time (file order among equals): the order they are started in. */
  records: PlannedRecord<E>[];
  moves: Move[];
  /** Records of an event an earlier record already holds (same kind, services, env, time, commit or version). */
  duplicates: Duplicate[];
  /** Two different events with one id: one would overwrite the other, so the input is refused as for invalid records. */
  problems: ProblemList;
}

/**
 * The second a record occupies for its services and env. Datadog keeps one event of a service per second: a
 * deployment by its finish; an incident by its start, since a failure is matched by services, env and start.
 */
export function anchorOf(event: ValidEvent): bigint {
  return event.kind === 'deployment' ? (event.finishedAt ?? event.startedAt) : event.startedAt;
}

/** The time records are ordered by, and moves are reported in: the finish, or an open incident's start. */
export function finishOf(event: { startedAt: bigint; finishedAt?: bigint }): bigint {
  return event.finishedAt ?? event.startedAt;
}

/**
 * The id of a record that gives none, from what it records: kind, service(s) (or the team of a team-only incident),
 * env, the anchor time and the commit (else the version). The same record imported twice, from any machine, gets the
 * same id; the time is the record's own, before any move, so a later file that adds records keeps the old ids.
 * `import-` and 32 hex digits: inside the API's 16–128 characters of [A-Za-z0-9-_.:].
 */
export function derivedId(event: ValidEvent): string {
  const services = [...new Set(event.services)].sort();
  const identity = [
    event.kind,
    services,
    services.length === 0 ? (event.team ?? null) : null,
    event.env ?? null,
    anchorOf(event).toString(),
    event.commitSha?.toLowerCase() ?? event.version ?? null,
  ];
  return `import-${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32)}`;
}

export function planImport<E extends ValidEvent>(validated: readonly ValidatedRecord<E>[]): Plan<E> {
  const problems = new ProblemList();
  const firstWithId = new Map<string, ValidatedRecord<E>>();
  const records: PlannedRecord<E>[] = [];
  const duplicates: Duplicate[] = [];
  for (const record of validated) {
    const id = record.event.id ?? derivedId(record.event);
    const earlier = firstWithId.get(id);
    const where = { line: record.line, ...(record.tag !== undefined ? { tag: record.tag } : {}) };
    // The same event twice (two tags on one commit, a line pasted twice): sent once.
    if (earlier && derivedId(earlier.event) === derivedId(record.event)) {
      duplicates.push({
        ...where,
        id,
        of: { line: earlier.line, ...(earlier.tag !== undefined ? { tag: earlier.tag } : {}) },
      });
      continue;
    }
    if (earlier) {
      problems.add({
        ...where,
        field: 'id',
        reason: `${id} is also the id of ${placeOf(earlier)}, a different event: one would overwrite the other`,
      });
      continue;
    }
    firstWithId.set(id, record);
    records.push({
      line: record.line,
      ...(record.tag !== undefined ? { tag: record.tag } : {}),
      id,
      event: record.event,
      startedAt: record.event.startedAt,
      ...(record.event.finishedAt !== undefined ? { finishedAt: record.event.finishedAt } : {}),
      movedSeconds: 0,
    });
  }
  const moves = moveToFreeSeconds(records);
  records.sort((a, b) => compare(finishOf(a), finishOf(b)) || a.line - b.line);
  return { records, moves, duplicates, problems };
}

/**
 * Gives every record a second of its own per service and env: taken in order of their anchor (file order among
 * equals), a record whose second an earlier one already holds moves forward by whole seconds, its start and finish
 * alike, to the first second no other record of that service and env holds or starts in.
 */
function moveToFreeSeconds(records: PlannedRecord[]): Move[] {
  const keysOf = (record: PlannedRecord) =>
    record.event.services.map((service) => `${record.event.kind}\u0000${service}\u0000${record.event.env ?? ''}`);
  const secondOf = (record: PlannedRecord) => Number(anchorOf(record.event) / NS_PER_SECOND);
  // Seconds the file's records start in: a moved record must not land on one, or that record would have to move too.
  const original = new Map<string, Set<number>>();
  const taken = new Map<string, Set<number>>();
  const setOf = (map: Map<string, Set<number>>, key: string) => {
    const set = map.get(key) ?? new Set<number>();
    map.set(key, set);
    return set;
  };
  for (const record of records) for (const key of keysOf(record)) setOf(original, key).add(secondOf(record));

  const byAnchor = [...records].sort((a, b) => compare(anchorOf(a.event), anchorOf(b.event)) || a.line - b.line);
  // Where the last search from a second ended: seconds before it stay taken, so a thousand records in one second
  // (a spreadsheet with dates only) cost a thousand steps, not half a million.
  const searchedTo = new Map<string, number>();
  const moves: Move[] = [];
  for (const record of byAnchor) {
    const keys = keysOf(record);
    const second = secondOf(record);
    const busy = (at: number) => keys.some((key) => taken.get(key)?.has(at) || original.get(key)?.has(at));
    let target = second;
    if (keys.some((key) => taken.get(key)?.has(second))) {
      const from = `${keys.join('\u0001')}\u0002${second}`;
      target = Math.max(second + 1, searchedTo.get(from) ?? 0);
      while (busy(target)) target++;
      searchedTo.set(from, target + 1);
    }
    for (const key of keys) setOf(taken, key).add(target);
    if (target === second) continue;
    const shift = BigInt(target - second) * NS_PER_SECOND;
    const from = finishOf(record);
    record.movedSeconds = target - second;
    record.startedAt += shift;
    if (record.finishedAt !== undefined) record.finishedAt += shift;
    moves.push({ line: record.line, id: record.id, from: formatInstant(from), to: formatInstant(finishOf(record)) });
  }
  return moves.sort((a, b) => a.line - b.line);
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
