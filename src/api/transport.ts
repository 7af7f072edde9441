/**
 * The production transport: undici's own fetch with an EnvHttpProxyAgent, so HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 * (either case, user info in the proxy URL included) are honoured. The dispatcher and undici's fetch are used
 * together on purpose: undici's dispatchers are not guaranteed to work with the copy of undici inside Node.
 * undici is imported lazily because only a real send needs it.
 */
import type { Transport } from './client.js';

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface ClosableTransport {
  transport: Transport;
  close(): Promise<void>;
}

export async function createUndiciTransport(proxy: ProxySettings): Promise<ClosableTransport> {
  // undici is CommonJS: once bundled, its exports may sit on `default` rather than on the namespace.
  const namespace = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
  const { EnvHttpProxyAgent, fetch } = namespace.default ?? namespace;
  // Empty strings, not undefined: undici would otherwise read process.env itself, behind our config's back.
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '', // unset: undici falls back to the HTTP proxy, as curl users expect
    noProxy: proxy.noProxy ?? '',
  });
  const transport: Transport = (url, init) => fetch(url, { ...init, dispatcher });
  return {
    transport,
    // Keep-alive sockets would hold the process open after the answer; close them once we are done.
    close: () => dispatcher.close().catch(() => undefined),
  };
}
