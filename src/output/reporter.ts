/**
 * Everything the user reads. stdout carries results only (a dry-run body, a read, or one JSON object with --json);
 * progress, warnings and errors go to stderr. Both streams pass through the one redactor (src/output/redact.ts), so
 * no credential reaches a log, whatever message produced it.
 */
import type { Redactor } from './redact.js';

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
  redactor: Redactor;
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

  /** A result for programs, on stdout: a dry run's body, a read, or the --json object. */
  result(text: string): void {
    this.stdout.write(this.redact(`${text}\n`));
  }

  /** Whether stderr is a terminal a person answers at (for confirmations), not CI. */
  get interactive(): boolean {
    return this.options.spinner;
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
      text: this.redact(text),
      stream,
      discardStdin: false,
      // ora colours its frames itself; follow our colour decision (NO_COLOR) rather than its own.
      color: this.paint === PLAIN ? false : 'cyan',
    });
    spinner.start();
    this.spinner = spinner;
    try {
      return await task((next) => {
        spinner.text = this.redact(next);
      });
    } finally {
      this.spinner = undefined;
      spinner.stop();
    }
  }

  /** `decorate` adds our colours and prefix after redaction escaped control characters: any others came from input. */
  private line(message: string, decorate: (text: string) => string = (text) => text): void {
    // A line printed under a running spinner would be overdrawn by its next frame: lift the spinner, print, redraw.
    this.spinner?.clear();
    this.stderr.write(`${decorate(this.redact(message))}\n`);
    this.spinner?.render();
  }

  private redact(text: string): string {
    return this.options.redactor.redact(text);
  }
}

/** NO_COLOR wins (chalk alone ignores it); then FORCE_COLOR; else colour only on a terminal. */
export function wantsColor(stream: OutStream, env: { noColor: boolean; forceColor: boolean }): boolean {
  if (env.noColor) return false;
  if (env.forceColor) return true;
  return stream.isTTY === true;
}
