/**
 * Pure: GitHub Actions' workflow commands (lines on stdout the runner acts on) and the `$GITHUB_OUTPUT` file format.
 * Escaping as the runner undoes it: in a command's message `%`, CR and LF become `%25`, `%0D` and `%0A`, so a
 * message can neither end the command early nor start another one.
 */

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Each line of a secret is masked on its own: the runner matches masks line by line. */
export function maskCommands(secret: string): string[] {
  return secret
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => `::add-mask::${escapeData(line)}`);
}

export function annotation(level: 'error' | 'warning', message: string): string {
  return `::${level}::${escapeData(message)}`;
}

/**
 * One `name=value` entry of `$GITHUB_OUTPUT`; a value with a line break uses the `name<<delimiter` form, with a
 * delimiter `random` makes that the value cannot contain.
 */
export function outputEntry(name: string, value: string, random: () => string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  let delimiter = `dora_${random()}`;
  while (value.includes(delimiter)) delimiter = `dora_${random()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Every occurrence of a credential in `text` becomes `***`, as the runner's own masking shows it. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const line of secret.split(/\r?\n/)) {
      if (line.trim() !== '') out = out.split(line).join('***');
    }
  }
  return out;
}
