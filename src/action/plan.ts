/**
 * Pure: the action's inputs → how to run the CLI. Keys travel in the child's environment, never in its argv (argv is
 * visible to every process on the runner); `--json` is always passed so the result can be read back.
 */
import { INPUTS, type Inputs, KINDS, type Kind } from './inputs.js';
import { KEY_INPUTS } from './keys.js';

export interface Plan {
  kind: Kind;
  argv: string[];
  /** Variables to set in the CLI's environment (the keys). */
  env: Record<string, string>;
  /** Variables to remove from it, so a key given as an input wins over one already in the job's environment. */
  unset: string[];
  /** Every credential given, to mask and to scrub from whatever the action writes. */
  secrets: string[];
  /** The key inputs the workflow set (`api-key`, `app-key`): messages name these instead of the variables. */
  keyInputs: string[];
  /** A rollback or rollforward was asked for: the failed deployment is to be marked once this one is recorded. */
  remediates: boolean;
  /** The values the summary shows when the CLI's result does not carry them. */
  given: { services: string[]; env?: string | undefined; version?: string | undefined; command?: string | undefined };
  /** kind: metrics, with `by`: the summary's groups. */
  by?: 'service' | 'env' | 'team' | undefined;
}

export class InputError extends Error {}

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

export function planRun(inputs: Inputs): Plan {
  const kindInput = inputs.get('kind')?.trim() ?? 'deployment';
  if (!(KINDS as readonly string[]).includes(kindInput)) {
    throw new InputError(`kind: ${JSON.stringify(kindInput)} must be one of ${KINDS.join(', ')}.`);
  }
  const kind = kindInput as Kind;

  const argv: string[] = [kind];
  for (const spec of INPUTS) {
    const raw = inputs.get(spec.name);
    if (raw === undefined) continue;
    // `false` is action.yml's default for every boolean: it says nothing, whatever the kind.
    if (spec.type === 'boolean' && FALSE.has(raw.trim())) continue;
    if (!spec.kinds.includes(kind)) {
      throw new InputError(`${spec.name} applies to kind: ${spec.kinds.join(' or ')} only, not to kind: ${kind}.`);
    }
    if (spec.flag === undefined) continue;
    if (spec.type === 'boolean') {
      if (TRUE.has(raw.trim())) argv.push(spec.flag);
      else throw new InputError(`${spec.name}: ${JSON.stringify(raw)} must be true or false.`);
    } else if (spec.type === 'lines') {
      for (const line of lines(raw)) argv.push(spec.flag, line);
    } else {
      argv.push(spec.flag, raw.trim());
    }
  }
  argv.push('--json');

  const command = inputs.get('command');
  // Wrap mode: the CLI times the command and records the deployment only when it succeeds.
  if (command !== undefined) argv.push('--', 'sh', '-c', command);

  const env: Record<string, string> = {};
  const unset: string[] = [];
  const secrets: string[] = [];
  const keyInputs: string[] = [];
  for (const { input, variables } of KEY_INPUTS) {
    const key = inputs.get(input)?.trim();
    if (key === undefined) continue;
    const [variable, ...others] = variables;
    env[variable] = key;
    unset.push(...others);
    secrets.push(key);
    keyInputs.push(input);
  }

  return {
    kind,
    argv,
    env,
    unset,
    secrets,
    keyInputs,
    remediates: inputs.has('rollback-of') || inputs.has('rollforward-of'),
    by: inputs.get('by')?.trim() as Plan['by'],
    given: {
      services: lines(inputs.get('service') ?? ''),
      env: inputs.get('env')?.trim(),
      version: inputs.get('version')?.trim(),
      command,
    },
  };
}

/** One value per line; blank lines and the spaces around each value are dropped. */
export function lines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
