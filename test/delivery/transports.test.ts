/**
 * The production transport below the CLI, against real local servers: Node's http client, direct and through a CONNECT
 * tunnel. Real sockets show what a mock would not: the Proxy-Authorization made from the URL's user info, close()
 * ending a request that was never answered, a switch of protocols, connection reuse.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../../src/api/body.js';
import { createNodeTransport } from '../../src/api/transports/node.js';
import { TransportError } from '../../src/api/transports/types.js';
import { readConfig } from '../../src/config.js';
import { answers, startHostile } from '../helpers/hostile.js';
import { type Intake, startIntake } from '../helpers/intake.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

let intake: Intake | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await intake?.close();
  await proxy?.close();
  intake = proxy = undefined;
});

const init = (method: 'GET' | 'PATCH', body?: string) => ({
  method,
  headers: { 'DD-API-KEY': 'k', ...(body ? { 'Content-Type': 'application/json' } : {}) },
  ...(body ? { body } : {}),
  signal: new AbortController().signal,
  redirect: 'manual' as const,
});

describe('the node:http transport', () => {
  it('sends the method, headers and body, and reads status, headers and body', async () => {
    intake = await startIntake(() => ({ status: 202, body: '{"data":null}', headers: { 'x-answer': 'yes' } }));
    const { transport, close } = createNodeTransport();
    const response = await transport(`${intake.url}/api/v2/dora/deployments/abc`, init('PATCH', '{"a":1}'));
    expect(response.status).toBe(202);
    expect(response.headers.get('X-Answer')).toBe('yes');
    expect(await response.text()).toBe('{"data":null}');
    expect(intake.requests[0]).toMatchObject({
      method: 'PATCH',
      path: '/api/v2/dora/deployments/abc',
      body: '{"a":1}',
    });
    await close();
  });

  it('close() ends a request still waiting for its answer, so nothing keeps the process alive', async () => {
    intake = await startIntake(() => 'stall');
    const { transport, close } = createNodeTransport();
    const pending = transport(`${intake.url}/x`, init('GET'));
    while (intake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await close();
    await expect(pending).rejects.toThrow();
  });
});

describe('the node:http transport through a proxy', () => {
  it('tunnels through the proxy with the credentials of its URL, however odd the password', async () => {
    intake = await startIntake();
    proxy = await startProxy({ credentials: { user: 'ci-bot', password: 'p@ss w/rd#1' } });
    const config = readConfig({ HTTP_PROXY: `http://ci-bot:p@ss w/rd#1@127.0.0.1:${proxy.port}` });
    const { transport, close } = createNodeTransport(config.proxy);
    const response = await transport(`${intake.url}/api/v2/dora/deployments/abc`, init('GET'));
    expect(response.status).toBe(202);
    await close();
    expect(proxy.visits[0]?.proxyAuthorization).toBe(`Basic ${Buffer.from('ci-bot:p@ss w/rd#1').toString('base64')}`);
    expect(intake.requests).toHaveLength(1);
  });

  it('goes direct for a host NO_PROXY names', async () => {
    intake = await startIntake();
    proxy = await startProxy();
    const config = readConfig({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    const { transport, close } = createNodeTransport(config.proxy);
    expect((await transport(`${intake.url}/x`, init('GET'))).status).toBe(202);
    await close();
    expect(proxy.visits).toHaveLength(0);
  });
});

describe('what the transport settles with', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it('rejects a switch of protocols as a TransportError naming the status and protocol, and frees the socket', async () => {
    const server = await startHostile(answers.switchProtocols('h2c'));
    servers.push(server);
    const { transport, close } = createNodeTransport();
    const error = await transport(`${server.url}/x`, init('GET')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'upgrade', details: { status: 101 } });
    expect((error as Error).message).toBe('the server switched protocols (101 to h2c)');
    await close();
  });

  it('reads text() through the bounded reader: at most 1 MiB of an endless body', async () => {
    const server = await startHostile(answers.endless(200));
    servers.push(server);
    const { transport, close } = createNodeTransport();
    const response = await transport(`${server.url}/x`, init('GET'));
    expect(Buffer.byteLength(await response.text())).toBe(BODY_LIMIT);
    await close();
  });

  it('close() ends a tunnel still waiting for the proxy, so nothing keeps the process alive', async () => {
    const proxy = await startHostile(answers.raw('', 'stall'));
    servers.push(proxy);
    const { transport, close } = createNodeTransport(readConfig({ HTTP_PROXY: proxy.url }).proxy);
    const pending = transport('http://api.datadoghq.invalid/x', init('GET'));
    while (proxy.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await close();
    await expect(pending).rejects.toMatchObject({ code: 'proxy-failed' });
  });

  it('keeps one connection for several requests when asked to (a bulk run), and none otherwise', async () => {
    let connections = 0;
    const server = http.createServer((_, res) => res.end('{}'));
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    for (const keepAlive of [true, false]) {
      connections = 0;
      const { transport, close } = createNodeTransport({}, { keepAlive });
      for (let i = 0; i < 3; i++) await (await transport(url, init('GET'))).text();
      await close();
      expect(connections).toBe(keepAlive ? 1 : 3);
    }
  });
});
