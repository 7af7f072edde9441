/**
 * The records of an import, held in columns: what planning, skipping and ordering need, and nothing else. A checked
 * event (the input core's object, with everything its body needs) is not kept: the record is read and checked again
 * when it is sent. An import of 100,000 records then holds a few megabytes of numbers and ids instead of 100,000
 * objects, and Node's heap, which grows to a multiple of what it holds, stays small (scripts/bench-import.mjs).
 */
import { hash } from 'node:crypto';
import type { ValidEvent } from './event.js';
import type { EventKind } from './record.js';

/** What records of one kind, service(s), env (and team, without services) share: interned once per import. */
export interface Stream {
  kind: EventKind;
  services: readonly string[];
  env?: string;
  /** A team-only incident's team. */
  team?: string;
  /** `kind`, service and env, one key per service: the seconds a record holds are counted per key. */
  keys: readonly string[];
}

/** A record entered in the table: where it is and what was checked. */
export interface TableEntry {
  line: number;
  tag?: string;
  /** Where its source holds it, to read it again when it is sent. */
  at: number;
  event: ValidEvent;
}

/** A record left out because an earlier one records the same event. */
export interface Duplicate {
  line: number;
  tag?: string;
  id: string;
  of: { line: number; tag?: string | undefined };
}

/** Two different events with one id. */
export interface Conflict {
  line: number;
  tag?: string;
  id: string;
  with: { line: number; tag?: string | undefined };
}

/**
 * The id of a record that gives none, from what it records: kind, service(s) (or the team of a team-only incident),
 * env, the anchor time and the commit (else the version). The same record imported twice, from any machine, gets the
 * same id; the time is the record's own, before any move, so a later file that adds records keeps the old ids.
 * `import-` and 32 hex digits: inside the API's 16–128 characters of [A-Za-z0-9-_.:].
 */
export function derivedId(event: ValidEvent): string {
  const services = event.services.length === 1 ? event.services : [...new Set(event.services)].sort();
  const identity = [
    event.kind,
    services,
    services.length === 0 ? (event.team ?? null) : null,
    event.env ?? null,
    anchorOf(event).toString(),
    event.commitSha?.toLowerCase() ?? event.version ?? null,
  ];
  const digest = hash('sha256', JSON.stringify(identity), 'buffer');
  // Written into one buffer and read out as one string: a slice of the hex digest joined to the prefix would keep
  // the whole digest and two string headers alive per record, twice the memory of the id itself.
  const id = Buffer.allocUnsafe(ID_PREFIX.length + 32);
  id.write(ID_PREFIX, 0, 'latin1');
  id.write(digest.toString('hex', 0, 16), ID_PREFIX.length, 'latin1');
  return id.toString('latin1');
}

const ID_PREFIX = 'import-';

/**
 * The second a record occupies for its services and env. Datadog keeps one event of a service per second: a
 * deployment by its finish; an incident by its start, since a failure is matched by services, env and start.
 */
export function anchorOf(event: { kind: EventKind; startedAt: bigint; finishedAt?: bigint | undefined }): bigint {
  return event.kind === 'deployment' ? (event.finishedAt ?? event.startedAt) : event.startedAt;
}

const INITIAL = 1024;

export class RecordTable {
  size = 0;
  readonly streams: Stream[] = [];
  readonly duplicates: Duplicate[] = [];
  readonly conflicts: Conflict[] = [];
  private readonly ids: string[] = [];
  private tags: Array<string | undefined> | undefined;
  private lines = new Int32Array(INITIAL);
  private ats = new Float64Array(INITIAL);
  private streamOf = new Int32Array(INITIAL);
  private started = new BigInt64Array(INITIAL);
  private finished = new BigInt64Array(INITIAL);
  private open = new Uint8Array(INITIAL);
  private moved = new Int32Array(INITIAL);
  /** While records are added: which record holds each id, and, for ids the records gave, what they record. */
  private seen: Map<string, number> | undefined = new Map();
  /** While records are added: the records that gave an id of their own, by what they record (their derived id). */
  private givenByDerived: Map<string, number> | undefined = new Map();
  private givenIdentity: Map<number, string> | undefined = new Map();
  private readonly streamIndex = new Map<string, number>();

