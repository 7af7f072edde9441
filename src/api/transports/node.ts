/**
 * The transport for a direct connection (no proxy configured): Node's own http/https client, wrapped in the
 * fetch-shaped Transport the engine expects. Without a proxy, loading undici would cost more than the whole send (it
 * pulls in http2, zlib, web streams and a WebAssembly parser); `npm run bench` shows the difference.
 * Node's client never follows redirects, as the engine requires.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ClosableTransport, Transport } from './types.js';

export function createNodeTransport(): ClosableTransport {
  // Requests still open when delivery is over (a 2xx whose body never ended) must not keep the process alive.
  const open = new Set<import('node:http').ClientRequest>();
  const transport: Transport = (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const client = process.getBuiltinModule(target.protocol === 'http:' ? 'node:http' : 'node:https');
      const request = client.request(
        target,
        // No keep-alive agent: one request per run, and nothing may hold the process open afterwards.
        { method: init.method, headers: init.headers, signal: init.signal, agent: false },
        (response) => {
          // Resolved on the status line, like fetch: the client judges a 2xx even if the body never arrives.
          const body = new Promise<string>((resolveBody, rejectBody) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', rejectBody);
            response.on('aborted', () =>
              rejectBody(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' })),
            );
            response.on('end', () => {
              resolveBody(Buffer.concat(chunks).toString('utf8'));
              // The connection is never reused: close it now rather than wait for the server to (a round trip
              // that every run would otherwise spend before it can exit).
              request.destroy();
            });
          });
          body.catch(() => undefined); // read (or not) through text(); an unread failure is not an unhandled one
          resolve({
            status: response.statusCode ?? 0,
            headers: { get: (name) => headerValue(response.headers, name) },
            text: () => body,
          });
        },
      );
      open.add(request);
      request.on('close', () => open.delete(request));
      request.on('error', reject);
      request.end(init.body);
    });
  return {
    transport,
    close: async () => {
      for (const request of open) request.destroy();
    },
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
