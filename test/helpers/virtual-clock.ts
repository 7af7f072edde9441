/**
 * A virtual clock for the request engine and the CLI: sleeps (backoffs, attempt timeouts, the 2xx body grace) wait on
 * virtual time, which jumps to the next timer as soon as the process has nothing else to do. "Nothing else" is judged
 * by letting the event loop turn a few dozen times: enough for msw's in-memory answers, never for real I/O, so use it
 * with msw or scripted transports, not with real servers.
 */
import type { Clock } from '../../src/context.js';

export const WALL_START = Date.parse('2026-11-26T10:00:00Z');
const IDLE_TURNS = 50;

interface Timer {
  at: number;
  ms: number;
  resolve(): void;
}

export interface VirtualClock extends Clock {
  /** Virtual milliseconds since the start. */
  elapsed(): number;
  /** Every completed sleep's length, in order: backoffs and timeouts alike. */
  slept: number[];
}

export function virtualClock(): VirtualClock {
  let now = 0;
  const timers = new Set<Timer>();
  const slept: number[] = [];
  let advancing = false;

  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const advance = async () => {
    if (advancing) return;
    advancing = true;
    try {
      while (timers.size > 0) {
        for (let i = 0; i < IDLE_TURNS; i++) await turn();
        const next = [...timers].sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers.delete(next);
        now = Math.max(now, next.at);
        slept.push(next.ms);
        next.resolve();
      }
    } finally {
      advancing = false;
    }
  };

  return {
    slept,
    elapsed: () => now,
    monotonicMs: () => now,
    wallMs: () => WALL_START + now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const timer: Timer = {
          at: now + ms,
          ms,
          resolve: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          timers.delete(timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timers.add(timer);
        void advance();
      }),
  };
}
