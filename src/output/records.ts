/** Recorded events as people read them: a block for one, aligned columns for a list. Times in UTC with a `Z`. */
import type { EventRecord } from '../events/records.js';
import { formatDuration, formatInstant } from '../time.js';

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
    `${record.kind === 'deployment' ? 'Deployment' : 'Incident'} ${record.id}`,
    ...shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ].join('\n');
}

export function recordTable(records: EventRecord[]): string {
  const header = [
    'ID',
    records[0]?.kind === 'incident' ? 'SERVICES' : 'SERVICE',
    'ENV',
    'VERSION',
    'FINISHED',
    'DURATION',
    'COMMIT',
  ];
  const rows = records.map((record) => [
    record.id,
    record.services.join(',') || '-',
    record.env ?? '-',
    record.version ?? '-',
    record.finishedAt === undefined ? (record.kind === 'incident' ? 'open' : '-') : formatInstant(record.finishedAt),
    record.finishedAt === undefined ? '-' : formatDuration(record.finishedAt - record.startedAt),
    record.commitSha?.slice(0, 8) ?? '-',
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] as string).length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] as number))
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
