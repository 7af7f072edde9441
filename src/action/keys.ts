/**
 * Pure: the keys a workflow gives as inputs, and the variables the CLI reads them from. One table serves both
 * directions: the plan hands each key to the CLI under its first variable and leaves the others out of the CLI's
 * environment (the CLI reads DATADOG_API_KEY before DD_API_KEY, so one left in the job's environment would win), and
 * the CLI's messages, which name the variables, are reworded to name the input the user actually set.
 */

export interface KeyInput {
  input: 'api-key' | 'app-key';
  /** The CLI's variables for this key; the first is the one the action sets. */
  variables: readonly [string, ...string[]];
}

export const KEY_INPUTS: readonly KeyInput[] = [
  { input: 'api-key', variables: ['DD_API_KEY', 'DATADOG_API_KEY'] },
  { input: 'app-key', variables: ['DD_APP_KEY', 'DATADOG_APP_KEY'] },
];

/**
 * `message` with every mention of a given key's variables naming its input instead. A mention is one variable, or
 * two of the same key said as alternatives ("DD_API_KEY (or DATADOG_API_KEY)", "DD_APP_KEY or DATADOG_APP_KEY"), so
 * the input is named once. `given`: the inputs the workflow set.
 */
export function nameKeyInputs(message: string, given: readonly string[]): string {
  let out = message;
  for (const { input, variables } of KEY_INPUTS) {
    if (!given.includes(input)) continue;
    const one = `\\b(?:${variables.join('|')})\\b`;
    const mention = new RegExp(`${one}(?:\\s*\\((?:or\\s+)?${one}\\)|\\s+or\\s+${one})?`, 'g');
    out = out.replace(mention, `the ${input} input`);
  }
  return out;
}
