/** The shape of a transport: the subset of `fetch` the request engine uses, so Node's fetch (msw), undici's fetch and
 * the node:http(s) adapter all fit. */
export type { ProxySettings } from '../../config.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type Transport = (
  url: string,
  init: {
    method: HttpMethod;
    headers: Record<string, string>;
    body?: string;
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
