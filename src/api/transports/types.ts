/** The shape of a transport: the subset of `fetch` the request engine uses, so Node's fetch (msw), a test's own
 * function and dora's node:http(s) transport all fit. */
export type { ProxySettings } from '../../config.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface TransportResponse {
  /** The final status: a transport never resolves with an interim (1xx) answer, but the engine checks anyway. */
  status: number;
  headers: { get(name: string): string | null };
  /**
   * The body as it arrives, for the engine's bounded reader (src/api/body.ts). A fetch Response's `body` and Node's
   * IncomingMessage both fit. When absent, the engine falls back to `text()`, which nothing bounds.
   */
  body?: AsyncIterable<Uint8Array> | null;
  /** The whole body as text; dora's transport reads it through the same bounded reader. */
  text(): Promise<string>;
}

export type Transport = (
  url: string,
  init: {
    method: HttpMethod;
    headers: Record<string, string>;
    body?: string;
    /** Aborting it ends the request and its connection, whatever stage it is in, body included. */
    signal: AbortSignal;
    /** Never follow: a redirect would carry the keys to whatever host it names. */
    redirect: 'manual';
  },
) => Promise<TransportResponse>;

export interface ClosableTransport {
  transport: Transport;
  /** Called once the requests are over, answered or not: nothing may keep the process alive afterwards. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /**
   * Keep connections open between requests (for a run that makes many). Direct connections only: through a proxy,
   * each request opens its own tunnel. Off by default: one request per run, and nothing may hold the process open.
   */
  keepAlive?: boolean;
}

/**
 * What a transport saw that is not a network error of Node's own, each named once:
 * - `upgrade`: the server switched protocols (101, or an `Upgrade` it acted on): no HTTP answer will come;
 * - `interim-only`: the server sent only interim (1xx) answers, then closed the connection;
 * - `no-answer`: the connection closed with no answer and no error (a safety net: every request settles);
 * - `proxy-refused`: the proxy answered the CONNECT with a status other than 2xx (`status` says which);
 * - `proxy-failed`: the tunnel could not be opened: the proxy was unreachable, closed the connection or answered
 *   something that is not HTTP (`cause` says what). Nothing reached the API.
 */
export type TransportErrorCode = 'upgrade' | 'interim-only' | 'no-answer' | 'proxy-refused' | 'proxy-failed';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly details: { status?: number; proxy?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TransportError';
  }
}
