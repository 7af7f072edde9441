/**
 * The transport when a proxy is configured: undici's own fetch with an EnvHttpProxyAgent, so HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY (either case, user info in the proxy URL included) are honoured. The dispatcher and undici's
 * fetch go together on purpose: undici's dispatchers are not guaranteed to work with the copy of undici inside Node.
 * The proxy URLs arrive checked and percent-encoded by src/config.ts.
 */
import type { ClosableTransport, ProxySettings, Transport } from './types.js';

export async function createUndiciTransport(proxy: ProxySettings): Promise<ClosableTransport> {
  // undici is CommonJS: once bundled, its exports may sit on `default` rather than on the namespace.
  const namespace = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
  const { EnvHttpProxyAgent, fetch } = namespace.default ?? namespace;
  // Empty strings, not undefined: undici would otherwise read process.env itself, behind our config's back.
  // With HTTPS_PROXY unset, undici sends HTTPS through HTTP_PROXY too (curl would not); behind a corporate proxy
  // that is the more useful reading of a lone HTTP_PROXY.
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: proxy.httpProxy?.url ?? '',
    httpsProxy: proxy.httpsProxy?.url ?? '',
    noProxy: proxy.noProxy ?? '',
  });
  const transport: Transport = (url, init) => fetch(url, { ...init, dispatcher });
  return {
    transport,
    // destroy(), not close(): close() waits for requests still in flight, and a connection still opening to a
    // stalled host would keep the process (and a CI job) alive.
    close: () => dispatcher.destroy().catch(() => undefined),
  };
}
