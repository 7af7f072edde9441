/**
 * Change lead time from the local checkout, when Datadog's answers carry no commit data. Per service and env, in
 * `finished_at` order, a deployment shipped the commits reachable from its commit and not from the previous
 * deployment's (merge commits included), as `git log previous..current` would list them; each commit's lead time is
 * the deployment's `finished_at` minus the commit's author time, and within one service and env a commit counts
 * once, with the earliest deployment that shipped it. A deployment with no known predecessor is skipped: the first
 * of its service and env in the window, and any whose own commit or whose predecessor's commit the checkout lacks
 * (or that names none).
 *
 * Git is asked twice, whatever the number of deployments: one `git cat-file --batch-check` learns which deployment
 * commits the checkout has, one `git log --stdin` lists every commit reachable from them with its parents and author
 * time. The ranges are then worked out in memory, each by a walk from both ends in decreasing generation number
 * that stops as soon as nothing reachable from the newer end alone is left: it visits the commits between the two
 * deployments and their neighbourhood, not the whole history.
 */
import type { Deployment, LocalLeadTime } from './types.js';

export interface GitOutput {
  stdout: string;
  stderr: string;
  /** null when git was ended by a signal. */
  code: number | null;
}

/**
 * Runs `git <args>` in the checkout with `input` on its standard input. Rejects only when git could not run at all
 * (not installed, stopped); a git that ran and failed resolves with its exit code.
 */
export type GitRunner = (args: readonly string[], input: string) => Promise<GitOutput>;

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const NO_DATADOG = 'no commit data from Datadog';

export async function gitLeadTime(deployments: readonly Deployment[], git: GitRunner): Promise<LocalLeadTime> {
  const wanted = [...new Set(deployments.map((d) => d.commitSha).filter((sha): sha is string => isSha(sha)))];
  if (wanted.length === 0) {
    return { available: false, reason: `${NO_DATADOG}, and no deployment of the window names a commit` };
  }
  let checked: GitOutput;
  try {
    checked = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], lines(wanted));
  } catch (error) {
    return { available: false, reason: `${NO_DATADOG}, and git could not run here (${describe(error)})` };
  }
  if (checked.code !== 0) return { available: false, reason: notReadable(checked) };
  const present = checked.stdout
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, type]) => type === 'commit')
    .map(([sha]) => sha as string);
  if (present.length === 0) {
    return {
      available: false,
      reason: `${NO_DATADOG}, and the git checkout here holds none of the ${wanted.length} deployed commits`,
    };
  }
  let log: GitOutput;
  try {
    log = await git(
      ['-c', 'log.showSignature=false', 'log', '--topo-order', '--format=%H %at %P', '--stdin'],
      lines(present),
    );
  } catch (error) {
    return { available: false, reason: `${NO_DATADOG}, and git could not run here (${describe(error)})` };
  }
  if (log.code !== 0) return { available: false, reason: notReadable(log) };
  return leadTimesFrom(deployments, parseHistory(log.stdout));
}

function isSha(sha: string | undefined): sha is string {
  return sha !== undefined && SHA.test(sha);
}

function lines(items: readonly string[]): string {
  return `${items.join('\n')}\n`;
}

