/**
 * The rate-limit budget, as Datadog's answers announce it: `X-RateLimit-Remaining` requests are left in the window,
 * which resets `X-RateLimit-Reset` seconds after the answer (`X-RateLimit-Period` is the whole window, used when the
 * reset is missing), and then holds `X-RateLimit-Limit` again. Requests still out are counted against what is left,
 * since the server may not have counted them yet: an import never has more out than the budget, and waits for the
 * reset instead of running into 429s. Until the first answer the budget is unknown, so one request goes alone.
 */

/** The answer's headers: `Headers`, or anything with the same `get` (case-insensitive names). */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** When an answer says the budget is spent but not when it comes back: wait this long, then try again. */
const UNKNOWN_RESET_MS = 1000;

export class RateBudget {
  /** Whether any answer came back: before that, one request probes alone. */
  private answered = false;
  private remaining: number | undefined;
  private limit: number | undefined;
  private resetAt = 0;

  /** `nowMs`: a monotonic clock. */
  constructor(private readonly nowMs: () => number) {}

  /** Takes the budget an answer announces; answers without the headers leave it as it was. */
  observe(headers: HeaderLookup | undefined): void {
    this.answered = true;
    const remaining = count(headers?.get('x-ratelimit-remaining'));
    if (remaining === undefined) return;
    const resetS = seconds(headers?.get('x-ratelimit-reset')) ?? seconds(headers?.get('x-ratelimit-period'));
    const now = this.nowMs();
    // Answers arrive out of order: within the window already known, the lowest count announced is the truth (an
    // answer to an earlier request says more is left than there is).
    const sameWindow = this.remaining !== undefined && now < this.resetAt;
    this.remaining = sameWindow ? Math.min(this.remaining ?? remaining, remaining) : remaining;
    this.limit = count(headers?.get('x-ratelimit-limit')) ?? this.limit;
    const resetAt = now + (resetS === undefined ? UNKNOWN_RESET_MS : resetS * 1000);
    this.resetAt = sameWindow ? Math.max(this.resetAt, resetAt) : resetAt;
  }

  /** Whether one more request may start while `inFlight` are out. */
  allows(inFlight: number): boolean {
    if (!this.answered) return inFlight === 0;
    if (this.remaining !== undefined && this.nowMs() >= this.resetAt) {
      // A new window: as much as the limit, when an answer said it; unknown (no bound) otherwise. A limit of 0 says
      // nothing usable (no request could ever go): one request probes again, as at the start.
      this.remaining = this.limit === 0 ? undefined : this.limit;
      if (this.remaining === undefined) this.answered = false;
    }
    return this.remaining === undefined || inFlight < this.remaining;
  }

  /** Milliseconds until the window resets (or a guess, when no answer said); for a wait with nothing out. */
  resetInMs(): number {
    const left = this.resetAt - this.nowMs();
    return left > 0 ? left : UNKNOWN_RESET_MS;
  }

  /** Milliseconds until the window resets, when an answer said so (for a 429 without Retry-After). */
  knownResetMs(): number | undefined {
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
