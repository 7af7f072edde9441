/**
 * Everything the user reads. stdout carries results only (a dry-run body, or one JSON object with --json); progress,
 * warnings and errors go to stderr. Every stderr line passes through redaction, so neither the API key nor user info
 * in a URL can reach a log, whatever message produced it.
 */
import { redactUrlsInText } from './git/url.js';

export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The Node stream behind it, for a spinner that needs cursor control (and the terminal's width). */
  nodeStream?: () => NodeJS.WritableStream & { columns?: number };
}

/** The few colours the output uses. Plain by default; chalk is loaded only when colour is wanted. */
export interface Painter {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const same = (text: string) => text;
export const PLAIN: Painter = { green: same, yellow: same, red: same, dim: same };

export async function colourPainter(): Promise<Painter> {
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { green: chalk.green, yellow: chalk.yellow, red: chalk.red, dim: chalk.dim };
}

export interface ReporterOptions {
  paint: Painter;
  /** Animate progress: only on an interactive stderr outside CI. */
  spinner: boolean;
  verbose: boolean;
  /** Values that must never be printed (the API key). */
  secrets: readonly string[];
}

export class Reporter {
  constructor(
    private readonly stdout: OutStream,
    private readonly stderr: OutStream,
    private readonly options: ReporterOptions,
  ) {}

  /** The spinner on screen while `progress` runs. */
  private spinner: { clear(): unknown; render(): unknown } | undefined;

  private get paint(): Painter {
    return this.options.paint;
  }

  /**
   * A result for programs, on stdout, printed exactly as built (a dry run shows the very body that would be sent).
   * It is assembled from the user's own input and sanitised URLs, never from the key, so nothing is masked here:
   * masking could only corrupt it (a short test key matching digits of a timestamp would break the JSON).
   */
  result(text: string): void {
    this.stdout.write(`${text}\n`);
  }

  info(message: string): void {
    this.line(message);
  }

  detail(message: string): void {
    if (this.options.verbose) this.line(message, this.paint.dim);
  }

  success(message: string): void {
    this.line(message, (text) => `${this.paint.green('✔')} ${text}`);
  }

  warn(message: string): void {
    this.line(message, (text) => `${this.paint.yellow('warning:')} ${text}`);
  }

  error(message: string): void {
    this.line(message, (text) => `${this.paint.red('error:')} ${text}`);
  }

  /** Runs `task` with a spinner when allowed; otherwise prints the text once so CI logs still show progress. */
  async progress<T>(text: string, task: (update: (text: string) => void) => Promise<T>): Promise<T> {
    const stream = this.options.spinner ? this.stderr.nodeStream?.() : undefined;
    // A terminal that reports no width (`docker run -t` with no terminal behind it is 0×0) sends ora's line
    // clearing into an endless loop that starves everything else, the deadline included: no spinner there.
    if (!stream || !((stream.columns ?? 0) > 0)) {
      this.detail(text);
      // Without a spinner there is nothing to update: callers report each step (retries) themselves.
      return task(() => undefined);
    }
    const { default: ora } = await import('ora');
    const spinner = ora({
      text: this.redact(escapeControls(text)),
      stream,
      discardStdin: false,
      // ora colours its frames itself; follow our colour decision (NO_COLOR) rather than its own.
      color: this.paint === PLAIN ? false : 'cyan',
    });
    spinner.start();
    this.spinner = spinner;
    try {
      return await task((next) => {
        spinner.text = this.redact(escapeControls(next));
      });
    } finally {
      this.spinner = undefined;
      spinner.stop();
    }
  }

  /** `decorate` adds our colours and prefix after the message is escaped: any other control sequence came from input. */
  private line(message: string, decorate: (text: string) => string = (text) => text): void {
    // A line printed under a running spinner would be overdrawn by its next frame: lift the spinner, print, redraw.
    this.spinner?.clear();
    this.stderr.write(`${this.redact(decorate(escapeControls(message)))}\n`);
    this.spinner?.render();
  }

  private redact(text: string): string {
    return redactSecrets(text, this.options.secrets);
  }
}

/**
 * Control characters that came with user input (an escape sequence in a service name, a stray carriage return)
 * must not act on the terminal: they are shown as `\u001b` and the like. Newlines and tabs, which our own
 * messages use, stay.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A user's value inside a sentence: as it is, or JSON-quoted when it holds a control character (a newline too). */
export function shown(value: string): string {
  return /[\u0000-\u001f\u007f-\u009f]/.test(value) ? JSON.stringify(value) : value;
}

/** Masks URL user info and the given secrets (the API key) in text bound for stderr. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrlsInText(text);
  for (const secret of secrets) {
    // Very short values would mask innocent text; a real API key is 32 characters.
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** NO_COLOR wins (chalk alone ignores it); then FORCE_COLOR; else colour only on a terminal. */
export function wantsColor(stream: OutStream, env: { noColor: boolean; forceColor: boolean }): boolean {
  if (env.noColor) return false;
  if (env.forceColor) return true;
  return stream.isTTY === true;
}
