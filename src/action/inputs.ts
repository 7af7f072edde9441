/**
 * The GitHub Action's inputs, declared once: action.yml must declare exactly these (a test compares the two), and
 * plan.ts turns them into the CLI's argv. A composite action does not set INPUT_* variables by itself, so action.yml
 * passes each input as `INPUT_<NAME>` (upper case, `-` → `_`) in its step's env; `envName` gives that name.
 */

/** string: one value · lines: one value per line, each its own flag · boolean: `true`/`false` · keys and special ones. */
export type InputType = 'string' | 'lines' | 'boolean';

export interface InputSpec {
  name: string;
  type: InputType;
  /** The CLI flag it becomes; absent for inputs handled on their own (kind, keys, command). */
  flag?: string;
  /** The kinds the input applies to; giving it for another kind is refused (exit 2). */
  kinds: readonly Kind[];
}

export type Kind = 'deployment' | 'incident' | 'metrics';
export const KINDS: readonly Kind[] = ['deployment', 'incident', 'metrics'];

/** Every kind: the keys, where requests go, and the selection by service and env. */
const ALL = KINDS;
/** What records an event. */
const BOTH: readonly Kind[] = ['deployment', 'incident'];
const DEPLOYMENT: readonly Kind[] = ['deployment'];
const INCIDENT: readonly Kind[] = ['incident'];
const METRICS: readonly Kind[] = ['metrics'];

export const INPUTS: readonly InputSpec[] = [
  { name: 'kind', type: 'string', kinds: ALL },
  { name: 'api-key', type: 'string', kinds: ALL },
  { name: 'app-key', type: 'string', kinds: ALL },
  { name: 'service', type: 'lines', flag: '--service', kinds: ALL },
  { name: 'env', type: 'string', flag: '--env', kinds: ALL },
  { name: 'version', type: 'string', flag: '--version', kinds: BOTH },
  { name: 'team', type: 'string', flag: '--team', kinds: ALL },
  { name: 'custom-tags', type: 'lines', flag: '--custom-tags', kinds: BOTH },
  { name: 'id', type: 'string', flag: '--id', kinds: BOTH },
  { name: 'started-at', type: 'string', flag: '--started-at', kinds: BOTH },
  { name: 'finished-at', type: 'string', flag: '--finished-at', kinds: BOTH },
  { name: 'git-repository-url', type: 'string', flag: '--git-repository-url', kinds: BOTH },
  { name: 'git-commit-sha', type: 'string', flag: '--git-commit-sha', kinds: BOTH },
  { name: 'skip-git', type: 'boolean', flag: '--skip-git', kinds: DEPLOYMENT },
  { name: 'command', type: 'string', kinds: DEPLOYMENT },
  { name: 'rollback-of', type: 'string', flag: '--rollback-of', kinds: DEPLOYMENT },
  { name: 'rollforward-of', type: 'string', flag: '--rollforward-of', kinds: DEPLOYMENT },
  { name: 'name', type: 'string', flag: '--name', kinds: INCIDENT },
  { name: 'severity', type: 'string', flag: '--severity', kinds: INCIDENT },
  { name: 'since', type: 'string', flag: '--since', kinds: METRICS },
  { name: 'until', type: 'string', flag: '--until', kinds: METRICS },
  { name: 'by', type: 'string', flag: '--by', kinds: METRICS },
  { name: 'site', type: 'string', flag: '--site', kinds: ALL },
  { name: 'api-url', type: 'string', flag: '--api-url', kinds: ALL },
  { name: 'dry-run', type: 'boolean', flag: '--dry-run', kinds: ALL },
];

export function envName(input: string): string {
  return `INPUT_${input.toUpperCase().replace(/[- ]/g, '_')}`;
}

/** What the workflow gave: empty values count as not given, as they do for every dora environment variable. */
export type Inputs = Map<string, string>;

export function readInputs(env: Readonly<Record<string, string | undefined>>): Inputs {
  const inputs: Inputs = new Map();
  for (const spec of INPUTS) {
    const raw = env[envName(spec.name)];
    // A trailing newline is what a YAML block scalar (`|`) leaves; it is no part of the value.
    const value = raw?.replace(/\r?\n$/, '');
    if (value !== undefined && value.trim() !== '') inputs.set(spec.name, value);
  }
  return inputs;
}
