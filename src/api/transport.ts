/**
 * The production transport: undici's own fetch with an EnvHttpProxyAgent, so HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 * (either case, user info in the proxy URL included) are honoured. The dispatcher and undici's fetch are used
 * together on purpose: undici's dispatchers are not guaranteed to work with the copy of undici inside Node.
 * undici is imported lazily because only a real send needs it.
 */
import { UsageError } from '../errors.js';
import { sanitizeRepositoryUrl } from '../git/url.js';
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

/** Node's own client for direct connections; undici, for its proxy support, when a proxy is configured. */
export async function createTransport(proxy: ProxySettings): Promise<ClosableTransport> {
  if (proxy.httpProxy === undefined && proxy.httpsProxy === undefined) {
    const { createNodeTransport } = await import('./node-transport.js');
    return createNodeTransport();
  }
  return createUndiciTransport(proxy);
}

export async function createUndiciTransport(proxy: ProxySettings): Promise<ClosableTransport> {
  // Checked before undici sees them: its own errors for a bad proxy URL are a bare "Invalid URL" (exit 1, a "bug").
  const httpProxy = proxyUrl(proxy.httpProxy, 'HTTP_PROXY');
  const httpsProxy = proxyUrl(proxy.httpsProxy, 'HTTPS_PROXY');
  // undici is CommonJS: once bundled, its exports may sit on `default` rather than on the namespace.
  const namespace = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
  const { EnvHttpProxyAgent, fetch } = namespace.default ?? namespace;
  // Empty strings, not undefined: undici would otherwise read process.env itself, behind our config's back.
  // With HTTPS_PROXY unset, undici sends HTTPS through HTTP_PROXY too (curl would not); behind a corporate proxy
  // that is the more useful reading of a lone HTTP_PROXY.
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: httpProxy ?? '',
    httpsProxy: httpsProxy ?? '',
    noProxy: proxy.noProxy ?? '',
  });
  const transport: Transport = (url, init) => fetch(url, { ...init, dispatcher });
  return {
    transport,
    // Called once delivery is over, answered or not. destroy(), not close(): close() waits for requests still in
    // flight, and a connection still opening to a stalled host would keep the process (and a CI job) alive.
    close: () => dispatcher.destroy().catch(() => undefined),
  };
}

/**
 * Accepts `http://host:port`, `https://…` and, like curl, a bare `host:port` (taken as http). User info stays in the
 * URL, since undici turns it into Proxy-Authorization, but is never echoed in a message.
 */
export function proxyUrl(raw: string | undefined, variable: string): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  const shown = JSON.stringify(sanitizeRepositoryUrl(withScheme));
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${variable} (or its lowercase form): ${shown} is not a proxy URL such as http://proxy.example:3128.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${variable} (or its lowercase form): ${shown} must be an http:// or https:// proxy URL.`);
  }
  if (!url.hostname) {
    throw new UsageError(`${variable} (or its lowercase form): ${shown} names no proxy host.`);
  }
  return withScheme;
}
