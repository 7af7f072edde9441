/**
 * Progress of an import, on stderr only (stdout carries results): at a terminal, a bar redrawn in place with
 * done/total, the rate and the time left; elsewhere (CI logs, a file), one line every 10 s, and a line when the
 * import starts waiting on a rate limit, so a log never looks stalled without saying why. The caller decides which
 * (a terminal, not CI) and where the text goes.
 */
import type { Clock } from '../context.js';
import { formatDuration } from '../time.js';

export interface ProgressOptions {
  total: number;
  /** Draw a bar in place: stderr is a terminal a person watches. */
  terminal: boolean;
  /** Writes to stderr, as is (the bar carries a carriage return and an erase-line sequence). */
  write(text: string): void;
  clock: Pick<Clock, 'monotonicMs' | 'sleep'>;
  /** The terminal's width, for the bar. */
  columns?: number;
}

export interface Progress {
  /** Records whose outcome is known (recorded, refused, not delivered). */
  advance(count?: number): void;
  /** The import waits (a 429, a spent budget), or goes on (undefined). */
  waiting(wait: { ms: number; reason: string } | undefined): void;
  /** Clears the bar, or stops the periodic lines. */
  stop(): void;
}

/** A line every this often outside a terminal. */
export const LOG_EVERY_MS = 10_000;
/** The bar is redrawn at most this often: a terminal cannot show more, and writing costs. */
const REDRAW_MS = 100;

export function startProgress(options: ProgressOptions): Progress {
  const { total, clock, write } = options;
  const startedAt = clock.monotonicMs();
  let done = 0;
  let wait: { ms: number; reason: string; since: number } | undefined;
  let drawnAt = Number.NEGATIVE_INFINITY;
  const stopped = new AbortController();

  const figures = () => {
    const elapsedMs = clock.monotonicMs() - startedAt;
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const left = rate > 0 && done < total ? ((total - done) / rate) * 1000 : undefined;
    return {
      rate: rate >= 10 ? Math.round(rate).toString() : rate.toFixed(1),
      left: left === undefined ? undefined : duration(left),
      waitLeft: wait ? duration(Math.max(0, wait.ms - (clock.monotonicMs() - wait.since))) : undefined,
    };
  };

  const draw = () => {
    drawnAt = clock.monotonicMs();
    const { rate, left, waitLeft } = figures();
    const text = `${done}/${total} · ${rate}/s · ${wait ? `waiting ${waitLeft}: ${wait.reason}` : left ? `${left} left` : '…'}`;
    const width = Math.max(10, Math.min(40, (options.columns ?? 80) - text.length - 4));
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    write(`\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${text}\u001b[K`);
  };

  const logLine = () => {
    const { rate, left } = figures();
    write(`import: ${done} of ${total} done (${rate}/s${left ? `, about ${left} left` : ''})\n`);
  };

  if (options.terminal) draw();
  else
    void (async () => {
      try {
        while (!stopped.signal.aborted) {
          await clock.sleep(LOG_EVERY_MS, stopped.signal);
          if (!stopped.signal.aborted) logLine();
        }
      } catch {
        // stopped
      }
    })();

  return {
    advance(count = 1) {
      done += count;
      if (options.terminal && (done >= total || clock.monotonicMs() - drawnAt >= REDRAW_MS)) draw();
    },
    waiting(next) {
      wait = next ? { ...next, since: clock.monotonicMs() } : undefined;
      if (options.terminal) draw();
      else if (next) write(`import: waiting ${duration(next.ms)}: ${next.reason}\n`);
    },
    stop() {
      if (stopped.signal.aborted) return;
      stopped.abort();
      if (options.terminal) write('\r\u001b[K');
    },
  };
}

function duration(ms: number): string {
  return formatDuration(BigInt(Math.ceil(ms)) * 1_000_000n);
}
