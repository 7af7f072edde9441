/**
 * Reading a records file: JSON Lines (`.jsonl`, `.ndjson`: one JSON object a line, blank lines skipped) or CSV
 * (`.csv`: RFC 4180, the header row is line 1, `services` and `custom_tags` separate their items with `;`). Each
 * record keeps the line it starts on, so every message can point into the file. A line that cannot be read becomes a
 * problem of that line; the rest are still read, so one run lists every bad line.
 */
import { isUtf8 } from 'node:buffer';
import { UsageError } from '../errors.js';
import { echoValue } from '../output/credential.js';
import type { Problem } from './problems.js';
import { type RawRecord, RECORD_MEMBERS } from './record.js';

export type RecordFormat = 'jsonl' | 'csv';

const FORMATS: Record<string, RecordFormat> = { jsonl: 'jsonl', ndjson: 'jsonl', csv: 'csv' };

/** The format named by --format, else by the file's extension; stdin (`-`) needs --format. */
export function recordFormat(source: string, format?: string): RecordFormat {
  if (format !== undefined) {
    const named = FORMATS[format.trim().toLowerCase()];
    if (!named) throw new UsageError(`--format must be jsonl or csv, not ${echoValue(format)}.`);
    return named;
  }
  if (source === '-') throw new UsageError('Reading records from stdin needs --format jsonl or --format csv.');
  const extension = /\.([A-Za-z0-9]+)$/.exec(source)?.[1]?.toLowerCase();
  const known = extension === undefined ? undefined : FORMATS[extension];
  if (!known) {
    throw new UsageError(
      `Cannot tell the format of ${source} from its name: name it .jsonl, .ndjson or .csv, or give --format jsonl|csv.`,
    );
  }
  return known;
}

export interface RecordVisitor {
  /** `at`: where the input holds the record, to read it again (see RecordReader). */
  record(record: RawRecord, at: number): void;
  problem(problem: Problem): void;
}

/** Reads a record of the input again, by the `at` it was visited with: the import keeps where, not what. */
export interface RecordReader {
  /** The record's values, as they were read the first time. */
  reread(at: number): unknown;
}

/** Where records are read from: a file (through its descriptor), or the bytes stdin gave. */
export interface RecordInput {
  readonly size: number;
  /** Bytes [start, end). */
  range(start: number, end: number): Uint8Array;
}

/** Bytes in memory as a RecordInput. */
export function bytesInput(bytes: Uint8Array): RecordInput {
  return { size: bytes.length, range: (start, end) => bytes.subarray(start, end) };
}

/**
 * Reads every record of `input` in order, handing each record, or the problem of its line, to `visit`; then reads
 * any of them again on demand, from `input`.
 */
export async function parseRecords(
  input: RecordInput,
  format: RecordFormat,
  visit: RecordVisitor,
): Promise<RecordReader> {
  return format === 'csv' ? parseCsv(input, visit) : parseJsonLines(input, visit);
}

/** Where each record is: its start and end byte offsets, in columns that grow as records are read. */
class Spans {
  private starts = new Float64Array(1024);
  private ends = new Float64Array(1024);
  private size = 0;

