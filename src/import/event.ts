/**
 * What the import needs from a checked record. Checking is not done here: the command injects `validate`, built on
 * the same input core as `dora deployment` / `dora incident`, so a record is held to exactly the rules of the flags.
 * Whatever else the core returns rides along in `E` to the request body; the import reads only these members.
 */
import type { EventKind, ImportRecord } from './record.js';

export interface ValidEvent {
  kind: EventKind;
  /** A deployment's one service, or an incident's services (none when it names only a team). */
  services: readonly string[];
  team?: string | undefined;
  env?: string | undefined;
  version?: string | undefined;
  commitSha?: string | undefined;
  /** The record's own id, checked; undefined when it gave none (the import derives one). */
  id?: string | undefined;
  startedAt: bigint;
  /** Always set for deployments; an incident without it is open. */
  finishedAt?: bigint | undefined;
}

/** `field` names the member as the record does (`finished_at`); see memberOf for option names. */
export type Validation<E> = { ok: true; event: E } | { ok: false; field: string; reason: string };

export type Validate<E extends ValidEvent> = (record: ImportRecord) => Validation<E>;

/** A record that passed validation, where it came from, and what was checked. */
export interface ValidatedRecord<E extends ValidEvent> {
  line: number;
  tag?: string;
  event: E;
}
