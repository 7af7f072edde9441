/**
 * What is wrong with the records of an import, collected before anything is sent: each bad record's line (or tag),
 * the field, and why. Only the first few are kept in full; a file of 100,000 bad lines still costs a counter.
 */

export interface Problem {
  /** Where the record starts in the file (a CSV header is line 1), or its ordinal for records made from git tags. */
  line: number;
  /** The git tag the record was made from, named in messages instead of a line. */
  tag?: string;
  /** The member as the record names it (`finished_at`, `data.attributes.service`), or `(record)` for the whole line. */
  field: string;
  reason: string;
}

/** How many problems are listed in full; the rest are counted. */
export const LISTED_PROBLEMS = 20;

export class ProblemList {
  readonly listed: Problem[] = [];
  count = 0;

  add(problem: Problem): void {
    this.count++;
    if (this.listed.length < LISTED_PROBLEMS) this.listed.push(problem);
  }

  get empty(): boolean {
    return this.count === 0;
  }
}

/** `line 12` or `tag v1.2.0`: where a record came from, for people. */
export function placeOf(record: { line: number; tag?: string | undefined }): string {
  return record.tag === undefined ? `line ${record.line}` : `tag ${record.tag}`;
}

/** The message of an import refused for bad records: one line per listed problem, then how many more there are. */
export function problemsReport(problems: ProblemList, source: string): string {
  const lines = problems.listed.map((problem) => `  ${placeOf(problem)}: ${problem.field}: ${problem.reason}`);
  const more = problems.count - problems.listed.length;
  const head = `${problems.count === 1 ? '1 problem' : `${problems.count} problems`} in ${source}, so nothing was sent:`;
  return [head, ...lines, ...(more > 0 ? [`  … and ${more} more.`] : [])].join('\n');
}
