/**
 * dora's one transport: Node's own http/https client, wrapped in the fetch-shaped Transport the engine expects, for
 * direct connections and, through a CONNECT tunnel (./tunnel.ts), for proxied ones. Loading no HTTP library keeps a
 * send fast (`npm run bench`), and owning the connection keeps every connection attempt under the engine's policy.
 *
 * Every request settles: with an answer (its status line; the body is read later, through the engine's bounded
 * reader), or with an error, including for what is no answer at all (a switch of protocols, interim answers only, a
 * connection closed in silence). Node's client never follows redirects, as the engine requires.
 */
import type { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import { readBody } from '../body.js';
import { proxyFor } from './no-proxy.js';
import { openTunnel } from './tunnel.js';
import {
  type ClosableTransport,
  type ProxySettings,
  type Transport,
  TransportError,
  type TransportOptions,
  type TransportResponse,
} from './types.js';

export function createNodeTransport(proxy: ProxySettings = {}, options: TransportOptions = {}): ClosableTransport {
  // Requests and tunnels still open when delivery is over (a body never read to its end) must not keep the process
  // alive: close() ends them.
  const open = new Set<{ destroy(): unknown }>();
  const track = (request: { destroy(): unknown }) => {
    open.add(request);
    return () => open.delete(request);
  };
  const agents = options.keepAlive ? keepAliveAgents() : undefined;

  const transport: Transport = async (url, init) => {
    const target = new URL(url);
    const via = proxyFor(target, proxy);
    // A tunnel that could not be opened carried nothing to the server.
    const tunnel = via
      ? await openTunnel(via, target, init.signal, track).catch((error: unknown) => {
          throw notSent(error);
        })
      : undefined;
    const connection: RequestOptions = tunnel
      ? { createConnection: () => overTunnel(tunnel, target) }
      : { agent: agents ? agents[target.protocol === 'http:' ? 'http' : 'https'] : false };
    return send(target, init, connection, track, agents !== undefined, tunnel);
  };
  return {
    transport,
    close: async () => {
      for (const request of open) request.destroy();
      agents?.http.destroy();
      agents?.https.destroy();
    },
  };
}

function keepAliveAgents(): { http: Agent; https: Agent } {
  const http = process.getBuiltinModule('node:http');
  const https = process.getBuiltinModule('node:https');
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

/** The connection a request to `target` uses inside an open tunnel: TLS to the server for https, else the tunnel. */
function overTunnel(tunnel: Socket, target: URL): Socket {
  if (target.protocol !== 'https:') return tunnel;
  const tls = process.getBuiltinModule('node:tls');
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  // The certificate is checked against `host`; an IP address is no server name to send (RFC 6066).
  const isIp = process.getBuiltinModule('node:net').isIP(host) !== 0;
  return tls.connect({ socket: tunnel, host, ...(isIp ? {} : { servername: host }) });
}

function send(
  target: URL,
  init: Parameters<Transport>[1],
  connection: RequestOptions,
  track: (request: ClientRequest) => () => void,
  keepAlive: boolean,
  tunnel?: Socket,
): Promise<TransportResponse> {
  const client = process.getBuiltinModule(target.protocol === 'http:' ? 'node:http' : 'node:https');
  return new Promise((resolve, reject) => {
    let answered = false;
    /**
     * The connection was ready (connected, and for https the handshake done): from then on the request may reach
     * the server. A failure before that (a stalled handshake) sent nothing.
     */
    let ready = false;
    /** The last interim (1xx) status, if the server sent one: named if nothing final follows. */
    let interim: number | undefined;
    const request = client.request(target, {
      method: init.method,
      headers: init.headers,
      signal: init.signal,
      ...connection,
    });
    const untrack = track(request);
    request.on('socket', (socket: Socket) => {
      const secure = target.protocol === 'https:' && socket instanceof process.getBuiltinModule('node:tls').TLSSocket;
      if (request.reusedSocket || (!secure && !socket.connecting)) ready = true;
      else
        socket.once(secure ? 'secureConnect' : 'connect', () => {
          ready = true;
        });
    });
    request.on('close', () => {
      untrack();
      tunnel?.destroy();
    });
    request.on('information', (info) => {
      interim = info.statusCode;
    });
    request.on('response', (response: IncomingMessage) => {
      answered = true;
      // Errors reach whoever reads the body (the engine's reader); unread, a late one must not crash the process.
      response.on('error', () => undefined);
      if (!keepAlive) {
        // The connection is never reused: close it now rather than wait for the server to (a round trip that every
        // run would otherwise spend before it can exit).
        response.on('end', () => request.destroy());
      }
      resolve({
        status: response.statusCode ?? 0,
        headers: { get: (name) => headerValue(response.headers, name) },
        body: response,
        text: () => readBody(response, new AbortController().signal).then((prefix) => prefix.text),
      });
    });
    // Only with a listener here does Node hand over a connection the server switched to another protocol; without
    // one it closes it in silence and the request would never settle.
    request.on('upgrade', (response: IncomingMessage, socket: Socket) => {
      socket.destroy();
      const protocol = response.headers.upgrade;
      reject(
        new TransportError(
          'upgrade',
          `the server switched protocols (${response.statusCode ?? 101}${protocol ? ` to ${protocol}` : ''})`,
          { status: response.statusCode ?? 101 },
        ),
      );
    });
    request.on('error', (error) => {
      if (answered) return;
      const failure =
        interim === undefined
          ? error
          : new TransportError('interim-only', `the server sent only an interim answer (${interim})`, {
              status: interim,
              cause: error,
            });
      reject(ready ? failure : notSent(failure));
    });
    request.on('close', () => {
      // Settled already in every case Node reports; this one keeps the promise honest if a case is ever missed.
      if (!answered) reject(new TransportError('no-answer', 'the connection closed without an answer'));
    });
    request.end(init.body);
  });
}

/** Marks a failure as one before the request left: nothing of it reached the server. */
function notSent(error: unknown): unknown {
  if (error !== null && typeof error === 'object') Object.assign(error, { requestSent: false });
  return error;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
