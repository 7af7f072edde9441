/**
 * The request engine and its transport against servers and proxies that misbehave (test/helpers/hostile.ts), on real
 * sockets and a real clock with short timeouts. What is asserted is what settles, how, and how many connections it
 * took: never how long it took (the test timeout bounds that).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../../src/api/body.js';
import { type FailureSubject, failureError } from '../../src/api/messages.js';
import { type Answer, type ApiCall, RequestFailure, type RequestPolicy, request } from '../../src/api/request.js';
import { createNodeTransport } from '../../src/api/transports/node.js';
import type { ProxySettings } from '../../src/api/transports/types.js';
import { readConfig } from '../../src/config.js';
import type { Clock } from '../../src/context.js';
import type { DoraError } from '../../src/errors.js';
import { type Act, answers, closedPort, type HostileServer, startHostile } from '../helpers/hostile.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

const realClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
};
const POLICY: RequestPolicy = { requestTimeoutMs: 1_500, deadlineMs: 6_000, maxAttempts: 3 };
const POST: ApiCall = { method: 'POST', path: '/api/v2/dora/deployment', body: '{"data":{}}', apiKey: 'k' };
const GET: ApiCall = { method: 'GET', path: '/api/v2/dora/deployments/abc', apiKey: 'k', appKey: 'a', needsJson: true };

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function hostile(act: Act): Promise<HostileServer> {
  const server = await startHostile(act);
  servers.push(server);
  return server;
}

type Settled = { answer: Answer; failure?: undefined } | { answer?: undefined; failure: RequestFailure };

/** One call through dora's own transport, settled either way. */
async function call(
  base: string,
  what: ApiCall = POST,
  options: { proxy?: ProxySettings; policy?: Partial<RequestPolicy> } = {},
): Promise<Settled> {
  const { transport, close } = createNodeTransport(options.proxy);
  try {
    const answer = await request(
      what,
      { ...POLICY, ...options.policy },
      { baseUrl: base, userAgent: 'dora-cli/test', transport, clock: realClock, random: () => 0 },
    );
    return { answer };
  } catch (error) {
    if (error instanceof RequestFailure) return { failure: error };
    throw error;
  } finally {
    await close();
  }
}

const subject = (action: FailureSubject['action'] = 'record'): FailureSubject => ({
  action,
  noun: 'deployment',
  host: '127.0.0.1',
});
const worded = (failure: RequestFailure | undefined, action?: FailureSubject['action']): DoraError => {
  if (!failure) throw new Error('expected a failure');
  return failureError(failure, subject(action));
};

