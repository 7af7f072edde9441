import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { bytesInput, numbersAsText, parseRecords, type RecordFormat, recordFormat } from '../../src/import/parse.js';
import type { Problem } from '../../src/import/problems.js';
import { type ImportRecord, normalizeRecord, type RawRecord } from '../../src/import/record.js';
import { CSV_COLUMNS, meantRecord, writeFile } from './records.js';

async function read(text: string | Uint8Array, format: RecordFormat) {
  const records: ImportRecord[] = [];
  const raws: RawRecord[] = [];
  const ats: number[] = [];
  const problems: Problem[] = [];
  const reader = await parseRecords(bytesInput(typeof text === 'string' ? Buffer.from(text) : text), format, {
    record(raw, at) {
      raws.push(raw);
      ats.push(at);
      const normalized = normalizeRecord(raw);
      if (normalized.ok) records.push(normalized.record);
      else problems.push(normalized.problem);
    },
    problem: (problem) => problems.push(problem),
  });
  return { records, raws, ats, problems, reader };
}

const fileOf = (format: 'jsonl' | 'csv') =>
  fc
    .array(meantRecord, { minLength: 1, maxLength: 12 })
    .chain((records) =>
      fc.record({
        records: fc.constant(records),
        eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
        blanks: fc.array(fc.nat(2), { minLength: records.length, maxLength: records.length }),
        columns: fc.shuffledSubarray(CSV_COLUMNS, { minLength: CSV_COLUMNS.length }),
        bom: fc.boolean(),
      }),
    )
    .map(({ records, bom, ...options }) => {
      const file = writeFile(format, records, options);
      return { records, file: { ...file, text: (bom ? '\uFEFF' : '') + file.text } };
    });

