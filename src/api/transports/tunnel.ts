/**
 * One CONNECT tunnel through a forward proxy, opened with Node's own client: exactly one connection to the proxy per
 * call, so every connection attempt is one of the request engine's attempts, under its backoff and its limit. (A
 * proxy agent with a reconnect loop of its own once sent a proxy that drops CONNECT thousands of them a second.)
 *
 * Every target, plain HTTP included, goes through CONNECT: whatever answers the CONNECT is the proxy, and whatever
 * answers inside the tunnel is the server, so a 407 is never mistaken for the other's.
 */
import type { Socket } from 'node:net';
import type { ProxyUrl } from '../../config.js';
import { TransportError } from './types.js';

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * Resolves with the socket of an open tunnel to `target`'s host and port, or rejects with a TransportError:
 * `proxy-refused` (the proxy answered the CONNECT with `status`) or `proxy-failed` (no answer from the proxy; the
 * `cause` says why). `track` is given the CONNECT request, so the transport can end it if the run ends first.
 */
export function openTunnel(
  proxy: ProxyUrl,
  target: URL,
  signal: AbortSignal,
  track: (request: { destroy(): unknown }) => () => void,
): Promise<Socket> {
  const via = new URL(proxy.url);
  const authority = `${target.hostname}:${target.port || DEFAULT_PORTS[target.protocol]}`;
  const headers: Record<string, string> = { Host: authority };
  if (via.username || via.password) {
    // The URL holds them percent-encoded (src/config.ts), so any character of a password survives.
    const credentials = `${decodeURIComponent(via.username)}:${decodeURIComponent(via.password)}`;
    headers['Proxy-Authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const client = process.getBuiltinModule(via.protocol === 'https:' ? 'node:https' : 'node:http');
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: TransportError | undefined, socket?: Socket) => {
      if (settled) return;
      settled = true;
      untrack();
      if (error) reject(error);
      else resolve(socket as Socket);
    };
    const request = client.request({
      method: 'CONNECT',
      hostname: via.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: via.port || DEFAULT_PORTS[via.protocol],
      path: authority,
      headers,
      signal,
      agent: false,
    });
    const untrack = track(request);
    // Node hands every answer to a CONNECT, whatever its status, to this event, with the connection.
    request.on('connect', (response, socket: Socket, head: Buffer) => {
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        if (head.length > 0) socket.unshift(head);
        settle(undefined, socket);
        return;
      }
      socket.destroy();
      settle(
        new TransportError('proxy-refused', `the proxy refused the tunnel (${status})`, {
          status,
          proxy: proxy.display,
        }),
      );
    });
    request.on('error', (error) =>
      settle(
        new TransportError('proxy-failed', 'the tunnel through the proxy could not be opened', {
          cause: error,
          proxy: proxy.display,
        }),
      ),
    );
    request.on('close', () =>
      settle(
        new TransportError('proxy-failed', 'the proxy closed the connection without answering the CONNECT', {
          proxy: proxy.display,
        }),
      ),
    );
    request.end();
  });
}
