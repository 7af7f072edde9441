/**
 * Loads action.yml and the GitLab component with a YAML parser, and runs them the way their runners do:
 * - the action's one step in bash (`bash --noprofile --norc -eo pipefail`, as GitHub runs `shell: bash`), with its
 *   `env:` resolved from the inputs, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and a GitHub Actions environment; its
 *   install is satisfied by RUNNER_TEMP holding this repository as the pinned package, so the script runs unchanged;
 * - the component's job with its `$[[ inputs.x ]]` interpolated, its variables expanded as GitLab expands them and
 *   set, and its script run in `sh -e`, with `npx --yes dora-cli@<version>` replaced by the locally built bin.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
export const BIN = join(ROOT, 'bin', 'dora.js');

export interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

export interface ActionYml {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string; value: string }>;
  runs: { using: string; steps: { id?: string; shell?: string; env?: Record<string, string>; run: string }[] };
}

export function loadAction(): ActionYml {
  return parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  onSpawn?: (child: ChildProcess) => void,
): Promise<Ran> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Calls `then` once, as soon as `text` shows in the child's stdout or stderr (what the runner's log shows live), so a
 * test can answer output the moment it appears instead of timing it.
 */
export function whenSeen(text: string, then: () => void): (child: ChildProcess) => void {
  return (child) => {
    let seen = '';
    let done = false;
    const look = (chunk: Buffer | string) => {
      seen += String(chunk);
      if (done || !seen.includes(text)) return;
      done = true;
      then();
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
  };
}

export interface ActionRun extends Ran {
  /** $GITHUB_OUTPUT as written, and parsed (both the name=value and the name<<delimiter forms). */
  outputFile: string;
  outputs: Record<string, string>;
  summary: string;
}

/** `env` is the job's environment (GitHub's variables, DORA_API_URL…); `inputs` what a workflow's `with:` gives. */
export async function runActionStep(
  inputs: Record<string, string>,
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
): Promise<ActionRun> {
  const action = loadAction();
  const step = action.runs.steps[0];
  if (!step) throw new Error('action.yml has no step');
  for (const name of Object.keys(inputs))
    if (!(name in action.inputs)) throw new Error(`action.yml has no input ${name}`);
  const stepEnv: Record<string, string> = {};
  for (const [name, expression] of Object.entries(step.env ?? {})) {
    stepEnv[name] = expression.replace(
      /\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g,
      (_, input: string) => inputs[input] ?? action.inputs[input]?.default ?? '',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'dora-action-'));
  const runnerTemp = join(dir, 'runner-temp');
  // The pinned package "already installed": this checkout, where the step looks for it.
  const installed = join(runnerTemp, `dora-cli-${PACKAGE_VERSION}`, 'node_modules');
  mkdirSync(installed, { recursive: true });
  symlinkSync(ROOT, join(installed, 'dora-cli'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  const ran = await run(
    'bash',
    ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run],
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: runnerTemp,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...env,
      ...stepEnv,
    },
    workspace,
    onSpawn,
  );
  const output = readFileSync(outputFile, 'utf8');
  return { ...ran, outputFile: output, outputs: parseOutputFile(output), summary: readFileSync(summaryFile, 'utf8') };
}

/** Reads $GITHUB_OUTPUT as the runner does. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      const end = heredoc[2];
      for (i++; i < lines.length && lines[i] !== end; i++) value.push(lines[i] ?? '');
      if (i >= lines.length) throw new Error(`unterminated ${line}`);
      outputs[heredoc[1] ?? ''] = value.join('\n');
      continue;
    }
    const at = line.indexOf('=');
    if (at < 1) throw new Error(`not an output line: ${line}`);
    outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

export interface ComponentInput {
  description?: string;
  default?: string;
  type?: string;
}

export interface Component {
  file: string;
  inputs: Record<string, ComponentInput>;
  /** The document after `---`, as written (before interpolation). */
  body: Record<string, unknown>;
  text: string;
}

