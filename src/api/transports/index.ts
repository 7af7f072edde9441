/**
 * The transport for a run: Node's own http/https client, direct or through the configured proxy (NO_PROXY applied
 * per request). Imported on demand: a dry run never loads the network modules.
 */
import type { ClosableTransport, ProxySettings, TransportOptions } from './types.js';

export async function createTransport(
  proxy: ProxySettings,
  options: TransportOptions = {},
): Promise<ClosableTransport> {
  const { createNodeTransport } = await import('./node.js');
  return createNodeTransport(proxy, options);
}
