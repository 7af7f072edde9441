import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { isJournalled, journalEntry, journalPath, openJournal, readJournal } from '../../src/import/journal.js';

const dir = () => mkdtempSync(join(tmpdir(), 'dora-journal-'));
const ID = (n: number) => `import-${String(n).padStart(32, '0')}`;
const now = () => 0;

describe('the journal', () => {
  it('lives beside the input, in the git directory for tags, nowhere for stdin unless given', () => {
    expect(journalPath({ kind: 'file', path: 'history/deploys.jsonl' })).toBe('history/deploys.jsonl.dora-journal');
    expect(journalPath({ kind: 'git-tags', gitDir: '/repo/.git' })).toBe('/repo/.git/dora-import.journal');
    expect(journalPath({ kind: 'stdin' })).toBeUndefined();
    expect(journalPath({ kind: 'stdin' }, 'mine.journal')).toBe('mine.journal');
    expect(journalPath({ kind: 'file', path: 'a.csv' }, '/tmp/j')).toBe('/tmp/j');
  });

  it('holds each id on disk as soon as it is added, before it is closed', () => {
    const path = join(dir(), 'j');
    const journal = openJournal(path, now);
    journal.add(ID(1));
    // What another process (the next run, after a SIGKILL of this one) would read now.
    expect(readJournal(path)).toEqual(new Set([ID(1)]));
    journal.add(ID(2));
    expect(readJournal(path)).toEqual(new Set([ID(1), ID(2)]));
    journal.close();
    journal.close();
  });

  it('resumes: a second run appends to what the first wrote', () => {
    const path = join(dir(), 'j');
    const first = openJournal(path, now);
    first.add(ID(1));
    first.close();
    const second = openJournal(path, now);
    second.add(ID(2));
    second.close();
    expect(readJournal(path)).toEqual(new Set([ID(1), ID(2)]));
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('#')),
    ).toHaveLength(1);
  });

  it('ignores a torn last line, and starts the next id on a line of its own', () => {
    const path = join(dir(), 'j');
    const first = openJournal(path, now);
    first.add(ID(1));
    first.close();
    // A run killed in the middle of writing an id: half of it, no newline.
    appendFileSync(path, ID(2).slice(0, 20));
    expect(readJournal(path)).toEqual(new Set([ID(1)]));
    const second = openJournal(path, now);
    second.add(ID(3));
    second.close();
    expect(readJournal(path)).toEqual(new Set([ID(1), ID(3)]));
  });

  it('reads a missing journal as empty, and never appends to a file that is not a journal', () => {
    const folder = dir();
    expect(readJournal(join(folder, 'none'))).toEqual(new Set());
    const data = join(folder, 'deploys.jsonl');
    writeFileSync(data, '{"service":"shop"}\n');
    expect(() => readJournal(data)).toThrow(UsageError);
    expect(() => openJournal(data, now)).toThrow(/not a dora import journal/);
    expect(readFileSync(data, 'utf8')).toBe('{"service":"shop"}\n');
  });

  it('refuses a journal it cannot create, before anything is sent', () => {
    expect(() => openJournal(join(dir(), 'missing-folder', 'j'), now)).toThrow(/Cannot write the journal/);
  });

  it.each(['/dev/zero', '/dev/full', '/dev/null'])(
    'refuses %s as a journal: a device reads without end or swallows every entry',
    (device) => {
      expect(() => readJournal(device)).toThrow(/is not a regular file \(a device or a pipe\)/);
      expect(() => openJournal(device, now)).toThrow(/give --journal the path of a file/);
    },
  );

  it('refuses a folder as a journal', () => {
    expect(() => readJournal(dir())).toThrow(/is not a regular file \(a folder\)/);
  });

  it('keeps an open incident apart from its resolution', () => {
    expect(journalEntry(ID(9), true)).toBe(`${ID(9)} open`);
    expect(journalEntry(ID(9), false)).toBe(ID(9));
    // Recorded open: the open one is done, the resolution is still to send.
    expect(isJournalled(new Set([`${ID(9)} open`]), ID(9), true)).toBe(true);
    expect(isJournalled(new Set([`${ID(9)} open`]), ID(9), false)).toBe(false);
    // Recorded resolved: sending it open again would be a step back.
    expect(isJournalled(new Set([ID(9)]), ID(9), true)).toBe(true);
    expect(isJournalled(new Set([ID(1)]), ID(1), false)).toBe(true);
  });
});
