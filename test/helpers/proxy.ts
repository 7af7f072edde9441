/**
 * A real forward proxy on 127.0.0.1, as a CI network's would be: CONNECT tunnels (HTTPS, and HTTP when the client
 * tunnels it) and absolute-URI requests (plain HTTP). It records what passed through and can demand Basic credentials.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ProxyVisit {
  method: string;
  /** `host:port` for CONNECT, the absolute URI otherwise. */
  target: string;
  proxyAuthorization?: string;
}

export interface TestProxy {
  /** `http://127.0.0.1:<port>`, without credentials. */
  url: string;
  port: number;
  visits: ProxyVisit[];
  close(): Promise<void>;
}

export async function startProxy(
  options: { credentials?: { user: string; password: string } } = {},
): Promise<TestProxy> {
  const visits: ProxyVisit[] = [];
  const sockets = new Set<net.Socket>();
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;

  const admit = (req: http.IncomingMessage, target: string): boolean => {
    const auth = req.headers['proxy-authorization'];
    visits.push({ method: req.method ?? '', target, ...(auth ? { proxyAuthorization: auth } : {}) });
    return expected === undefined || auth === expected;
  };

  const server = http.createServer((req, res) => {
    if (!admit(req, req.url ?? '')) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    if (!admit(req, target)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    visits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
