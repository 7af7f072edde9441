/**
 * action.yml and the GitLab component, parsed with a YAML parser: every declared input is wired to something the CLI
 * takes, everything wired is declared, every option the documentation lists is declared (and the reverse), the pinned
 * dora-cli version is package.json's, and the Action's bundle holds none of the CLI.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName, INPUTS } from '../../src/action/inputs.js';
import { runAction } from '../../src/action/run.js';
import type { EventsResult, MetricsResult } from '../../src/result.js';
import { BIN, deploymentHelp, loadAction, loadComponent, PACKAGE_VERSION, ROOT } from './ci-files.js';

/**
 * The integrations' documentation: README.md's section on them.
 */
const docs = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first column of the table under `heading` in the documentation: `name` cells. */
function documented(heading: string): string[] {
  const at = docs.indexOf(heading);
  if (at === -1) throw new Error(`README.md has no ${heading}`);
  const rest = docs.slice(at + heading.length).split('\n');
  const start = rest.findIndex((line) => line.startsWith('|'));
  const names: string[] = [];
  for (const line of rest.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cell = /^\|\s*`([^`]+)`/.exec(line);
    if (cell?.[1]) names.push(cell[1]);
  }
  return names;
}

describe('action.yml', () => {
  const action = loadAction();
  const step = action.runs.steps[0];

  it('is a composite action with one bash step', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps).toHaveLength(1);
    expect(step?.shell).toBe('bash');
    expect(step?.id).toBe('dora');
  });

  it('declares exactly the inputs src/action reads, and passes each as INPUT_<NAME>', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(INPUTS.map((input) => input.name).sort());
    const expected = Object.fromEntries(INPUTS.map((input) => [envName(input.name), `\${{ inputs.${input.name} }}`]));
    expect(step?.env).toEqual(expected);
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
  });

  it('wires every input with a flag to a flag the CLI takes', () => {
    const helpOf = (kind: string) => execFileSync(process.execPath, [BIN, kind, '--help'], { encoding: 'utf8' });
    const helps: Record<string, string> = {
      deployment: deploymentHelp,
      incident: helpOf('incident'),
      metrics: helpOf('metrics'),
    };
    for (const input of INPUTS) {
      if (input.flag === undefined) continue;
      for (const kind of input.kinds) {
        const help = helps[kind] ?? '';
        const known = new RegExp(`(^|[\\s,])${input.flag}\\b`).test(help);
        expect(known, `${input.name} → ${kind} ${input.flag}`).toBe(true);
      }
    }
  });

  it('pins the dora-cli version package.json has, everywhere it names one', () => {
    const pins = [...(step?.run ?? '').matchAll(/dora-cli[@-](\d+\.\d+\.\d+[^\s"/]*)/g)].map((match) => match[1]);
    expect(pins.length).toBeGreaterThanOrEqual(2);
    for (const pin of pins) expect(pin).toBe(PACKAGE_VERSION);
  });

  it('declares exactly the outputs the action writes, each read from the step', async () => {
    const written = new Set<string>();
    const metricsRun = await runAction({
      env: { INPUT_KIND: 'metrics', GITHUB_OUTPUT: '/out' },
      stdout: () => undefined,
      stderr: () => undefined,
      appendFile: (_path, text) => {
        for (const match of text.matchAll(/^([\w-]+)(=|<<)/gm)) written.add(match[1] ?? '');
      },
      random: () => 'r',
      runCli: async (_argv, _env, on) => {
        const result: MetricsResult = { ok: true, exit_code: 0, deployments: 0, failures: 0 };
        on.stdout(`${JSON.stringify(result)}\n`);
        return { code: 0, signal: null };
      },
    });
    expect(metricsRun).toBe(0);
    await runAction({
      env: { INPUT_SERVICE: 'x', GITHUB_OUTPUT: '/out' },
      stdout: () => undefined,
      stderr: () => undefined,
      appendFile: (_path, text) => {
        for (const match of text.matchAll(/^([\w-]+)(=|<<)/gm)) written.add(match[1] ?? '');
      },
      random: () => 'r',
      runCli: async (_argv, _env, on) => {
        const result: EventsResult = {
          ok: true,
          exit_code: 0,
          recorded: true,
          kind: 'deployment',
          id: 'abcdefghijklmnop',
          status: 202,
          started_at: '1795687200000000000',
        };
        on.stdout(`${JSON.stringify(result)}\n`);
        return { code: 0, signal: null };
      },
    });
    expect(Object.keys(action.outputs).sort()).toEqual([...written].sort());
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.value).toBe(`\${{ steps.dora.outputs.${name} }}`);
    }
  });

  it('is built into a bundle of its own that holds none of the CLI: src/action/, the time formatter, the metrics Markdown and zod', () => {
    const map = JSON.parse(readFileSync(join(ROOT, 'dist', 'github-action.js.map'), 'utf8')) as { sources: string[] };
    const sources = map.sources.map((source) => source.replace(/^(\.\.\/)+/, ''));
    expect(sources).toContain('src/action/main.ts');
    const foreign = sources.filter(
      (source) =>
        !source.startsWith('src/action/') &&
        source !== 'src/time.ts' &&
        // kind: metrics writes the job summary with the same renderer as dora metrics --markdown.
        ![
          'src/metrics/types.ts',
          'src/metrics/present.ts',
          'src/metrics/render-markdown.ts',
          'src/metrics/levels.ts',
          'src/output/count.ts',
        ].includes(source) &&
        !source.startsWith('node_modules/zod/'),
    );
    expect(foreign).toEqual([]);
  });

  it('is documented input for input and output for output', () => {
    expect(documented('#### Action inputs').sort()).toEqual(Object.keys(action.inputs).sort());
    expect(documented('#### Action outputs').sort()).toEqual(Object.keys(action.outputs).sort());
  });
});

describe('templates/deployment.yml', () => {
  const component = loadComponent('deployment');

  it('uses every input it declares, and declares every input it uses', () => {
    const used = new Set(
      [...component.text.split('\n---\n')[1]!.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1]),
    );
    expect([...used].sort()).toEqual(Object.keys(component.inputs).sort());
    for (const [name, input] of Object.entries(component.inputs)) expect(input.description, name).toBeTruthy();
  });

  it('has the inputs the issue asks for, and no key among them', () => {
    for (const name of [
      'site',
      'service',
      'env',
      'version',
      'stage',
      'image',
      'dora_version',
      'command',
      'rollback_of',
    ]) {
      expect(component.inputs, name).toHaveProperty(name);
    }
    expect(Object.keys(component.inputs).filter((name) => /key|token|secret/i.test(name))).toEqual([]);
    expect(component.inputs.image?.default).toBe('node');
    expect(component.inputs.service?.default).toBeUndefined(); // required
  });

  it('runs the dora-cli version package.json has, through the dora_version input', () => {
    expect(component.inputs.dora_version?.default).toBe(PACKAGE_VERSION);
    expect(component.text).toContain('npx --yes dora-cli@$[[ inputs.dora_version ]] ');
    expect(component.text.match(/dora-cli@/g)).toHaveLength(1);
  });

  it('passes every flag it builds to the CLI under a name the CLI takes', () => {
    const flags = new Set([...component.text.matchAll(/"\$@" (--[a-z-]+)/g)].map((m) => m[1] ?? ''));
    expect(flags.size).toBeGreaterThanOrEqual(6);
    for (const flag of flags) {
      const known = new RegExp(`(^|[\\s,])${flag}\\b`).test(deploymentHelp);
      expect(known, flag).toBe(true);
    }
  });

  it('is documented input for input, and report variable for report variable', () => {
    expect(documented('#### Component inputs').sort()).toEqual(Object.keys(component.inputs).sort());
    const reported = new Set([...component.text.matchAll(/`(DORA_DEPLOYMENT_\w+)=/g)].map((match) => match[1]));
    expect(reported.size).toBeGreaterThanOrEqual(4);
    expect(documented('#### Component report').sort()).toEqual([...reported].sort());
  });
});