describe('every request settles, whatever answers', () => {
  it.each<{ name: string; act: () => Act; answer: string; status?: number }>([
    { name: 'a 101 with Upgrade headers', act: () => answers.switchProtocols(), answer: 'upgrade', status: 101 },
    { name: 'a 101 without them', act: () => answers.bare101(), answer: 'upgrade', status: 101 },
    { name: 'a 102, then a close', act: () => answers.interimOnly([102]), answer: 'interim-only', status: 102 },
    { name: '103 and 199, then a close', act: () => answers.interimOnly([103, 199]), answer: 'interim-only' },
    { name: 'a 100 Continue, then a close', act: () => answers.interimOnly([100]), answer: 'interim-only' },
    { name: 'bytes that are not HTTP', act: () => answers.notHttp(), answer: 'not-http' },
    {
      name: 'a status line Node cannot parse',
      act: () => answers.raw('HTTP/1.1 2000 Huh\r\n\r\n'),
      answer: 'not-http',
    },
  ])(
    '$name: an unusable answer, exit 5, after one attempt, for a POST and a GET alike',
    async ({ act, answer, status }) => {
      for (const what of [POST, GET]) {
        const server = await hostile(act());
        const { failure } = await call(server.url, what);
        expect(failure?.kind).toBe('unusable-answer');
        expect(failure?.details).toMatchObject({ answer, attempts: 1, ...(status ? { status } : {}) });
        expect(server.connections).toBe(1);
        const error = worded(failure, what === GET ? 'read' : 'record');
        expect(error.exitCode).toBe(5);
        expect(error.message).toContain('127.0.0.1');
      }
    },
  );

  it('names an upgrade for what it is, and says a POST that reached the server may have been recorded', async () => {
    const server = await hostile(answers.switchProtocols('h2c'));
    const message = worded((await call(server.url)).failure).message;
    expect(message).toMatch(
      /^Event not confirmed: 127\.0\.0\.1 switched protocols \(HTTP 101\) instead of answering\./,
    );
    expect(message).toContain('may or may not have been recorded');
  });

  it('takes interim answers followed by a final one as the final one', async () => {
    const body = '{"data":{"id":"evt-interim"}}';
    const final = `HTTP/1.1 202 Accepted\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    for (const interim of ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n']) {
      const server = await hostile(answers.raw(interim + final));
      const { answer } = await call(server.url);
      expect(answer).toMatchObject({ status: 202, attempts: 1, json: { data: { id: 'evt-interim' } } });
    }
  });

  it('refuses endless headers as an unusable answer, after one attempt', async () => {
    const server = await hostile(answers.raw(`HTTP/1.1 200 OK\r\n${'X-Flood: yes\r\n'.repeat(20_000)}`, 'stall'));
    const { failure } = await call(server.url);
    expect(failure?.details).toMatchObject({ answer: 'not-http', attempts: 1 });
  });

  it('retries a server that resets or closes in silence, at most max-attempts times', async () => {
    for (const act of [answers.reset(), answers.drop()]) {
      const server = await hostile(act);
      const { failure } = await call(server.url);
      expect(failure?.kind).toBe('gave-up');
      expect(failure?.details.attempts).toBe(3);
      expect(server.connections).toBe(3);
    }
  });

  it('gives up on interim answers followed by silence at the attempt timeout, and says what came', async () => {
    const server = await hostile(answers.interimOnly([102], 'stall'));
    const { failure } = await call(server.url, POST, { policy: { maxAttempts: 1, requestTimeoutMs: 500 } });
    expect(failure?.kind).toBe('gave-up');
    expect(failure?.details.reason).toBe('no answer within 0.5s (only an interim answer came)');
  });
});

describe('bodies: read up to 1 MiB, for a bounded time; the status decides', () => {
  it('counts a 202 with a 50 MB body as recorded, reading no more than its limit', async () => {
    const server = await hostile(answers.huge(202, 50 * 1024 * 1024));
    const { answer } = await call(server.url);
    expect(answer?.status).toBe(202);
    expect(answer?.json).toBeUndefined();
    // The rest was never read: the connection was closed, so the server could not write it all.
    expect(server.bytesSent).toBeLessThan(50 * 1024 * 1024);
  });

  it('retries an endless 503 as "HTTP 503", never as no answer, and reads a bounded part of each', async () => {
    const server = await hostile(answers.endless(503, '<html><script>'));
    const { failure } = await call(server.url);
    expect(failure?.kind).toBe('gave-up');
    expect(failure?.details).toMatchObject({ attempts: 3, maybeRecorded: false });
    expect(failure?.details.reason).toMatch(/^HTTP 503\b/);
    expect(server.connections).toBe(3);
  });

  it('refuses a read whose 200 body is larger than the limit, endless or not, without retrying', async () => {
    for (const act of [answers.endless(200, '['), answers.huge(200, BODY_LIMIT + 1, ' ')]) {
      const server = await hostile(act);
      const { failure } = await call(server.url, GET);
      expect(failure?.kind).toBe('unusable-body');
      expect(failure?.details).toMatchObject({ body: 'too-large', attempts: 1 });
      expect(worded(failure, 'read').message).toContain('larger than the 1 MiB dora reads');
    }
  });

  it('reads exactly up to the limit: a body of 1 MiB is whole, one byte more is not', async () => {
    const json = (size: number) => `"${'x'.repeat(size - 2)}"`;
    const exact = await hostile(answers.status(200, json(BODY_LIMIT)));
    expect((await call(exact.url, GET)).answer?.json).toHaveLength(BODY_LIMIT - 2);
    const over = await hostile(answers.status(200, json(BODY_LIMIT + 1)));
    expect((await call(over.url, GET)).failure?.details.body).toBe('too-large');
  });

  it.each([
    { status: 400, kind: 'rejected', exit: 4 },
    { status: 401, kind: 'unauthorized', exit: 3 },
    { status: 403, kind: 'unauthorized', exit: 3 },
    { status: 404, kind: 'not-found', exit: 4 },
    { status: 422, kind: 'rejected', exit: 4 },
  ])(
    'takes a $status whose body stalls at its word: $kind, exit $exit, one attempt',
    async ({ status, kind, exit }) => {
      const server = await hostile(answers.stallAfterHeaders(status, '{"errors":["no'));
      const { failure } = await call(server.url, POST, { policy: { requestTimeoutMs: 500 } });
      expect(failure?.kind).toBe(kind);
      expect(failure?.details.attempts).toBe(1);
      expect(server.connections).toBe(1);
      const error = worded(failure);
      expect(error.exitCode).toBe(exit);
      expect(error.message).not.toMatch(/may or may not|no answer/);
    },
  );

  it('reports a 503 whose body stalls as refused with 503, never as no answer', async () => {
    const server = await hostile(answers.stallAfterHeaders(503));
    const { failure } = await call(server.url, POST, { policy: { maxAttempts: 2, requestTimeoutMs: 500 } });
    expect(failure?.details).toMatchObject({ attempts: 2, maybeRecorded: false, reason: 'HTTP 503' });
    expect(worded(failure).message).toBe('Event not delivered after 2 attempts; last error: HTTP 503.');
  });

  it.each([502, 504])('takes a gateway’s %i as maybe recorded: it may have passed the event on', async (status) => {
    const server = await hostile(answers.status(status, 'gateway'));
    const { failure } = await call(server.url, POST, { policy: { maxAttempts: 2, requestTimeoutMs: 500 } });
    expect(failure?.details).toMatchObject({ attempts: 2, maybeRecorded: true });
    expect(worded(failure).message).toMatch(/may or may not/);
  });

  it('takes a status HTTP does not have (600) as no answer, exit 5, not as a refusal', async () => {
    const server = await hostile(answers.status(600, 'odd'));
    const { failure } = await call(server.url, POST);
    expect(failure?.kind).toBe('unusable-answer');
    expect(failure?.details).toMatchObject({ attempts: 1, maybeRecorded: true });
    expect(worded(failure).exitCode).toBe(5);
  });

  it('counts a 202 whose body stalls as recorded', async () => {
    const server = await hostile(answers.stallAfterHeaders(202, '{"data":{"id":"ab'));
    expect((await call(server.url, POST, { policy: { requestTimeoutMs: 500 } })).answer?.status).toBe(202);
  });

  it('retries a read whose 200 body stalls or breaks off, and says so when it gives up', async () => {
    const server = await hostile(answers.stallAfterHeaders(200, '{"data":'));
    const { failure } = await call(server.url, GET, { policy: { maxAttempts: 2, requestTimeoutMs: 500 } });
    expect(failure?.kind).toBe('gave-up');
    expect(failure?.details.reason).toBe('HTTP 200, but its body stopped arriving after 8 bytes');
    expect(server.connections).toBe(2);
  });

  it('refuses deep or malformed JSON in a read as an unusable body, and describes a deep refusal without crashing', async () => {
    const deep = await hostile(answers.deepJson(200, 100_000));
    expect((await call(deep.url, GET)).failure?.details.body).toBe('too-deep');
    const malformed = await hostile(answers.status(200, '{"data":{"id":'));
    expect((await call(malformed.url, GET)).failure?.details.body).toBe('not-json');
    const refusal = await hostile(answers.status(400, `{"errors":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`));
    const { failure } = await call(refusal.url);
    expect(failure?.kind).toBe('rejected');
    expect(worded(failure).exitCode).toBe(4);
  });

  it('treats a 407 from the server itself as a refusal (exit 4), worded as coming from the server', async () => {
    const server = await hostile(answers.status(407, '{"errors":["Proxy Authentication Required"]}'));
    const error = worded((await call(server.url)).failure);
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain('HTTP 407');
    expect(error.message).toContain('came from 127.0.0.1 itself, not from a proxy');
    expect(error.message).not.toContain('asks for credentials');
  });
});

describe("proxies: every connection attempt is one of the engine's", () => {
  const through = (server: HostileServer | TestProxy, extra: Record<string, string> = {}) =>
    readConfig({ HTTP_PROXY: server.url, ...extra }).proxy;

  it('opens at most max-attempts connections to a proxy that drops CONNECT, with backoff between them', async () => {
    const proxy = await hostile(answers.drop());
    const { failure } = await call(`http://127.0.0.1:${await closedPort()}`, POST, { proxy: through(proxy) });
    expect(failure?.kind).toBe('gave-up');
    expect(failure?.details).toMatchObject({ attempts: 3, maybeRecorded: false });
    expect(proxy.connections).toBe(3);
    expect(proxy.requests.map((seen) => seen.method)).toEqual(['CONNECT', 'CONNECT', 'CONNECT']);
  });

  it("retries a proxy's 502 on CONNECT and words it as a refused tunnel, not library internals", async () => {
    const proxy = await hostile(answers.status(502, 'upstream unreachable'));
    const { failure } = await call('http://api.datadoghq.invalid', POST, { proxy: through(proxy) });
    expect(proxy.connections).toBe(3);
    const message = worded(failure).message;
    expect(message).toBe('Event not delivered after 3 attempts; last error: the proxy refused the tunnel (502).');
  });

  it("does not retry a proxy's 403 on CONNECT, and says nothing reached Datadog", async () => {
    const proxy = await hostile(answers.status(403, 'blocked by policy'));
    const { failure } = await call('http://api.datadoghq.invalid', POST, { proxy: through(proxy) });
    expect(failure?.kind).toBe('proxy-refused');
    expect(proxy.connections).toBe(1);
    const error = worded(failure);
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain('refused the tunnel to 127.0.0.1 (403 Forbidden)');
    expect(error.message).not.toMatch(/UND_ERR|Tunneling|!==/);
  });

  it("keeps a proxy's 407 a proxy-credentials failure", async () => {
    const proxy = await hostile(answers.status(407, '', { 'Proxy-Authenticate': 'Basic realm="corp"' }));
    const { failure } = await call('http://api.datadoghq.invalid', POST, { proxy: through(proxy) });
    expect(failure?.kind).toBe('proxy-auth');
    expect(proxy.connections).toBe(1);
  });

  it('does not retry a proxy that answers CONNECT with something that is not HTTP, and sent nothing', async () => {
    const proxy = await hostile(answers.notHttp());
    const { failure } = await call('http://api.datadoghq.invalid', POST, { proxy: through(proxy) });
    expect(failure?.kind).toBe('unusable-answer');
    expect(failure?.details).toMatchObject({ atProxy: true, maybeRecorded: false });
    expect(worded(failure).message).toMatch(
      /^Event not delivered: the proxy answered with something that is not valid HTTP/,
    );
  });

  it("judges the answers inside the tunnel as the server's: a 407 there is a refusal, an upgrade is unusable", async () => {
    const proxy = await startProxy();
    servers.push(proxy);
    const refusing = await hostile(answers.status(407));
    const refused = await call(refusing.url, POST, { proxy: through(proxy) });
    expect(refused.failure?.kind).toBe('rejected');
    const upgrading = await hostile(answers.switchProtocols());
    const upgraded = await call(upgrading.url, POST, { proxy: through(proxy) });
    expect(upgraded.failure?.details).toMatchObject({ answer: 'upgrade', attempts: 1 });
    expect(proxy.visits.map((visit) => visit.method)).toEqual(['CONNECT', 'CONNECT']);
  });

  it.each([
    ['::1', 'http://[::1]:PORT'],
    ['[::1]', 'http://[::1]:PORT'],
    ['[::1]:PORT', 'http://[::1]:PORT'],
    ['0:0:0:0:0:0:0:1', 'http://[::1]:PORT'],
    ['::/0', 'http://[::1]:PORT'],
    ['LocalHost', 'http://localhost:PORT'],
    ['.LOCALHOST', 'http://localhost:PORT'],
    ['127.0.0.0/8', 'http://127.0.0.1:PORT'],
    ['example.com, 127.0.0.1:PORT', 'http://127.0.0.1:PORT'],
  ])('goes direct on the send path for NO_PROXY=%s (%s)', async (noProxy, url) => {
    const proxy = await hostile(answers.drop());
    const port = String(await closedPort());
    const settings = through(proxy, { NO_PROXY: noProxy.replaceAll('PORT', port) });
    const { failure } = await call(url.replace('PORT', port), POST, { proxy: settings, policy: { maxAttempts: 1 } });
    // Nothing listens there, and the proxy was never asked.
    expect(failure?.details.reason).toMatch(/ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH|EAFNOSUPPORT/);
    expect(proxy.connections).toBe(0);
  });

  it('still uses the proxy when NO_PROXY names another port or another address', async () => {
    for (const noProxy of ['::1', '[::1]:1', '127.0.0.1:1', '10.0.0.0/8', 'localhost']) {
      const proxy = await hostile(answers.drop());
      const settings = through(proxy, { NO_PROXY: noProxy });
      await call(`http://127.0.0.1:${await closedPort()}`, POST, { proxy: settings, policy: { maxAttempts: 1 } });
      expect(proxy.connections, noProxy).toBe(1);
    }
  });
});

describe('an intake that behaves, for contrast', () => {
  let intake: Intake | undefined;
  afterEach(async () => {
    await intake?.close();
    intake = undefined;
  });

  it('reads a read answer whole and parses it', async () => {
    intake = await startIntake(() => ({ status: 200, body: '{"data":{"id":"abc","attributes":{}}}' }));
    const { answer } = await call(intake.url, GET);
    expect(answer?.json).toEqual({ data: { id: 'abc', attributes: {} } });
  });
});
