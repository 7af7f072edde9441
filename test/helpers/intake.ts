/**
 * A stand-in Datadog intake on 127.0.0.1 (HTTP or HTTPS) that records every request and answers as each test says:
 * a status and body, a stall (accept and never answer), or a dropped connection.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Reply =
  /** `stallBody`: send the status line, headers and the body, then keep the response open forever. */
  { status: number; body?: string; headers?: Record<string, string>; stallBody?: boolean } | 'stall' | 'destroy';

export interface Intake {
  /** Base URL to pass as --api-url / DORA_API_URL. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const ACCEPTED = (type = 'dora_deployment'): Reply => ({
  status: 202,
  body: JSON.stringify({ data: { id: 'evt-from-intake', type } }),
  headers: { 'content-type': 'application/vnd.api+json' },
});

export interface Tls {
  key: string;
  cert: string;
  /** Path of the certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
}

let cachedTls: Tls | undefined;

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl at test time (no key is committed). */
export function testTls(): Tls {
  if (cachedTls) return cachedTls;
  const dir = mkdtempSync(join(tmpdir(), 'dora-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  cachedTls = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), caFile: certFile };
  return cachedTls;
}

export async function startIntake(
  reply: (request: RecordedRequest, index: number) => Reply = () => ACCEPTED(),
  options: { tls?: boolean } = {},
): Promise<Intake> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = reply(recorded, requests.length - 1);
      if (answer === 'stall') return; // keep the socket open, say nothing
      if (answer === 'destroy') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      if (answer.stallBody) res.write(answer.body ?? '');
      else res.end(answer.body ?? '');
    });
  };
  const server = options.tls
    ? https.createServer({ key: testTls().key, cert: testTls().cert }, handler)
    : http.createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
