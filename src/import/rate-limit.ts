/**
 * The rate-limit budget, as Datadog's answers announce it: `X-RateLimit-Remaining` requests are left in the window,
 * which resets `X-RateLimit-Reset` seconds after the answer (`X-RateLimit-Period` is the whole window, used when the
 * reset is missing). Requests still out are counted against what is left, since the server may not have counted them
 * yet: an import never has more out than the budget, and waits for the reset instead of running into 429s.
 */

/** The answer's headers: `Headers`, or anything with the same `get` (case-insensitive names). */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** When an answer says the budget is spent but not when it comes back: wait this long, then try again. */
const UNKNOWN_RESET_MS = 1000;

export class RateBudget {
  private remaining: number | undefined;
  private resetAt = 0;

  /** `nowMs`: a monotonic clock. */
  constructor(private readonly nowMs: () => number) {}

  /** Takes the budget an answer announces; answers without the headers change nothing. */
  observe(headers: HeaderLookup | undefined): void {
    const remaining = count(headers?.get('x-ratelimit-remaining'));
    if (remaining === undefined) return;
    const resetS = seconds(headers?.get('x-ratelimit-reset')) ?? seconds(headers?.get('x-ratelimit-period'));
    this.remaining = remaining;
    this.resetAt = this.nowMs() + (resetS === undefined ? UNKNOWN_RESET_MS : resetS * 1000);
  }

  /** Milliseconds before one more request may start while `inFlight` are out: 0 to start now. */
  waitMs(inFlight: number): number {
    if (this.remaining === undefined) return 0;
    const left = this.resetAt - this.nowMs();
    if (left <= 0) {
      // A new window: its budget is unknown until the next answer says it.
      this.remaining = undefined;
      return 0;
    }
    return inFlight < this.remaining ? 0 : left;
  }

  /** The seconds until the window resets, when an answer said so (for a 429 without Retry-After). */
  resetMs(): number | undefined {
    const left = this.resetAt - this.nowMs();
    return this.remaining !== undefined && left > 0 ? left : undefined;
  }
}

function count(value: string | null | undefined): number | undefined {
  return value != null && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

function seconds(value: string | null | undefined): number | undefined {
  return value != null && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
}