describe('reading records', () => {
  it.each(['jsonl', 'csv'] as const)(
    '%s: generated records come back as they were meant, each with its first line',
    async (format) => {
      await fc.assert(
        fc.asyncProperty(fileOf(format), async ({ records, file }) => {
          const { records: read_, problems, raws, ats, reader } = await read(file.text, format);
          expect(problems).toEqual([]);
          // Read again, record by record: the same values.
          expect(ats.map((at) => reader.reread(at))).toEqual(raws.map((raw) => raw.values));
          expect(read_.map((record) => record.line)).toEqual(file.lines);
          expect(read_.map(({ kind, flags }) => ({ kind, flags }))).toEqual(
            records.map(({ kind, flags }) => ({ kind, flags })),
          );
        }),
        { numRuns: 150 },
      );
    },
  );

  it('reads a JSON Lines file larger than its window, a line longer than the window too, each line once', async () => {
    const lines = Array.from({ length: 3000 }, (_, index) =>
      JSON.stringify({ service: `svc-${index}`, version: 'v'.repeat(index % 700), finished_at: 1795687200 + index }),
    );
    lines.splice(1500, 0, JSON.stringify({ service: 'long', version: 'x'.repeat(2_500_000), finished_at: 1795687200 }));
    const text = `\uFEFF${lines.join('\n')}\n`;
    expect(text.length).toBeGreaterThan(3 << 20);
    const { records, raws, ats, problems, reader } = await read(text, 'jsonl');
    expect(problems).toEqual([]);
    expect(records.map((record) => record.line)).toEqual(lines.map((_, index) => index + 1));
    expect(records.map((record) => record.flags.service?.[0])).toEqual(lines.map((line) => JSON.parse(line).service));
    expect(ats.map((at) => reader.reread(at))).toEqual(raws.map((raw) => raw.values));
  });

  it('refuses a line over 4 MiB without reading it into memory, and reads on after it', async () => {
    const text = [
      JSON.stringify({ service: 'before', finished_at: 1795687200 }),
      JSON.stringify({ service: 'huge', version: 'x'.repeat(5 << 20), finished_at: 1795687200 }),
      JSON.stringify({ service: 'after', finished_at: 1795687200 }),
    ].join('\n');
    const { records, problems } = await read(text, 'jsonl');
    expect(problems).toEqual([{ line: 2, field: '(record)', reason: 'is longer than 4 MiB: no record is' }]);
    expect(records.map((record) => record.flags.service?.[0])).toEqual(['before', 'after']);
  });

  it('keeps the nanoseconds of a JSON number exactly (JSON.parse alone would round them)', async () => {
    const { records } = await read(
      '{"service":"shop","started_at":1693491974123456789,"finished_at":1693491974999999999}\n',
      'jsonl',
    );
    expect(Number('1693491974123456789').toString()).not.toBe('1693491974123456789');
    expect(records[0]?.flags).toMatchObject({ startedAt: '1693491974123456789', finishedAt: '1693491974999999999' });
  });

  it('reads a number as written wherever it is: a version 1.10 stays 1.10', async () => {
    const { records } = await read('{"service":"shop","version":1.10,"finished_at":1795687200}', 'jsonl');
    expect(records[0]?.flags.version).toBe('1.10');
  });

  it('numbersAsText turns exactly the numbers outside strings into strings of their text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const asText = (v: unknown): unknown =>
          typeof v === 'number'
            ? JSON.stringify(v)
            : Array.isArray(v)
              ? v.map(asText)
              : v !== null && typeof v === 'object'
                ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asText(x)]))
                : v;
        expect(JSON.parse(numbersAsText(text))).toEqual(asText(JSON.parse(text)));
      }),
    );
    expect(numbersAsText('{"a":"1,2","b":-0.5e-3,"c":"\\"7"}')).toBe('{"a":"1,2","b":"-0.5e-3","c":"\\"7"}');
  });

  it('leaves text that is not JSON not JSON', () => {
    for (const bad of ['{"a":01}', '{"a":1.}', '{"a":-}', '{"a":1 2}', '{"a":.5}']) {
      expect(() => JSON.parse(numbersAsText(bad)), bad).toThrow();
    }
  });

  it('names the line of a JSONL record that is not JSON and reads the others', async () => {
    const { records, problems } = await read(
      '{"service":"a","finished_at":1795687200}\n\n{"service":"b",\n[1]\n{"service":"c","finished_at":1795687201}\n',
      'jsonl',
    );
    expect(records.map((record) => [record.line, record.flags.service])).toEqual([
      [1, ['a']],
      [5, ['c']],
    ]);
    expect(problems.map(({ line, field }) => [line, field])).toEqual([
      [3, '(record)'],
      [4, '(record)'],
    ]);
    expect(problems[0]?.reason).toMatch(/not valid JSON/);
    expect(problems[1]?.reason).toMatch(/must be an object/);
  });

  it('CSV: a quoted cell holds commas, quotes and line breaks; the next record knows its line', async () => {
    const { records } = await read(
      'service,finished_at,custom_tags,version\r\nshop,1795687200,"team:a;note:x, y","multi\r\nline ""v"""\r\n\r\napi,1795687201,,\r\n',
      'csv',
    );
    expect(records).toEqual([
      {
        line: 2,
        kind: 'deployment',
        flags: {
          service: ['shop'],
          finishedAt: '1795687200',
          startedAt: '1795687200',
          customTags: ['team:a', 'note:x, y'],
          version: 'multi\r\nline "v"',
        },
        startFromFinish: true,
      },
      {
        line: 5,
        kind: 'deployment',
        flags: { service: ['api'], finishedAt: '1795687201', startedAt: '1795687201' },
        startFromFinish: true,
      },
    ]);
  });

  it('CSV: a row with the wrong number of cells is named by its line, and the rows after it are read', async () => {
    const { records, problems } = await read(
      'service,finished_at\nshop,1795687200\n"multi\nline",1,extra\nok,1795687201\n',
      'csv',
    );
    expect(problems).toEqual([{ line: 3, field: '(record)', reason: expect.stringMatching(/number of cells/) }]);
    expect(records.map((record) => record.line)).toEqual([2, 5]);
  });

  it('CSV: an unclosed quote is named at the line where its record starts', async () => {
    const { problems } = await read('service,finished_at\nshop,1795687200\n"open,1795687201\nmore\n', 'csv');
    expect(problems).toEqual([{ line: 3, field: '(record)', reason: 'opens a quote that is never closed' }]);
  });

  it('CSV: unknown and repeated columns are named on the header line, before any row is read', async () => {
    const { records, problems } = await read('\n\nservice,finished_at,colour,service\nshop,1,red,x\n', 'csv');
    expect(records).toEqual([]);
    expect(problems.map(({ line, field }) => [line, field])).toEqual([
      [3, 'column "colour"'],
      [3, 'column service'],
    ]);
  });

  it('refuses text that is not UTF-8: the JSON line, or the CSV file', async () => {
    const record = Buffer.from('{"service":"shop","finished_at":1795687200}\n');
    const latin1 = Buffer.from('{"service":"caf\u00e9","finished_at":1795687200}\n', 'latin1');
    const jsonl = await read(Buffer.concat([record, latin1, record]), 'jsonl');
    expect(jsonl.problems).toEqual([{ line: 2, field: '(record)', reason: expect.stringMatching(/not UTF-8/) }]);
    expect(jsonl.records.map((one) => one.line)).toEqual([1, 3]);
    const csv = await read(Buffer.from('service,finished_at\ncaf\u00e9,1\n', 'latin1'), 'csv');
    expect(csv.problems).toEqual([{ line: 1, field: '(file)', reason: expect.stringMatching(/not UTF-8/) }]);
  });
});

describe('recordFormat', () => {
  it('takes the format from --format, else the extension', () => {
    expect(recordFormat('h.jsonl')).toBe('jsonl');
    expect(recordFormat('h.NDJSON')).toBe('jsonl');
    expect(recordFormat('dir/h.csv')).toBe('csv');
    expect(recordFormat('h.txt', 'csv')).toBe('csv');
    expect(recordFormat('-', 'jsonl')).toBe('jsonl');
  });

  it('refuses stdin without --format, an unknown extension and an unknown format', () => {
    expect(() => recordFormat('-')).toThrow(/stdin needs --format/);
    expect(() => recordFormat('history.json')).toThrow(UsageError);
    expect(() => recordFormat('h.csv', 'xml')).toThrow(/--format must be jsonl or csv/);
  });
});
