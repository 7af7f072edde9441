/**
 * `--git-tags <glob>`: one deployment per tag of the checkout that matches the glob, read with two git processes
 * whatever the number of tags: `git rev-parse` (where the git directory is, whether the clone is shallow), then
 * `git tag --list <glob> --format=…`, which matches exactly as `git tag --list` does (ref-filter's `for-each-ref`
 * format atoms, without for-each-ref's path-prefix matching) and prints each tag's name, type, tagger date and the
 * commit it points to with that commit's committer date.
 *
 * Each tag becomes a record with the option values `dora deployment` takes, so the same validation applies:
 * version = the tag's name, git_commit_sha = its commit, finished_at = an annotated tag's tagger date, else the
 * commit's committer date, started_at = finished_at minus the duration.
 */
import { UsageError } from '../errors.js';
import { gitIn } from '../git/run.js';
import { echoValue } from '../output/credential.js';
import type { ImportFlags, ImportRecord } from './record.js';

/** Runs git with `args` in `cwd` and resolves with its stdout; rejects with git's message when it fails. */
export type GitRunner = (args: readonly string[], options: { cwd: string; signal?: AbortSignal }) => Promise<string>;

export interface GitTagOptions {
  glob: string;
  /** The checkout to read. */
  cwd: string;
  run: GitRunner;
  service: string;
  /** --duration: a number of seconds, or 30s, 5m, 2h, 1d; default 0 (started_at = finished_at). */
  duration?: string;
  /** The checkout's repository URL, as `dora deployment` resolves it (credentials removed, folders refused). */
  repositoryUrl?: string;
  /** Other option values every record shares (--env, --team, --custom-tags). */
  shared?: Pick<ImportFlags, 'env' | 'team' | 'customTags'>;
  signal?: AbortSignal;
}

export interface GitTags {
  records: ImportRecord[];
  /** The checkout's git directory (absolute): the journal's default home. */
  gitDir: string;
  /** Tags that match but point at no commit (a tree, a blob, another tag), with why they were left out. */
  skipped: Array<{ tag: string; reason: string }>;
}

const FIELDS = [
  '%(refname:strip=2)',
  '%(objecttype)',
  '%(objectname)',
  '%(taggerdate:raw)',
  '%(committerdate:raw)',
  '%(*objecttype)',
  '%(*objectname)',
  '%(*committerdate:raw)',
];
/** NUL between fields (no tag name or date holds one), a newline between tags (no tag name holds one either). */
const FORMAT = FIELDS.join('%00');

export async function gitTagRecords(options: GitTagOptions): Promise<GitTags> {
  const { cwd, run, glob } = options;
  const at = { cwd, ...(options.signal ? { signal: options.signal } : {}) };
  const durationS = options.duration === undefined ? 0n : parseDuration(options.duration);
  let facts: string;
  try {
    facts = await run(['rev-parse', '--absolute-git-dir', '--is-shallow-repository'], at);
  } catch (error) {
    throw new UsageError(`--git-tags reads the tags of a git checkout, and ${cwd} is not one: ${messageOf(error)}`);
  }
  const [gitDir = '', shallow = ''] = facts.split('\n').map((line) => line.trim());
  if (shallow === 'true') {
    throw new UsageError(
      'This checkout is a shallow clone, so tags and their commits are missing. Fetch the whole history and the tags ' +
        'first:\n  git fetch --unshallow --tags\n(In GitHub Actions: actions/checkout with fetch-depth: 0.)',
    );
  }
  let listing: string;
  try {
    // `--` first: a glob that starts with "-" is a glob, not an option.
    listing = await run(['tag', '--list', `--format=${FORMAT}`, '--', glob], at);
  } catch (error) {
    throw new UsageError(`git could not list the tags: ${messageOf(error)}`);
  }
  const records: ImportRecord[] = [];
  const skipped: GitTags['skipped'] = [];
  for (const row of listing.split('\n')) {
    if (row === '') continue;
    const [tag = '', type, object, taggerDate, committerDate, peeledType, peeled, peeledDate] = row.split('\u0000');
    const annotated = type === 'tag';
    const commitType = annotated ? peeledType : type;
    if (commitType !== 'commit') {
      skipped.push({ tag, reason: `points at a ${commitType || 'missing object'}, not a commit` });
      continue;
    }
    const finished = secondsOf(annotated ? taggerDate : undefined) ?? secondsOf(annotated ? peeledDate : committerDate);
    if (finished === undefined) {
      skipped.push({ tag, reason: 'has no date git could read' });
      continue;
    }
    records.push({
      line: records.length + 1,
      tag,
      kind: 'deployment',
      flags: {
        service: [options.service],
        ...options.shared,
        version: tag,
        gitCommitSha: (annotated ? peeled : object) ?? '',
        ...(options.repositoryUrl !== undefined ? { gitRepositoryUrl: options.repositoryUrl } : {}),
        startedAt: String(finished - durationS),
        finishedAt: String(finished),
      },
    });
  }
  if (records.length === 0) {
    const none =
      skipped.length === 0
        ? `No tag matches ${JSON.stringify(glob)}`
        : `No tag matching ${JSON.stringify(glob)} points at a commit`;
    throw new UsageError(
      `${none} in this checkout. CI clones often come without tags; fetch them with:\n  git fetch --tags\n` +
        "(Check the glob too: it matches as git tag --list does, e.g. 'v*'.)",
    );
  }
  return { records, gitDir, skipped };
}

const DURATION = /^(\d{1,9})([smhd]?)$/;
const UNIT_S: Record<string, bigint> = { '': 1n, s: 1n, m: 60n, h: 3600n, d: 86_400n };

/** `--duration`: whole seconds, or a number with s, m, h or d; returns seconds. */
export function parseDuration(text: string): bigint {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `--duration: ${echoValue(text)} is not a duration; give seconds (90) or a number with s, m, h or d (30s, 5m, 2h, 1d).`,
    );
  }
  return BigInt(match[1] as string) * (UNIT_S[match[2] as string] as bigint);
}

/** `1795687200 +0100` (git's raw date: Unix seconds and the zone) → the seconds. */
function secondsOf(raw: string | undefined): bigint | undefined {
  const seconds = raw === undefined ? undefined : /^(\d+) [+-]\d{4}$/.exec(raw.trim())?.[1];
  return seconds === undefined ? undefined : BigInt(seconds);
}

function messageOf(error: unknown): string {
  const { stderr, message } = error as { stderr?: unknown; message?: unknown };
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : String(message ?? error);
  return text.trim().replace(/^fatal: /, '');
}

/**
 * The runner of a real run: git through src/git/run.ts, the one way dora runs git (its own process group, the
 * user's interruption, a time budget: a minute, for a history of many thousands of tags).
 */
export function tagReader(env: Readonly<Record<string, string | undefined>>, timeoutMs = 60_000): GitRunner {
  return async (args, options) => {
    const git = gitIn(options.cwd, env, options.signal ?? new AbortController().signal, timeoutMs);
    const answer = await git(args);
    if (answer.code === 0) return answer.stdout;
    const why =
      answer.failure?.kind === 'timeout'
        ? 'git was stopped (interrupted, or it took over a minute)'
        : answer.failure?.kind === 'not-started'
          ? `git could not be run (${answer.failure.message})`
          : answer.stderr.trim() || `git exited ${answer.code}`;
    throw Object.assign(new Error(why), { stderr: answer.stderr });
  };
}
