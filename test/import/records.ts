/**
 * Generated records for property tests, and the files they make: each record is what a user means (kind and option
 * values), written to JSONL in one of the three accepted shapes or to CSV with RFC 4180 quoting, with blank lines and
 * either line ending, and the line each record starts on remembered.
 */
import fc from 'fast-check';
import type { EventKind, ImportFlags } from '../../src/import/record.js';

export interface Meant {
  kind: EventKind;
  flags: ImportFlags;
  /** How the JSONL line spells it; CSV has one spelling. */
  shape: 'flat' | 'api' | 'body';
  /** Whether `kind` is written (else it is inferred from `services`). */
  explicitKind: boolean;
  /** Times written as JSON numbers (when they are digits). */
  timesAsNumbers: boolean;
}

/** Free text: commas, quotes, both line breaks, spaces, accents, an emoji, semicolons, colons. */
const freeText = fc.string({
  unit: fc.constantFrom('a', 'B', '7', ',', '"', '\n', '\r\n', ' ', 'é', '😀', ';', ':', '\\', '{'),
  minLength: 1,
  maxLength: 12,
});
/** A list item: no `;` (the CSV separator) and no surrounding space (CSV trims items). */
const item = fc.stringMatching(/^[a-z0-9][a-z0-9:,"é ._-]{0,10}[a-z0-9]$/);
const time = fc.oneof(
  fc.bigInt({ min: 946_684_800n, max: 7_258_118_399n }).map(String),
  fc.bigInt({ min: 946_684_800_000_000_000n, max: 7_258_118_399_999_999_999n }).map(String),
  fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

export const meantRecord: fc.Arbitrary<Meant> = fc
  .record({
    kind: fc.constantFrom<EventKind>('deployment', 'incident'),
    services: fc.array(item, { minLength: 1, maxLength: 3 }),
    env: optional(freeText),
    version: optional(freeText),
    team: optional(freeText),
    id: optional(freeText),
    startedAt: optional(time),
    finishedAt: time,
    resolved: fc.boolean(),
    customTags: optional(fc.array(item, { minLength: 1, maxLength: 3 })),
    gitRepositoryUrl: optional(freeText),
    gitCommitSha: optional(fc.stringMatching(/^[0-9a-f]{40}$/)),
    name: optional(freeText),
    severity: optional(freeText),
    shape: fc.constantFrom<Meant['shape']>('flat', 'api', 'body'),
    explicitKind: fc.boolean(),
    timesAsNumbers: fc.boolean(),
  })
  .map((r) => {
    const flags: ImportFlags = {};
    const set = <K extends keyof ImportFlags>(key: K, value: ImportFlags[K] | undefined) => {
      if (value !== undefined) flags[key] = value;
    };
    if (r.kind === 'deployment') {
      set('service', [r.services[0] as string]);
      set('finishedAt', r.finishedAt);
      set('startedAt', r.startedAt ?? r.finishedAt);
    } else {
      set('service', r.services);
      set('startedAt', r.startedAt ?? r.finishedAt);
      if (r.resolved) set('finishedAt', r.finishedAt);
      set('name', r.name);
      set('severity', r.severity);
    }
    set('env', r.env);
    set('version', r.version);
    set('team', r.team);
    set('id', r.id);
    set('customTags', r.customTags);
    set('gitRepositoryUrl', r.gitRepositoryUrl);
    set('gitCommitSha', r.gitCommitSha);
    return { kind: r.kind, flags, shape: r.shape, explicitKind: r.explicitKind, timesAsNumbers: r.timesAsNumbers };
  });

const SNAKE: Record<keyof ImportFlags, string> = {
  service: 'service',
  env: 'env',
  version: 'version',
  team: 'team',
  customTags: 'custom_tags',
  id: 'id',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  gitRepositoryUrl: 'git_repository_url',
  gitCommitSha: 'git_commit_sha',
  name: 'name',
  severity: 'severity',
};

/** The members of a record, snake case; times as raw JSON numbers when asked (`raw` marks them). */
function members(meant: Meant): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [flag, value] of Object.entries(meant.flags) as Array<[keyof ImportFlags, unknown]>) {
    if (flag === 'service')
      out.push(meant.kind === 'deployment' ? ['service', (value as string[])[0]] : ['services', value]);
    else out.push([SNAKE[flag], value]);
  }
  return out;
}

/** One JSONL line for a record, in its shape; digit-only times as bare JSON numbers when `timesAsNumbers`. */
export function jsonLine(meant: Meant): string {
  const entries = members(meant);
  const raw = new Map<string, string>();
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if ((key === 'started_at' || key === 'finished_at') && meant.timesAsNumbers && /^\d+$/.test(value as string)) {
      raw.set(key, value as string);
      object[key] = `@@${key}@@`;
    } else object[key] = value;
  }
  if (meant.shape !== 'flat' && (object.git_repository_url !== undefined || object.git_commit_sha !== undefined)) {
    object.git = {
      ...(object.git_repository_url !== undefined ? { repository_url: object.git_repository_url } : {}),
      ...(object.git_commit_sha !== undefined ? { commit_sha: object.git_commit_sha } : {}),
    };
    delete object.git_repository_url;
    delete object.git_commit_sha;
  }
  const kind = meant.explicitKind ? { kind: meant.kind } : {};
  const value = meant.shape === 'body' ? { ...kind, data: { attributes: object } } : { ...kind, ...object };
  let text = JSON.stringify(value);
  for (const [key, digits] of raw) text = text.replace(`"@@${key}@@"`, digits);
  return text;
}

export const CSV_COLUMNS = [
  'kind',
  'service',
  'services',
  'env',
  'version',
  'team',
  'id',
  'started_at',
  'finished_at',
  'custom_tags',
  'git_repository_url',
  'git_commit_sha',
  'name',
  'severity',
];

/** A cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, inner quotes doubled. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRow(meant: Meant, columns: readonly string[]): string {
  const values = new Map(members(meant));
  if (meant.explicitKind) values.set('kind', meant.kind);
  return columns
    .map((column) => {
      const value = values.get(column);
      if (value === undefined) return '';
      return csvCell(Array.isArray(value) ? value.join(';') : (value as string));
    })
    .join(',');
}

export interface WrittenFile {
  text: string;
  /** The line each record starts on. */
  lines: number[];
}

/** Records to a file, one a line (CSV: after the header), `blanks[i]` blank lines before record i. */
export function writeFile(
  format: 'jsonl' | 'csv',
  records: readonly Meant[],
  options: { eol: '\n' | '\r\n'; blanks: readonly number[]; columns?: readonly string[] },
): WrittenFile {
  let text = '';
  let line = 1;
  const lines: number[] = [];
  const add = (chunk: string) => {
    text += chunk + options.eol;
    line += (chunk.match(/\n/g)?.length ?? 0) + 1;
  };
  if (format === 'csv') add((options.columns ?? CSV_COLUMNS).join(','));
  for (const [index, meant] of records.entries()) {
    for (let blank = 0; blank < (options.blanks[index] ?? 0); blank++) add(format === 'jsonl' && blank % 2 ? '  ' : '');
    lines.push(line);
    add(format === 'jsonl' ? jsonLine(meant) : csvRow(meant, options.columns ?? CSV_COLUMNS));
  }
  return { text, lines };
}
