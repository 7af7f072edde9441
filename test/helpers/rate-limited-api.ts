/**
 * The stand-in DORA API (dora-api.ts) behind a rate limiter and a switchboard of bad days: every answer carries
 * `X-RateLimit-Limit/-Period/-Remaining/-Reset/-Name` for a fixed window of `limit` requests per `periodMs`; a request
 * over the limit gets 429 with `Retry-After`. On demand: 429s, 5xx storms, refusals of chosen events, and 401/403 for
 * everything. It counts every acknowledged write per event id, which is what "recorded exactly once" is checked on
 * (the wrapped API keeps one event per id, so it cannot tell a duplicate). Pure like the API it wraps: `answer` serves
 * msw, in-process sends and the real server of intake.ts alike.
 */
import type { DoraApi } from './dora-api.js';
import type { Reply } from './intake.js';

export interface RateLimitOptions {
  /** Requests per window; Infinity for no limit (the headers still say so). */
  limit?: number;
  periodMs?: number;
  /** `X-RateLimit-Name`. */
  name?: string;
  /** The server's clock in milliseconds (a virtual clock in unit tests, Date.now for a real server). */
  nowMs?: () => number;
}

export interface Write {
  /** When it arrived, by the server's clock. */
  at: number;
  id: string;
  status: number;
  attributes: Record<string, unknown>;
}

type Request = Parameters<DoraApi['answer']>[0];

export interface RateLimitedApi {
  api: DoraApi;
  answer(request: Request): Reply;
  /** Every write (POST deployment/failure), in order of arrival, with the status it got; times as exact digits. */
  writes: Write[];
  /** 2xx answers to writes, per event id. */
  acknowledged: Map<string, number>;
  /** The next `count` writes get `status` (a 5xx storm): nothing is recorded. */
  storm(count: number, status?: number): void;
  /** Writes whose attributes match are refused with `status` and the API's error shape. */
  refuse(match: (attributes: Record<string, unknown>) => boolean, status?: number, message?: string): void;
  /** Every request from now on gets `status` (401: a wrong key; 403: a key without the permission). */
  refuseAll(status: 401 | 403): void;
  /** The next `count` writes get 429 with `Retry-After: retryAfterS`, whatever the budget says. */
  tooMany(count: number, retryAfterS: number): void;
  /** Called with each write as it arrives, before it is answered (to kill a client mid-run, say). */
  onWrite?: ((write: Omit<Write, 'status'>, index: number) => void) | undefined;
}

const WRITE = /^\/api\/v2\/dora\/(deployment|failure)$/;

export function rateLimitedApi(api: DoraApi, options: RateLimitOptions = {}): RateLimitedApi {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const periodMs = options.periodMs ?? 10_000;
  const now = options.nowMs ?? (() => Date.now());
  let windowStart = Number.NEGATIVE_INFINITY;
  let used = 0;
  let stormLeft = 0;
  let stormStatus = 503;
  let tooManyLeft = 0;
  let tooManyAfterS = 1;
  let refuseEverything: number | undefined;
  const refusals: Array<{ match: (attributes: Record<string, unknown>) => boolean; status: number; message: string }> =
    [];

  const self: RateLimitedApi = {
    api,
    writes: [],
    acknowledged: new Map(),
    storm(count, status = 503) {
      stormLeft = count;
      stormStatus = status;
    },
    refuse(match, status = 400, message = 'Invalid event') {
      refusals.push({ match, status, message });
    },
    refuseAll(status) {
      refuseEverything = status;
    },
    tooMany(count, retryAfterS) {
      tooManyLeft = count;
      tooManyAfterS = retryAfterS;
    },
    answer(request) {
      const at = now();
      if (at >= windowStart + periodMs) {
        windowStart = Math.floor(at / periodMs) * periodMs;
        used = 0;
      }
      used++;
      const resetS = Math.ceil((windowStart + periodMs - at) / 1000);
      const headers = {
        'x-ratelimit-limit': String(limit === Number.POSITIVE_INFINITY ? 100_000 : limit),
        'x-ratelimit-period': String(Math.round(periodMs / 1000)),
        'x-ratelimit-remaining': String(Math.max(0, (limit === Number.POSITIVE_INFINITY ? 100_000 : limit) - used)),
        'x-ratelimit-reset': String(resetS),
        'x-ratelimit-name': options.name ?? 'dora_events',
      };
      const path = request.path.split('?')[0] ?? '';
      const isWrite = request.method === 'POST' && WRITE.test(path);
      const attributes = isWrite ? attributesOf(request.body) : {};
      const id = String(attributes.id ?? '');
      if (isWrite) self.onWrite?.({ at, id, attributes }, self.writes.length);
      const reply = (status: number, body: unknown, extra: Record<string, string> = {}): Reply => {
        if (isWrite) self.writes.push({ at, id, status, attributes });
        return {
          status,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/vnd.api+json', ...headers, ...extra },
        };
      };
      if (refuseEverything !== undefined) return reply(refuseEverything, { errors: ['Forbidden'] });
      if (used > limit) return reply(429, { errors: ['Too many requests'] }, { 'retry-after': String(resetS) });
      if (isWrite && tooManyLeft > 0) {
        tooManyLeft--;
        return reply(429, { errors: ['Too many requests'] }, { 'retry-after': String(tooManyAfterS) });
      }
      if (isWrite && stormLeft > 0) {
        stormLeft--;
        return reply(stormStatus, { errors: ['Service unavailable'] });
      }
      const refusal = isWrite ? refusals.find((one) => one.match(attributes)) : undefined;
      if (refusal) return reply(refusal.status, { errors: [{ title: 'Bad Request', detail: refusal.message }] });
      const answer = api.answer(request);
      if (typeof answer === 'string') return answer;
      if (isWrite) {
        self.writes.push({ at, id, status: answer.status, attributes });
        if (answer.status >= 200 && answer.status < 300)
          self.acknowledged.set(id, (self.acknowledged.get(id) ?? 0) + 1);
      }
      return { ...answer, headers: { ...answer.headers, ...headers } };
    },
  };
  return self;
}

/** The attributes of a write, its times as the exact digits sent (JSON.parse would round the nanoseconds). */
function attributesOf(body: string): Record<string, unknown> {
  try {
    const attributes = (JSON.parse(body) as { data?: { attributes?: Record<string, unknown> } }).data?.attributes ?? {};
    for (const name of ['started_at', 'finished_at']) {
      const digits = new RegExp(`"${name}":(\\d+)`).exec(body)?.[1];
      if (digits !== undefined) attributes[name] = digits;
    }
    return attributes;
  } catch {
    return {};
  }
}
