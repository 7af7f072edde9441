/**
 * The built CLI behind a real local forward proxy. The intake listens on 127.0.0.1 too, so these runs leave NO_PROXY
 * unset unless a test is about it: otherwise the proxy would be bypassed and prove nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { type Intake, startIntake, testTls } from '../helpers/intake.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { runDora } from '../helpers/run-dora.js';

const KEY = 'proxy-test-key-0123456789abcdef';
const PASSWORD = 'pr0xy-S3CRET-pass';
const SEND = ['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--verbose', '--deadline', '5'];

let intake: Intake | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await intake?.close();
  await proxy?.close();
  intake = proxy = undefined;
});

const hostPort = (url: string) => new URL(url).host;

/** Sends to the current HTTPS intake (its CA trusted) with `env` on top: the proxy settings a test is about. */
function sendOverHttps(env: Record<string, string>) {
  return runDora(SEND, {
    cwd: makePlainDir(),
    env: { DD_API_KEY: KEY, DORA_API_URL: intake?.url ?? '', NODE_EXTRA_CA_CERTS: testTls().caFile, ...env },
  });
}

describe('dora behind a proxy', () => {
  it.each(['HTTPS_PROXY', 'https_proxy'])('tunnels an HTTPS send through %s', async (variable) => {
    intake = await startIntake(undefined, { tls: true });
    proxy = await startProxy();
    const run = await sendOverHttps({ [variable]: proxy.url });
    expect(run.code).toBe(0);
    expect(proxy.visits).toEqual([{ method: 'CONNECT', target: hostPort(intake.url) }]);
    expect(intake.requests).toHaveLength(1);
  });

  it('sends an HTTP intake through HTTP_PROXY', async () => {
    intake = await startIntake();
    proxy = await startProxy();
    const run = await runDora(SEND, {
      cwd: makePlainDir(),
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url, HTTP_PROXY: proxy.url },
    });
    expect(run.code).toBe(0);
    expect(proxy.visits).toHaveLength(1);
    // undici tunnels plain HTTP too; an absolute-URI request would be just as good.
    expect(proxy.visits[0]?.target).toContain(hostPort(intake.url));
    expect(intake.requests).toHaveLength(1);
  });

  it('authenticates with the user info of the proxy URL and never prints the password', async () => {
    intake = await startIntake(undefined, { tls: true });
    proxy = await startProxy({ credentials: { user: 'ci-bot', password: PASSWORD } });
    const run = await sendOverHttps({ HTTPS_PROXY: `http://ci-bot:${PASSWORD}@127.0.0.1:${proxy.port}` });
    expect(run.code).toBe(0);
    expect(proxy.visits[0]?.proxyAuthorization).toBe(`Basic ${Buffer.from(`ci-bot:${PASSWORD}`).toString('base64')}`);
    expect(intake.requests).toHaveLength(1);
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
    expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
  });

  it('fails fast, without retrying, when the proxy refuses the credentials', async () => {
    intake = await startIntake(undefined, { tls: true });
    proxy = await startProxy({ credentials: { user: 'ci-bot', password: 'the-right-one' } });
    const run = await sendOverHttps({ HTTPS_PROXY: `http://ci-bot:${PASSWORD}@127.0.0.1:${proxy.port}` });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(
      `the proxy http://127.0.0.1:${proxy.port} refused the credentials given in its URL (HTTP 407)`,
    );
    expect(run.stderr).not.toMatch(/UND_ERR|Tunneling/);
    expect(proxy.visits).toHaveLength(1);
    expect(intake.requests).toHaveLength(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
  });

  it('asks for credentials when a proxy that needs them got none', async () => {
    intake = await startIntake(undefined, { tls: true });
    proxy = await startProxy({ credentials: { user: 'ci-bot', password: 'the-right-one' } });
    const run = await sendOverHttps({ HTTPS_PROXY: proxy.url });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('asks for credentials (HTTP 407). Put them in HTTPS_PROXY');
  });

  it('points at the proxy, not the intake, when HTTPS_PROXY says https:// for a plain-HTTP proxy', async () => {
    intake = await startIntake(undefined, { tls: true });
    proxy = await startProxy();
    const run = await sendOverHttps({ HTTPS_PROXY: proxy.url.replace('http://', 'https://') });
    expect(run.code).toBe(5);
    // Node 20 tries the TLS handshake with the proxy (wrong version number); Node 26 refuses an IP as TLS server
    // name before connecting. Either way the message is about the proxy's scheme, and nothing is retried.
    expect(run.stderr).toMatch(/check the scheme and port in HTTPS_PROXY|a proxy is usually given as http:\/\//);
    expect(run.stderr).not.toMatch(/DeprecationWarning|retrying/);
    expect(intake.requests).toHaveLength(0);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    intake = await startIntake(undefined, { tls: true });
    proxy = await startProxy();
    const run = await sendOverHttps({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
    expect(run.code).toBe(0);
    expect(proxy.visits).toHaveLength(0);
    expect(intake.requests).toHaveLength(1);
  });

  it('refuses a malformed proxy URL as invalid input, without echoing its password', async () => {
    intake = await startIntake();
    const run = await runDora(SEND, {
      cwd: makePlainDir(),
      env: {
        DD_API_KEY: KEY,
        DORA_API_URL: intake.url,
        https_proxy: `http://ci-bot:${PASSWORD}@proxy.example:notaport`,
      },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('https_proxy: "http://proxy.example:notaport" is not a proxy URL');
    expect(run.stderr).toContain(
      'such as http://proxy.example:3128 (credentials, when it needs them, go before the host',
    );
    expect(run.stderr).not.toContain(PASSWORD);
    expect(intake.requests).toHaveLength(0);
  });
});
