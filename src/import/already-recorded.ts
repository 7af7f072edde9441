/**
 * Which records Datadog already holds, judged from what it lists for the import's services and time range (the
 * command lists; this file says what to list and reads the answer). A record is there when an event has its id, or
 * when an event of the same kind, service and env occupies its second: Datadog keeps one event of a service per
 * second, so sending it would replace that one. An incident to resolve is not there while Datadog has it open.
 */
import type { EventKind } from './record.js';
import { anchorOf, type RecordTable } from './table.js';

const NS_PER_SECOND = 1_000_000_000n;

/** An event as listed (the read verbs' EventRecord has these members). */
export interface RecordedEvent {
  kind: EventKind;
  id: string;
  services: readonly string[];
  env?: string;
  startedAt: bigint;
  finishedAt?: bigint | undefined;
}

/** One list call to make: the events of `kind` for a service (or a team-only incident's team) in [from, to]. */
export interface ListingQuery {
  kind: EventKind;
  service?: string;
  team?: string;
  /** RFC 3339, inclusive, whole seconds around every time the records are sent with. */
  from: string;
  to: string;
}

/**
 * The list calls that cover the records at `indices`: one per kind and service, over their times and `slackSeconds`
 * after them (where records may move to).
 */
export function listingQueries(table: RecordTable, indices: Iterable<number>, slackSeconds = 0): ListingQuery[] {
  const ranges = new Map<string, { kind: EventKind; service?: string; team?: string; from: bigint; to: bigint }>();
  for (const index of indices) {
    const { kind, services, team } = table.stream(index);
    const from = table.startedAt(index);
    const to = table.finishOf(index);
    const targets: Array<{ service?: string; team?: string }> =
      services.length > 0 ? services.map((service) => ({ service })) : team ? [{ team }] : [];
    for (const target of targets) {
      const key = `${kind}\u0000${target.service ?? ''}\u0000${target.team ?? ''}`;
      const range = ranges.get(key);
      if (!range) ranges.set(key, { kind, ...target, from, to });
      else {
        if (from < range.from) range.from = from;
        if (to > range.to) range.to = to;
      }
    }
  }
  return [...ranges.values()].map(({ from, to, ...target }) => ({
    ...target,
    from: secondsIso(floorSecond(from)),
    to: secondsIso(floorSecond(to) + NS_PER_SECOND * BigInt(1 + slackSeconds)),
  }));
}

/** The seconds Datadog holds, per service stream (`kind, service, env`, as RecordTable's stream keys). */
export function heldSeconds(listed: readonly RecordedEvent[]): (key: string, second: number) => boolean {
  const held = new Set<string>();
  for (const event of listed)
    for (const key of secondKeys(event.kind, event.services, event.env, anchorOf(event))) held.add(key);
  return (key, second) => held.has(`${key}\u0000${second}`);
}

/**
 * The records at `indices` that Datadog already holds (as table indices). `listed`: every event the listing calls
 * returned (duplicates are harmless).
 */
export function alreadyRecorded(
  table: RecordTable,
  indices: ArrayLike<number> & Iterable<number>,
  listed: readonly RecordedEvent[],
): Set<number> {
  // Whether something holds the id / the second, and whether that something is finished (an incident resolved).
  const byId = new Map<string, boolean>();
  const bySecond = new Map<string, boolean>();
  // An event that is one of these records (by id) holds its second for that record only: another record of the input
  // in that second was moved past it, and is no repeat of it.
  const ours = new Set(Array.from(indices, (index) => table.id(index)));
  for (const event of listed) {
    const finished = event.finishedAt !== undefined;
    byId.set(event.id, (byId.get(event.id) ?? false) || finished);
    if (ours.has(event.id)) continue;
    for (const key of secondKeys(event.kind, event.services, event.env, anchorOf(event))) {
      bySecond.set(key, (bySecond.get(key) ?? false) || finished);
    }
  }
  const found = new Set<number>();
  for (const index of indices) {
    const { kind, services, env } = table.stream(index);
    // An incident this file resolves is still to send while Datadog holds it open.
    const resolving = kind === 'incident' && table.finishedAt(index) !== undefined;
    const covers = (finished: boolean | undefined) => finished !== undefined && (finished || !resolving);
    const keys = secondKeys(kind, services, env, table.anchor(index));
    if (covers(byId.get(table.id(index))) || keys.some((key) => covers(bySecond.get(key)))) found.add(index);
  }
  return found;
}

function secondKeys(kind: EventKind, services: readonly string[], env: string | undefined, anchor: bigint): string[] {
  const second = anchor / NS_PER_SECOND;
  return services.map((service) => `${kind}\u0000${service}\u0000${env ?? ''}\u0000${second}`);
}

function floorSecond(ns: bigint): bigint {
  return ns - (((ns % NS_PER_SECOND) + NS_PER_SECOND) % NS_PER_SECOND);
}

function secondsIso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace('.000Z', 'Z');
}
