/**
 * Both production transports below the CLI, against real local servers: Node's http client for direct requests and
 * undici's fetch with its proxy agent. msw cannot see undici, and real sockets show what a mock would not: the
 * Proxy-Authorization made from the URL's user info, and close() ending a request that was never answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeTransport } from '../../src/api/transports/node.js';
import { readConfig } from '../../src/config.js';
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