function notReadable({ stderr, code }: GitOutput): string {
  if (code === null) return `${NO_DATADOG}, and git was stopped before it had read the history (it took too long)`;
  if (/not a git repository/i.test(stderr)) return `${NO_DATADOG}, and no git checkout here`;
  const first = stderr.split('\n').find((line) => line.trim() !== '') ?? 'no message';
  // git's words go into every output, Markdown included: keep them to plain characters.
  const plain = first
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    .replace(/[^A-Za-z0-9 .,:;'"()/_-]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, 200);
  return `${NO_DATADOG}, and git could not read the history here (${plain})`;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'git is not installed, or this folder is gone';
  return error instanceof Error ? error.message : String(error);
}

/** The commit graph, one integer per commit. */
export interface History {
  index: Map<string, number>;
  /** Author time, seconds since the epoch. */
  authorTime: Float64Array;
  /** Parents of commit i: parentList[parentStart[i] .. parentStart[i + 1]). Parents the history lacks are left out. */
  parentStart: Int32Array;
  parentList: Int32Array;
  /** 1 for a root, else 1 + the largest generation of its parents: a commit's ancestors all have smaller ones. */
  generation: Int32Array;
}

/** `git log --topo-order --format='%H %at %P'`: every commit before its parents. */
export function parseHistory(stdout: string): History {
  const rows = stdout.split('\n').filter((line) => line !== '');
  const count = rows.length;
  const index = new Map<string, number>();
  const authorTime = new Float64Array(count);
  const parentShas: string[][] = new Array(count);
  rows.forEach((row, i) => {
    const [sha, time, ...parents] = row.split(' ');
    index.set(sha as string, i);
    authorTime[i] = Number(time);
    parentShas[i] = parents;
  });
  const parentStart = new Int32Array(count + 1);
  const flat: number[] = [];
  for (let i = 0; i < count; i++) {
    parentStart[i] = flat.length;
    for (const parent of parentShas[i] as string[]) {
      const p = index.get(parent);
      if (p !== undefined) flat.push(p);
    }
  }
  parentStart[count] = flat.length;
  const parentList = Int32Array.from(flat);
  // Topological order lists parents after their children: walking it backwards meets every parent first.
  const generation = new Int32Array(count);
  for (let i = count - 1; i >= 0; i--) {
    let highest = 0;
    for (let k = parentStart[i] as number; k < (parentStart[i + 1] as number); k++) {
      const g = generation[parentList[k] as number] as number;
      if (g > highest) highest = g;
    }
    generation[i] = highest + 1;
  }
  return { index, authorTime, parentStart, parentList, generation };
}

/** The pure half: lead times per deployment from a parsed history. */
export function leadTimesFrom(deployments: readonly Deployment[], history: History): LocalLeadTime {
  const byDeployment = new Map<string, number[]>();
  const skipped = new Set<string>();
  const walker = new RangeWalker(history);
  /** counted[c] === g: commit c was already counted in group g. */
  const counted = new Int32Array(history.authorTime.length);
  const groups = new Map<string, Deployment[]>();
  for (const deployment of deployments) {
    const key = JSON.stringify([deployment.service, deployment.env ?? null]);
    const group = groups.get(key);
    if (group) group.push(deployment);
    else groups.set(key, [deployment]);
  }
  let stamp = 0;
  for (const group of groups.values()) {
    stamp++;
    group.sort(byFinish);
    let previous: number | undefined;
    group.forEach((deployment, position) => {
      const own = deployment.commitSha === undefined ? undefined : history.index.get(deployment.commitSha);
      if (position === 0 || own === undefined || previous === undefined) {
        skipped.add(deployment.id);
        previous = own;
        return;
      }
      const finishedS = Number(deployment.finishedAt / 1_000_000n) / 1000;
      const times: number[] = [];
      for (const commit of walker.range(own, previous)) {
        if (counted[commit] === stamp) continue;
        counted[commit] = stamp;
        times.push(finishedS - (history.authorTime[commit] as number));
      }
      byDeployment.set(deployment.id, times);
      previous = own;
    });
  }
  return { available: true, byDeployment, skipped };
}

function byFinish(a: Deployment, b: Deployment): number {
  if (a.finishedAt !== b.finishedAt) return a.finishedAt < b.finishedAt ? -1 : 1;
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const FROM_NEW = 1;
const FROM_OLD = 2;

/**
 * `git rev-list old..new` in memory. Both ends are painted and walked together, highest generation first, so a
 * commit is only taken off the queue once every child that can reach it has been: its paint is final then. The
 * walk stops when no queued commit is reachable from `new` alone.
 */
class RangeWalker {
  private readonly paint: Uint8Array;
  private readonly heap: number[] = [];
  private readonly touched: number[] = [];

  constructor(private readonly history: History) {
    this.paint = new Uint8Array(history.authorTime.length);
  }

  range(newer: number, older: number): number[] {
    const out: number[] = [];
    if (newer === older) return out;
    const { paint, heap, touched } = this;
    const { parentStart, parentList } = this.history;
    let newOnly = 0;
    const mark = (commit: number, colour: number) => {
      const before = paint[commit] as number;
      const after = before | colour;
      if (after === before) return;
      paint[commit] = after;
      if (before === 0) {
        touched.push(commit);
        this.push(commit);
        if (after === FROM_NEW) newOnly++;
      } else if (before === FROM_NEW) newOnly--; // now reachable from the older end too
    };
    mark(newer, FROM_NEW);
    mark(older, FROM_OLD);
    while (newOnly > 0) {
      const commit = this.pop();
      const colour = paint[commit] as number;
      if (colour === FROM_NEW) {
        newOnly--;
        out.push(commit);
      }
      for (let k = parentStart[commit] as number; k < (parentStart[commit + 1] as number); k++)
        mark(parentList[k] as number, colour);
    }
    for (const commit of touched) paint[commit] = 0;
    touched.length = 0;
    heap.length = 0;
    return out;
  }

  private push(commit: number): void {
    const { heap } = this;
    const generation = this.history.generation;
    const g = generation[commit] as number;
    let i = heap.length;
    heap.push(commit);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as number;
      if ((generation[above] as number) >= g) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = commit;
  }

  private pop(): number {
    const { heap } = this;
    const generation = this.history.generation;
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      const g = generation[last] as number;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child =
          right < heap.length &&
          (generation[heap[right] as number] as number) > (generation[heap[left] as number] as number)
            ? right
            : left;
        if ((generation[heap[child] as number] as number) <= g) break;
        heap[i] = heap[child] as number;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