  add(start: number, end: number): number {
    if (this.size === this.starts.length) {
      const starts = new Float64Array(this.size * 2);
      const ends = new Float64Array(this.size * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.size] = start;
    this.ends[this.size] = end;
    return this.size++;
  }

  of(at: number): { start: number; end: number } {
    if (!(at >= 0 && at < this.size)) throw new Error(`no record ${at} in this input`);
    return { start: this.starts[at] as number, end: this.ends[at] as number };
  }
}

/**
 * A reader of the records at `spans` of `input`; built apart from the parsers so that its closures hold nothing of
 * theirs (a closure keeps every variable its scope shares with other closures, a whole file's bytes included).
 */
function spanReader(spans: Spans, input: RecordInput, decode: (bytes: Buffer) => unknown): RecordReader {
  return {
    reread(at) {
      const { start, end } = spans.of(at);
      return decode(asBuffer(input.range(start, end)));
    },
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** How much of a JSON Lines input is read at a time: a file is never held whole, nor as one string. */
const WINDOW = 1 << 20;

/** A record's line is a few hundred bytes; one over this is no record, and is not read whole. */
const MAX_LINE = 4 << 20;

/**
 * Each line of `input` (without its newline) with its byte offsets, read a window at a time; a line longer than
 * MAX_LINE comes without its bytes (`tooLong`), skipped rather than read into memory.
 */
function* linesOf(input: RecordInput): Generator<{ start: number; end: number; bytes?: Buffer; tooLong?: true }> {
  let offset = 0;
  while (offset < input.size) {
    const chunk = asBuffer(input.range(offset, Math.min(input.size, offset + WINDOW)));
    const last = offset + chunk.length >= input.size;
    let lineStart = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, lineStart)) {
      yield { start: offset + lineStart, end: offset + newline, bytes: chunk.subarray(lineStart, newline) };
      lineStart = newline + 1;
    }
    if (last) {
      if (lineStart < chunk.length) {
        yield { start: offset + lineStart, end: offset + chunk.length, bytes: chunk.subarray(lineStart) };
      }
      return;
    }
    if (lineStart > 0) {
      offset += lineStart;
      continue;
    }
    // A window without a newline: a line longer than the window. Read on to its end without keeping it.
    const start = offset;
    let end = offset + chunk.length;
    for (;;) {
      const more = asBuffer(input.range(end, Math.min(input.size, end + WINDOW)));
      const newline = more.indexOf(0x0a);
      if (newline !== -1 || end + more.length >= input.size) {
        end = newline === -1 ? end + more.length : end + newline;
        break;
      }
      end += more.length;
    }
    if (end - start > MAX_LINE) yield { start, end, tooLong: true };
    else yield { start, end, bytes: asBuffer(input.range(start, end)) };
    offset = end + 1;
  }
}

function parseJsonLines(input: RecordInput, visit: RecordVisitor): RecordReader {
  const spans = new Spans();
  let line = 0;
  for (const { start, end, bytes, tooLong } of linesOf(input)) {
    line++;
    if (tooLong || !bytes) {
      visit.problem({ line, field: '(record)', reason: `is longer than ${MAX_LINE / (1 << 20)} MiB: no record is` });
      continue;
    }
    // A byte order mark at the start of the file is not part of the first line.
    const bom = start === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    // Lines split at a newline byte, which no multi-byte UTF-8 sequence holds: each line is checked alone.
    if (!isUtf8(bytes)) {
      visit.problem({ line, field: '(record)', reason: NOT_UTF8 });
      continue;
    }
    const content = bytes.toString('utf8', bom);
    if (content.trim() === '') continue;
    let values: unknown;
    try {
      values = JSON.parse(numbersAsText(content));
    } catch {
      visit.problem({ line, field: '(record)', reason: `is not valid JSON (${jsonError(content)})` });
      continue;
    }
    visit.record({ line, values }, spans.add(start + bom, end));
  }
  return spanReader(spans, input, (bytes) => JSON.parse(numbersAsText(bytes.toString('utf8'))));
}

/** A file in another encoding is refused, not read as replacement characters. */
const NOT_UTF8 = 'is not UTF-8 text: convert it first (iconv -t UTF-8)';

/** The message of JSON.parse for the line as written (positions then point into the user's own text). */
function jsonError(content: string): string {
  try {
    JSON.parse(content);
    return 'a number where a name belongs';
  } catch (error) {
    return (error as Error).message;
  }
}

/** A JSON number token, tried only where a value may start outside strings. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The JSON text with every number outside strings turned into a string of its own digits, so that JSON.parse keeps
 * them exactly: `1693491974123456789` stays that, where a JS number would read `…800`, and a version written `1.10`
 * stays `1.10`. Only whole number tokens are quoted, so text that was not JSON stays not JSON. (Node 20 has no
 * JSON.parse source access; this is the one place numbers are read.)
 */
export function numbersAsText(json: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, stepping over escapes.
      i++;
      while (i < json.length) {
        const d = json.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else {
          i++;
          if (d === 0x22) break;
        }
      }
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(json);
      if (match) {
        out += `${json.slice(copied, i)}"${match[0]}"`;
        i += match[0].length;
        copied = i;
        continue;
      }
    }
    i++;
  }
  return copied === 0 ? json : out + json.slice(copied);
}

/** Columns whose cells hold several items, separated by `;`. */
const LIST_COLUMNS = new Set(['services', 'custom_tags']);
/** What a CSV header may name: the record fields, except `git` (an object; CSV has git_repository_url/_commit_sha). */
const CSV_COLUMNS = RECORD_MEMBERS.filter((member) => member !== 'git');

