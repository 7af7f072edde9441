/**
 * The hostile-server kit: raw TCP and TLS servers on 127.0.0.1 that answer a request (or a proxy's CONNECT) with
 * whatever bytes a test scripts, and count what they got. Where test/helpers/intake.ts plays a well-behaved Datadog,
 * these play the servers, gateways and proxies that misbehave: interim answers and switches of protocol, huge and
 * endless bodies, stalls after the headers, resets, bytes that are not HTTP, absurd JSON, dropped CONNECTs.
 */
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { testTls } from './intake.js';

export interface RawRequest {
  /** The request line: `POST /api/v2/dora/deployment HTTP/1.1`, or `CONNECT host:port HTTP/1.1` at a proxy. */
  line: string;
  method: string;
  target: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** What the server does once a request (its head and its Content-Length body) is in. */
export type Act = (socket: net.Socket, request: RawRequest, server: HostileServer) => void;

export interface HostileServer {
  /** `http://127.0.0.1:<port>` (`https://` with TLS). */
  url: string;
  port: number;
  /** TCP connections accepted, whether or not a request (or a TLS handshake) followed. */
  connections: number;
  requests: RawRequest[];
  /** Body bytes written by `endless` and `huge`, across connections. */
  bytesSent: number;
  close(): Promise<void>;
}

export interface HostileOptions {
  /** Serve TLS with the test certificate (trusted through NODE_EXTRA_CA_CERTS=testTls().caFile), plus these. */
  tls?: tls.TlsOptions;
}

export async function startHostile(act: Act, options: HostileOptions = {}): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    socket.on('error', () => undefined); // the client may reset, or fail the handshake: not the test's concern
    let buffered = Buffer.alloc(0);
    let acted = false;
    const onData = (chunk: Buffer) => {
      if (acted) return;
      buffered = Buffer.concat([buffered, chunk]);
      const request = parseRequest(buffered);
      if (!request) return;
      acted = true;
      socket.off('data', onData);
      state.requests.push(request);
      act(socket, request, state);
    };
    socket.on('data', onData);
  };
  const server = options.tls
    ? tls.createServer({ key: testTls().key, cert: testTls().cert, ...options.tls }, onSocket)
    : net.createServer(onSocket);
  server.on('tlsClientError', () => undefined);
  // Counted on the TCP connection, before any TLS handshake: a client that fails the handshake still connected.
  server.on('connection', (socket: net.Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: HostileServer = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    connections: 0,
    requests: [],
    bytesSent: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return state;
}

function parseRequest(buffered: Buffer): RawRequest | undefined {
  const end = buffered.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [line = '', ...fields] = buffered.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon > 0) headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = buffered.subarray(end + 4);
  if (body.length < length) return undefined;
  const [method = '', target = ''] = line.split(' ');
  return { line, method, target, headers, body: body.subarray(0, length).toString('utf8') };
}

/** Everything a test may script, by the class of misbehaviour it belongs to. */
export const answers = {
  /** Exactly these bytes, then close the connection or keep it open in silence. */
  raw:
    (bytes: string | Buffer, then: 'close' | 'stall' = 'close'): Act =>
    (socket) => {
      socket.write(bytes);
      if (then === 'close') socket.end();
    },

  /** A plain answer with a complete body. */
  status: (status: number, body = '', headers: Record<string, string> = {}): Act =>
    answers.raw(head(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers }) + body),

  /** `101 Switching Protocols` to an ordinary request: an upgrade nobody asked for. */
  switchProtocols: (protocol = 'websocket'): Act =>
    answers.raw(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${protocol}\r\nConnection: Upgrade\r\n\r\n`, 'stall'),

  /** A 101 without Upgrade headers: Node hands it over as an ordinary response with status 101. */
  bare101: (): Act => answers.raw('HTTP/1.1 101 Switching Protocols\r\nContent-Length: 0\r\n\r\n', 'stall'),

  /** Interim answers only (102 Processing, 103 Early Hints…), then close or fall silent. */
  interimOnly: (statuses: number[] = [102], then: 'close' | 'stall' = 'close'): Act =>
    answers.raw(statuses.map((status) => `HTTP/1.1 ${status} Interim\r\n\r\n`).join(''), then),

  /** Bytes that are not HTTP at all. */
  notHttp: (bytes = 'SSH-2.0-OpenSSH_9.6\r\n'): Act => answers.raw(bytes),

  /** Reset the connection without a word (RST, not FIN). */
  reset: (): Act => (socket) => socket.resetAndDestroy(),

  /** Close the connection without a word (what a proxy that refuses CONNECT this way does). */
  drop: (): Act => (socket) => socket.destroy(),

  /** The status line and headers, and perhaps the start of a body; then nothing, with the connection open. */
  stallAfterHeaders: (status: number, partialBody = '', headers: Record<string, string> = {}): Act =>
    answers.raw(
      head(status, { 'Content-Type': 'application/json', 'Content-Length': '1000000', ...headers }) + partialBody,
      'stall',
    ),

  /** A body of `bytes` bytes, with its Content-Length, written as fast as the client reads it. */
  huge: (status: number, bytes: number, fill = 'x'): Act =>
    stream(status, bytes, fill, { 'Content-Length': String(bytes) }),

  /** A body that never ends (no length; the server never closes), written as fast as the client reads it. */
  endless: (status: number, fill = 'x'): Act => stream(status, Number.POSITIVE_INFINITY, fill, {}),

  /** The status line and headers, then one byte of body every `everyMs`, forever: a body that never stalls long. */
  drip:
    (status: number, everyMs = 100): Act =>
    (socket) => {
      socket.write(head(status, { 'Content-Type': 'application/json', Connection: 'close' }));
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(' ')), everyMs);
      socket.on('close', () => clearInterval(timer));
    },

  /** JSON nested `depth` levels deep, as a whole answer. */
  deepJson: (status: number, depth: number): Act =>
    answers.status(status, `${'['.repeat(depth)}${']'.repeat(depth)}`, { 'Content-Type': 'application/json' }),
};

function head(status: number, headers: Record<string, string>): string {
  const fields = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} Hostile\r\n${fields.join('')}\r\n`;
}

/** Writes `total` bytes of `fill` after the head, respecting backpressure, until done or the client goes away. */
function stream(status: number, total: number, fill: string, headers: Record<string, string>): Act {
  const chunk = Buffer.alloc(64 * 1024, fill);
  return (socket, _request, server) => {
    socket.write(head(status, { 'Content-Type': 'text/html', Connection: 'close', ...headers }));
    let left = total;
    const pump = () => {
      while (left > 0 && !socket.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        server.bytesSent += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (left <= 0) socket.end();
    };
    pump();
  };
}

/** A port with nothing listening on it: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
