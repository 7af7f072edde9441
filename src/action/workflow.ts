/**
 * Pure: GitHub Actions' workflow commands (lines on stdout the runner acts on), the `$GITHUB_OUTPUT` file format, and
 * the keys masked in everything the action writes. Escaping as the runner undoes it: in a command's message `%`, CR and LF become `%25`, `%0D` and `%0A`, so a
 * message can neither end the command early nor start another one.
 */

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Each line of a secret is masked on its own: the runner matches masks line by line. */
export function maskCommands(secret: string): string[] {
  return secretLines([secret]).map((line) => `::add-mask::${escapeData(line)}`);
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

/** Each line of each secret: the runner masks line by line, and so does the action. */
function secretLines(secrets: readonly string[]): string[] {
  return secrets.flatMap((secret) => secret.split(/\r?\n/)).filter((line) => line.trim() !== '');
}

/** Every occurrence of a credential in `text` becomes `***`, as the runner's own masking shows it. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const line of secretLines(secrets)) out = out.split(line).join('***');
  return out;
}

/**
 * One of the action's output streams, for text that arrives in chunks (the CLI's stdout and stderr): each chunk is
 * passed on as it comes, unchanged but for the keys, which become `***`. The only text held back is an end of a chunk
 * that could be the start of a key, until the next chunk says whether it is one; a key line holds no line break, so
 * whatever ends with one goes out at once. `command` writes a workflow command on a line of its own.
 */
export class LogStream {
  private readonly secrets: string[];
  private held = '';
  private atLineStart = true;

  constructor(
    private readonly write: (text: string) => void,
    secrets: readonly string[],
  ) {
    this.secrets = secretLines(secrets);
  }

  push(chunk: string): void {
    const text = scrub(this.held + chunk, this.secrets);
    const keep = this.partialKeyAtEnd(text);
    this.held = text.slice(text.length - keep);
    this.emit(text.slice(0, text.length - keep));
  }

  /** Lets out whatever was held back: the stream ended. */
  flush(): void {
    const rest = this.held;
    this.held = '';
    this.emit(rest);
  }

  command(line: string): void {
    this.flush();
    this.emit(`${this.atLineStart ? '' : '\n'}${scrub(line, this.secrets)}\n`);
  }

  private emit(text: string): void {
    if (text === '') return;
    this.write(text);
    this.atLineStart = text.endsWith('\n');
  }

  /** The length of the longest end of `text` that a key begins with (a whole key was already masked). */
  private partialKeyAtEnd(text: string): number {
    let longest = 0;
    for (const secret of this.secrets) {
      for (let length = Math.min(secret.length - 1, text.length); length > longest; length--) {
        if (text.endsWith(secret.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