async function parseCsv(input: RecordInput, visit: RecordVisitor): Promise<RecordReader> {
  // Loaded here only: no other command pays for a CSV parser at start-up.
  const { parse } = await import('csv-parse/sync');
  const spans = new Spans();
  // csv-parse's synchronous API reads the whole file at once (once: records are read again by their spans).
  const bytes = asBuffer(input.range(0, input.size));
  if (!isUtf8(bytes)) {
    visit.problem({ line: 1, field: '(file)', reason: NOT_UTF8 });
    return spanReader(spans, input, () => undefined);
  }
  const lines = lineCounter(bytes);
  let header: string[] | undefined;
  let headerOk = false;
  // Where the previous record (or skipped one) ended: the next starts after the blank lines that follow it.
  let previousEnd = 0;
  const startOf = (end: number) => {
    let start = previousEnd;
    while (start < end && (bytes[start] === 0x0a || bytes[start] === 0x0d)) start++;
    previousEnd = end;
    return start;
  };
  try {
    parse(bytes, {
      bom: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        if (!error) return;
        const line = lines.at(startOf(typeof error.bytes === 'number' ? error.bytes : previousEnd));
        visit.problem({ line, field: '(record)', reason: csvReason(error.code, error.message, header?.length) });
      },
      on_record: (cells: string[], context) => {
        const start = startOf(context.bytes);
        const line = lines.at(start);
        if (header === undefined) {
          header = cells.map((cell) => cell.trim());
          headerOk = checkHeader(header, line, visit);
          return undefined;
        }
        if (headerOk) visit.record({ line, values: csvValues(header, cells) }, spans.add(start, context.bytes));
        return undefined;
      },
    });
  } catch (error) {
    // Errors skip_records_with_error does not cover (an unclosed quote runs to the end of the file).
    const { code, message } = error as { code?: string; message: string };
    const line = lines.at(startOf(bytes.length));
    visit.problem({ line, field: '(record)', reason: csvReason(code, message, header?.length) });
  }
  if (header === undefined) visit.problem({ line: 1, field: '(file)', reason: 'has no header row' });
  return csvReader(spans, input, header ?? [], parse);
}

function csvReader(spans: Spans, input: RecordInput, columns: string[], parse: (bytes: Buffer) => unknown) {
  return spanReader(spans, input, (record) => {
    const [cells = []] = parse(record) as string[][];
    return csvValues(columns, cells);
  });
}

function checkHeader(header: string[], line: number, visit: RecordVisitor): boolean {
  let ok = true;
  const seen = new Set<string>();
  for (const name of header) {
    if (!CSV_COLUMNS.includes(name)) {
      visit.problem({
        line,
        field: `column ${echoValue(name)}`,
        reason: `is not a record field (the columns: ${CSV_COLUMNS.join(', ')})`,
      });
      ok = false;
    } else if (seen.has(name)) {
      visit.problem({ line, field: `column ${name}`, reason: 'appears twice in the header' });
      ok = false;
    }
    seen.add(name);
  }
  return ok;
}

/** A CSV row as the JSON reader would give it: empty cells are absent, list columns split on `;`. */
function csvValues(header: string[], cells: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [index, name] of header.entries()) {
    const cell = cells[index] ?? '';
    if (cell === '') continue;
    values[name] = LIST_COLUMNS.has(name)
      ? cell
          .split(';')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : cell;
  }
  return values;
}

function csvReason(code: string | undefined, message: string, columns: number | undefined): string {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return `has a different number of cells than the header's ${columns ?? '?'}: quote a cell that holds a comma`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'opens a quote that is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return 'has a quote inside a cell: quote the whole cell and double the inner quote ("a ""b"" c")';
    default:
      return `is not valid CSV (${message.replace(/ (on|at) line \d+.*$/s, '')})`;
  }
}

/** Line numbers of byte offsets, counted forward once: offsets are asked in increasing order. */
function lineCounter(bytes: Uint8Array) {
  let offset = 0;
  let line = 1;
  return {
    at(target: number): number {
      for (; offset < target && offset < bytes.length; offset++) if (bytes[offset] === 0x0a) line++;
      return line;
    },
  };
}