  /** Enters a record, unless an earlier one records the same event (a duplicate) or holds its id (a conflict). */
  add(entry: TableEntry): void {
    const { event } = entry;
    const seen = this.seen;
    const givenIdentity = this.givenIdentity;
    const givenByDerived = this.givenByDerived;
    if (!seen || !givenIdentity || !givenByDerived) {
      throw new Error('the table is sealed: records are added before planning');
    }
    const derived = derivedId(event);
    const id = event.id ?? derived;
    const where = { line: entry.line, ...(entry.tag !== undefined ? { tag: entry.tag } : {}) };
    const placeOf = (index: number): { line: number; tag?: string } => {
      const tag = this.tag(index);
      return tag === undefined ? { line: this.line(index) } : { line: this.line(index), tag };
    };
    const byId = seen.get(id);
    if (byId !== undefined && (givenIdentity.get(byId) ?? this.ids[byId]) !== derived) {
      this.conflicts.push({ ...where, id, with: placeOf(byId) });
      return;
    }
    // The same event said again, with its own id or without: found by what it records, not only by its id.
    const same = byId ?? givenByDerived.get(derived) ?? (event.id !== undefined ? seen.get(derived) : undefined);
    if (same !== undefined) {
      if (this.open[same] === 1 && event.kind === 'incident' && event.finishedAt !== undefined) {
        // The incident opened earlier in the input is resolved here: the resolution is what is sent.
        this.duplicates.push({ ...placeOf(same), id: this.id(same), of: where });
        this.lines[same] = entry.line;
        this.ats[same] = entry.at;
        if (entry.tag !== undefined) {
          this.tags ??= [];
          this.tags[same] = entry.tag;
        }
        this.finished[same] = event.finishedAt;
        this.open[same] = 0;
      } else this.duplicates.push({ ...where, id, of: placeOf(same) });
      return;
    }
    if (this.size === this.lines.length) this.grow();
    const index = this.size++;
    seen.set(id, index);
    if (event.id !== undefined) {
      givenIdentity.set(index, derived);
      givenByDerived.set(derived, index);
    }
    this.ids.push(id);
    if (entry.tag !== undefined) {
      this.tags ??= [];
      this.tags[index] = entry.tag;
    }
    this.lines[index] = entry.line;
    this.ats[index] = entry.at;
    this.streamOf[index] = this.streamFor(event);
    this.started[index] = event.startedAt;
    this.finished[index] = event.finishedAt ?? event.startedAt;
    this.open[index] = event.finishedAt === undefined ? 1 : 0;
  }

  /** Done adding: the id index goes, only the columns stay. */
  seal(): void {
    this.seen = undefined;
    this.givenIdentity = undefined;
    this.givenByDerived = undefined;
  }

  id(index: number): string {
    return this.ids[index] as string;
  }

  line(index: number): number {
    return this.lines[index] as number;
  }

  tag(index: number): string | undefined {
    return this.tags?.[index];
  }

  at(index: number): number {
    return this.ats[index] as number;
  }

  stream(index: number): Stream {
    return this.streams[this.streamOf[index] as number] as Stream;
  }

  /** The start to send: the record's own, moved with it. */
  startedAt(index: number): bigint {
    return this.started[index] as bigint;
  }

  /** The finish to send; undefined for an open incident. */
  finishedAt(index: number): bigint | undefined {
    return this.open[index] ? undefined : (this.finished[index] as bigint);
  }

  /** The finish, or an open incident's start: what records are ordered by. */
  finishOf(index: number): bigint {
    return this.finished[index] as bigint;
  }

  movedSeconds(index: number): number {
    return this.moved[index] as number;
  }

  /** Moves a record forward by whole seconds, its start and finish alike. */
  move(index: number, seconds: number): void {
    const shift = BigInt(seconds) * 1_000_000_000n;
    this.moved[index] = (this.moved[index] as number) + seconds;
    this.started[index] = (this.started[index] as bigint) + shift;
    this.finished[index] = (this.finished[index] as bigint) + shift;
  }

  /** The anchor as sent (see anchorOf). */
  anchor(index: number): bigint {
    return this.stream(index).kind === 'deployment' ? this.finishOf(index) : this.startedAt(index);
  }

  private streamFor(event: ValidEvent): number {
    const team = event.services.length === 0 ? event.team : undefined;
    const key = `${event.kind}\u0000${event.services.join('\u0001')}\u0000${event.env ?? ''}\u0000${team ?? ''}`;
    const known = this.streamIndex.get(key);
    if (known !== undefined) return known;
    const index = this.streams.length;
    this.streams.push({
      kind: event.kind,
      services: [...event.services],
      ...(event.env !== undefined ? { env: event.env } : {}),
      ...(team !== undefined ? { team } : {}),
      keys: event.services.map((service) => `${event.kind}\u0000${service}\u0000${event.env ?? ''}`),
    });
    this.streamIndex.set(key, index);
    return index;
  }

  private grow(): void {
    const size = this.lines.length * 2;
    const grown = <T extends { length: number; set(source: T): void }>(old: T, make: (n: number) => T) => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.lines = grown(this.lines, (n) => new Int32Array(n));
    this.ats = grown(this.ats, (n) => new Float64Array(n));
    this.streamOf = grown(this.streamOf, (n) => new Int32Array(n));
    this.started = grown(this.started, (n) => new BigInt64Array(n));
    this.finished = grown(this.finished, (n) => new BigInt64Array(n));
    this.open = grown(this.open, (n) => new Uint8Array(n));
    this.moved = grown(this.moved, (n) => new Int32Array(n));
  }
}
