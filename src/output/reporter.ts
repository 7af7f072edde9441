/**
 * Everything said on stderr while a run works: progress, details, warnings and errors. Results go to stdout through
 * the CLI alone (src/cli.ts prints the one result a command returns). Every line passes through the one redactor
 * (src/output/redact.ts), so no credential reaches a log, whatever message produced it. Warnings are also kept, for
 * the `warnings` member of the result.
 */
import type { Redactor } from './redact.js';

export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The Node stream behind it, for a spinner that needs cursor control (and the terminal's width). */
  nodeStream?: () => NodeJS.WritableStream & { columns?: number };
}

/** The few colours the output uses. Plain by default. */
export interface Painter {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const same = (text: string) => text;
export const PLAIN: Painter = { green: same, yellow: same, red: same, dim: same };

/**
 * ANSI colours through Node's own util.styleText. Whether to colour at all is decided once (wantsColor), so the
 * stream check styleText does by default is turned off: it would build process.stdout just to look at it.
 */
export function colourPainter(): Painter {
  const { styleText } = process.getBuiltinModule('node:util');
  const style = (format: 'green' | 'yellow' | 'red' | 'dim') => (text: string) =>
    styleText(format, text, { validateStream: false });
  return { green: style('green'), yellow: style('yellow'), red: style('red'), dim: style('dim') };
}

export interface ReporterOptions {
  paint: Painter;
  /** Animate progress: only on an interactive stderr outside CI. */
  spinner: boolean;
  verbose: boolean;
  redactor: Redactor;
}

export class Reporter {
  /** Every warning said, in order, for the result's `warnings`. */
  readonly warnings: string[] = [];

  constructor(
    private readonly stderr: OutStream,
    private readonly options: ReporterOptions,
  ) {}

  /** The spinner on screen while `progress` runs. */
  private spinner: { clear(): unknown; render(): unknown } | undefined;

  /** Whether stderr is a terminal a person answers at (for confirmations), not CI. */
  get interactive(): boolean {
    return this.options.spinner;
  }

  get painter(): Painter {
    return this.options.paint;
  }

  info(message: string): void {
    this.line(message);
  }

  detail(message: string): void {
    if (this.options.verbose) this.line(message, this.options.paint.dim);
  }

  success(message: string): void {
    this.line(message, (text) => `${this.options.paint.green('✔')} ${text}`);
  }

  warn(message: string): void {
    this.warnings.push(this.redact(message));
    this.line(message, (text) => `${this.options.paint.yellow('warning:')} ${text}`);
  }

  error(message: string): void {
    this.line(message, (text) => `${this.options.paint.red('error:')} ${text}`);
  }

  /** Runs `task` with a spinner when allowed; otherwise says the text once (with --verbose) so logs still show it. */
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
      color: this.options.paint === PLAIN ? false : 'cyan',
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

  /**
   * A progress display of the caller's own (an import's bar, redrawn in place with `\r` and an erase-line
   * sequence): secrets masked, the caller's control sequences kept. Where it may animate, and how wide it may be.
   */
  get bar(): { write(text: string): void; terminal: boolean; columns?: number } {
    const columns = this.options.spinner ? this.stderr.nodeStream?.().columns : undefined;
    return {
      write: (text) => this.stderr.write(this.options.redactor.mask(text)),
      terminal: this.options.spinner && (columns ?? 0) > 0,
      ...(columns ? { columns } : {}),
    };
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

/**
 * Whether to colour what goes to `stream`: NO_COLOR (any value) and FORCE_COLOR=0 turn it off, TERM=dumb too; then
 * FORCE_COLOR turns it on; else only at a terminal.
 */
export function wantsColor(
  stream: OutStream,
  env: { noColor: boolean; forceColor: boolean | undefined; dumbTerminal: boolean },
): boolean {
  if (env.noColor || env.forceColor === false) return false;
  if (env.forceColor === true) return true;
  if (env.dumbTerminal) return false;
  return stream.isTTY === true;
}
