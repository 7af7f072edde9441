/**
 * The journal of an import: the ids of the records Datadog acknowledged, one a line, each written as its
 * acknowledgement arrives. A run that was stopped, by Ctrl-C, a 5xx storm or a SIGKILL, is resumed by running it
 * again: what the journal holds is skipped. Each id is handed to the operating system with its own write, so a killed
 * process loses none that were written; the file is synced to disk at least once a second and at the end, so even a
 * machine that dies loses at most the last second (those records are sent again).
 *
 * A torn last line (the process died mid-write) has no newline: it is ignored, and cut off before the next run
 * appends. The first line says what the file is, so a mistyped --journal never appends ids to someone's data.
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

const HEADER = '# dora import journal: the ids of recorded events, one a line. Delete it to send everything again.';
/** How often, at most, the journal is synced to disk while ids arrive. */
const SYNC_EVERY_MS = 1000;
/** An id, and ` open` for an incident recorded without its finish. */
const ENTRY = /^[A-Za-z0-9\-_.:]{1,128}(?: open)?$/;

export type JournalSource = { kind: 'file'; path: string } | { kind: 'stdin' } | { kind: 'git-tags'; gitDir: string };

/**
 * Where the journal lives: `--journal` if given; else beside the input file (`deploys.jsonl.dora-journal`), or in
 * the checkout's git directory for --git-tags; none for stdin, which has no place of its own.
 */
export function journalPath(source: JournalSource, explicit?: string): string | undefined {
  if (explicit !== undefined) return explicit;
  if (source.kind === 'file') return join(dirname(source.path), `${basename(source.path)}.dora-journal`);
  if (source.kind === 'git-tags') return join(source.gitDir, 'dora-import.journal');
  return undefined;
}

/**
 * What the journal holds for a record. An open incident (recorded without its finish) is journalled apart
 * (`<id> open`): when a later file has it resolved, the resolution is still to send.
 */
export function journalEntry(id: string, openIncident: boolean): string {
  return openIncident ? `${id} open` : id;
}

/** Whether the journal says the record is recorded: its own entry, or, for an open incident, its resolution. */
export function isJournalled(entries: ReadonlySet<string>, id: string, openIncident: boolean): boolean {
  return entries.has(journalEntry(id, openIncident)) || entries.has(id);
}

/** The entries of the journal at `path`; none when it does not exist yet. */
export function readJournal(path: string): Set<string> {
  const text = journalText(path);
  const entries = new Set<string>();
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  for (const line of complete.split('\n')) if (ENTRY.test(line)) entries.add(line);
  return entries;
}

export interface JournalWriter {
  readonly path: string;
  /** Appends one entry and hands it to the operating system before returning. */
  add(entry: string): void;
  /** Syncs and closes; safe to call twice. */
  close(): void;
}

/** Opens the journal for appending, creating it with its header line. `nowMs`: a monotonic clock, for syncing. */
export function openJournal(path: string, nowMs: () => number): JournalWriter {
  const existing = journalText(path);
  let fd: number | undefined;
  try {
    // A torn last line goes: ended by the next write, it would read as an id that was never recorded.
    if (existing !== '' && !existing.endsWith('\n'))
      truncateSync(path, Buffer.byteLength(existing.slice(0, existing.lastIndexOf('\n') + 1)));
    fd = openSync(path, 'a');
  } catch (error) {
    throw new UsageError(
      `Cannot write the journal ${path}: ${(error as Error).message}. Choose another with --journal.`,
    );
  }
  const handle = fd;
  if (!existing.includes('\n')) writeSync(handle, `${HEADER}\n`);
  let syncedAt = nowMs();
  let open = true;
  return {
    path,
    add(entry) {
      writeSync(handle, `${entry}\n`);
      if (nowMs() - syncedAt >= SYNC_EVERY_MS) {
        fdatasyncSync(handle);
        syncedAt = nowMs();
      }
    },
    close() {
      if (!open) return;
      open = false;
      try {
        fdatasyncSync(handle);
      } finally {
        closeSync(handle);
      }
    },
  };
}

/**
 * The journal's text, checked to be one ('' when there is none yet). Only a regular file can be one: a device would
 * read without end (/dev/zero) or swallow every entry (/dev/null), and a pipe can be read only once.
 */
function journalText(path: string): string {
  let text: string;
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return '';
    if (!stat.isFile()) {
      throw new UsageError(
        `The journal ${path} is not a regular file (${stat.isDirectory() ? 'a folder' : 'a device or a pipe'}): ` +
          'give --journal the path of a file.',
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read the journal ${path}: ${(error as Error).message}`);
  }
  checkHeader(text, path);
  return text;
}

function checkHeader(text: string, path: string): void {
  // A header torn by a crash while it was written is still ours.
  if (text !== '' && !text.startsWith(HEADER.slice(0, 21)) && !HEADER.startsWith(text)) {
    throw new UsageError(
      `${path} exists and is not a dora import journal: give --journal a new path, or the journal of this import.`,
    );
  }
}