export function loadComponent(name: string): Component {
  const file = join(ROOT, 'templates', `${name}.yml`);
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text);
  if (docs.length !== 2) throw new Error(`${name}.yml: expected a spec document and a job document`);
  const [header, body] = docs.map((doc) => doc.toJS() as Record<string, unknown>);
  const spec = (header?.spec ?? {}) as { inputs?: Record<string, ComponentInput> };
  return { file, inputs: spec.inputs ?? {}, body: body ?? {}, text };
}

/** `$[[ inputs.x ]]` in every key and string, as GitLab interpolates a component: a missing required input is an error. */
export function interpolate(component: Component, given: Record<string, string>): Record<string, unknown> {
  for (const name of Object.keys(given)) if (!(name in component.inputs)) throw new Error(`no input ${name}`);
  const value = (name: string): string => {
    const input = component.inputs[name];
    if (!input) throw new Error(`unknown input ${name} used`);
    const v = given[name] ?? input.default;
    if (v === undefined) throw new Error(`required input ${name} not given`);
    return String(v);
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string')
      return node.replace(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g, (_, name: string) => value(name));
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [walk(key) as string, walk(child)]));
    }
    return node;
  };
  return walk(component.body) as Record<string, unknown>;
}

/** A job variable: a value, or GitLab's long form, where `expand: false` keeps `$` references as written. */
export type JobVariable = string | { value: string; expand?: boolean; description?: string };

export interface Job {
  stage?: string;
  image?: string;
  variables?: Record<string, JobVariable>;
  script: string[];
  artifacts?: { when?: string; reports?: { dotenv?: string } };
}

export interface JobRun extends Ran {
  dir: string;
  dotenv: string | undefined;
  script: string;
}

/**
 * What GitLab does to a job's variables before its script runs: `$NAME` and `${NAME}` in a value become that
 * variable's value (the job's own variables and the CI/CD ones; empty when there is none) and `$$` a literal `$`,
 * except in a variable declared `{ value, expand: false }`, which reaches the script as written.
 */
export function expandVariables(
  variables: Record<string, JobVariable>,
  env: Record<string, string>,
): Record<string, string> {
  const raw = Object.fromEntries(
    Object.entries(variables).map(([name, variable]) => [
      name,
      typeof variable === 'string' ? variable : variable.value,
    ]),
  );
  const known: Record<string, string> = { ...env, ...raw };
  return Object.fromEntries(
    Object.entries(variables).map(([name, variable]) => {
      const value = raw[name] ?? '';
      if (typeof variable !== 'string' && variable.expand === false) return [name, value];
      const expanded = value.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) =>
        match === '$$' ? '$' : (known[braced ?? bare ?? ''] ?? ''),
      );
      return [name, expanded];
    }),
  );
}

/** Runs the job's script lines in one `sh -e` (GitLab runs a job's script lines in one shell that stops at a failure). */
export async function runJob(
  job: Job,
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
): Promise<JobRun> {
  const dir = mkdtempSync(join(tmpdir(), 'dora-gitlab-'));
  const script = job.script
    .map((line) => line.replace(/npx --yes dora-cli@\S+/g, () => `node ${JSON.stringify(BIN)}`))
    .join('\n');
  const ran = await run(
    'sh',
    ['-e', '-c', script],
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      ...env,
      ...expandVariables(job.variables ?? {}, env),
    },
    dir,
    onSpawn,
  );
  let dotenv: string | undefined;
  try {
    dotenv = readFileSync(join(dir, job.artifacts?.reports?.dotenv ?? 'missing'), 'utf8');
  } catch {
    dotenv = undefined;
  }
  return { ...ran, dir, dotenv, script };
}

/** The built CLI's help for `dora deployment`, to check that every flag the integrations pass is one it takes. */
export const deploymentHelp = execFileSync(process.execPath, [BIN, 'deployment', '--help'], { encoding: 'utf8' });
