/**
 * Picks the transport: Node's own http/https client for direct connections, undici (for its proxy support) when a
 * proxy is configured. Each is imported only when chosen: loading undici costs more than a whole direct send.
 */
import type { ClosableTransport, ProxySettings } from './types.js';

export async function createTransport(proxy: ProxySettings): Promise<ClosableTransport> {
  if (proxy.httpProxy === undefined && proxy.httpsProxy === undefined) {
    const { createNodeTransport } = await import('./node.js');
    return createNodeTransport();
  }
  const { createUndiciTransport } = await import('./undici.js');
  return createUndiciTransport(proxy);
}
