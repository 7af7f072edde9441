/**
 * Recorded events as people read them: a block for one, aligned columns for a list. Times in UTC with a `Z`. Every
 * value came from the API: a control character in it (a newline in a tag, an escape sequence) is shown escaped, so it
 * can neither act on the terminal nor break a row.
 */

import { escapeInvisible } from '../api/plain-text.js';
import type { EventRecord } from '../events/records.js';
import { formatDuration, formatInstant } from '../time.js';

/** One value on one line: every control character escaped, the newline and tab included. */
function cell(value: string): string {
  return escapeInvisible(value);
}

export function recordBlock(record: EventRecord): string {
  const rows: Array<[string, string | undefined]> = [
    [record.kind === 'deployment' ? 'service' : 'services', record.services.join(', ') || undefined],
    ['name', record.name],
    ['severity', record.severity],
    ['env', record.env],
    ['version', record.version],
    ['team', record.team],
    ['started', formatInstant(record.startedAt)],
    [
      'finished',
      record.finishedAt === undefined
        ? record.kind === 'incident'
          ? 'not yet (open)'
          : undefined
        : `${formatInstant(record.finishedAt)} (${formatDuration(record.finishedAt - record.startedAt)})`,
    ],
    ['commit', record.commitSha],
    ['repository', record.repository],
    ['tags', record.customTags.length > 0 ? record.customTags.join(', ') : undefined],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return [
    `${record.kind === 'deployment' ? 'Deployment' : 'Incident'} ${cell(record.id)}`,
    ...shown.map(([label, value]) => `  ${label.padEnd(width)}  ${cell(value)}`),
  ].join('\n');
}

/** Deployments by service; incidents by name and severity too (what people scan a list of incidents for). */
export function recordTable(records: EventRecord[]): string {
  const incidents = records[0]?.kind === 'incident';
  const columns: Array<[string, (record: EventRecord) => string | undefined]> = [
    ['ID', (record) => record.id],
    [incidents ? 'SERVICES' : 'SERVICE', (record) => record.services.join(',') || undefined],
    ...(incidents
      ? ([
          ['NAME', (record) => record.name],
          ['SEVERITY', (record) => record.severity],
        ] as Array<[string, (record: EventRecord) => string | undefined]>)
      : []),
    ['ENV', (record) => record.env],
    ['VERSION', (record) => record.version],
    [
      'FINISHED',
      (record) =>
        record.finishedAt === undefined ? (incidents ? 'open' : undefined) : formatInstant(record.finishedAt),
    ],
    [
      'DURATION',
      (record) => (record.finishedAt === undefined ? undefined : formatDuration(record.finishedAt - record.startedAt)),
    ],
    ['COMMIT', (record) => record.commitSha?.slice(0, 8)],
  ];
  const header = columns.map(([title]) => title);
  const rows = records.map((record) => columns.map(([, value]) => cell(value(record) ?? '-')));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((text, i) => text.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Newest first: by finish, an open incident (no finish) before any finished one, then by start. */
export function newestFirst(records: EventRecord[]): EventRecord[] {
  const key = (record: EventRecord) => record.finishedAt ?? 2n ** 63n;
  return [...records].sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : b.startedAt > a.startedAt ? 1 : -1));
}
