/**
 * The built binary against servers, proxies and streams that misbehave (test/helpers/hostile.ts): every run settles
 * with the exit code its class deserves and one line saying what happened; memory stays bounded against an endless
 * body (peak RSS, read at exit); connections to a proxy are counted. Assertions are on codes, counts and bounds,
 * never on durations.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { type Act, answers, closedPort, type HostileServer, startHostile } from '../helpers/hostile.js';
import { ACCEPTED, type Intake, type Reply, startIntake, testTls } from '../helpers/intake.js';
import { BIN, type DoraRun, runDora, TEST_BINARY } from '../helpers/run-dora.js';

const KEYS = { DD_API_KEY: 'hostile-e2e-api-key-0123456789', DD_APP_KEY: 'hostile-e2e-app-key-0123456789abcdef' };
const SEND = ['deployment', '--service', 'checkout', '--started-at', 'now', '--skip-git'];
const SHOW = ['deployment', 'show', 'deployment-0001-abcdef'];

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function hostile(act: Act, options?: Parameters<typeof startHostile>[1]): Promise<HostileServer> {
  const server = await startHostile(act, options);
  servers.push(server);
  return server;
}

async function intake(reply: (index: number) => Reply): Promise<Intake> {
  const started = await startIntake((_, index) => reply(index));
  servers.push(started);
  return started;
}

function dora(args: string[], url: string, env: Record<string, string> = {}): Promise<DoraRun> {
  return runDora(args, { cwd: makePlainDir(), env: { ...KEYS, DORA_API_URL: url, ...env } });
}

/** What every failing run must look like: its code, and one line on stderr naming what happened. */
function expectOneLine(run: DoraRun, code: number, says: string | RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error: '));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(says);
  expect(run.stderr).not.toMatch(/\u001b|This is a bug|^\s+at .+:\d+:\d+\)?$|UND_ERR|!==|:error:[0-9A-F]{8}:/m);
}

describe('every run settles: an answer dora cannot use is exit 5 with a message', () => {
  it.each<{ name: string; act: () => Act; says: RegExp }>([
    { name: '101 Switching Protocols', act: () => answers.switchProtocols(), says: /switched protocols \(HTTP 101\)/ },
    { name: 'a bare 101', act: () => answers.bare101(), says: /switched protocols \(HTTP 101\)/ },
    { name: '102, then a close', act: () => answers.interimOnly([102]), says: /only an interim answer \(HTTP 102\)/ },
    { name: '103 and a close', act: () => answers.interimOnly([103]), says: /only an interim answer \(HTTP 103\)/ },
    { name: 'bytes that are not HTTP', act: () => answers.notHttp(), says: /something that is not valid HTTP/ },
  ])('$name: for a send, a read and a wrapped deploy alike', async ({ act, says }) => {
    const server = await hostile(act());
    expectOneLine(await dora(SEND, server.url), 5, says);
    expectOneLine(await dora(SHOW, server.url), 5, says);
    const wrapped = await dora([...SEND, '--', 'sh', '-c', 'exit 0'], server.url);
    expect(wrapped.code).toBe(5);
    expect(wrapped.stderr).toMatch(says);
    expect(wrapped.stderr).toContain('The deploy command itself succeeded (exit 0); only recording it failed.');
    // One request per run: none of these answers is retried.
    expect(server.requests).toHaveLength(3);
  });

  it('settles doctor too, with the failure named in its network check', async () => {
    const server = await hostile(answers.switchProtocols());
    const run = await dora(['doctor'], server.url);
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBe(1);
    expect(`${run.stdout}${run.stderr}`).toContain('switched protocols (HTTP 101)');
  });
});

describe('bodies are read up to 1 MiB: memory stays flat, the status decides', () => {
  /** Runs dora with a preload that writes its peak resident memory (KiB) to a file as it exits. */
  async function peakRss(args: string[], url: string): Promise<{ run: DoraRun; rssMiB: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'dora-rss-'));
    const preload = join(dir, 'rss.cjs');
    const out = join(dir, 'rss.txt');
    writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));`,
    );
    const run = await dora(args, url, { NODE_OPTIONS: `--require ${preload}` });
    return { run, rssMiB: Number(readFileSync(out, 'utf8')) / 1024 };
  }

  // Measured through a NODE_OPTIONS preload, which the standalone binary ignores by design (it is not Node to its
  // user): the packed package runs this; the binary runs the same code.
  it.skipIf(TEST_BINARY !== undefined)(
    'keeps peak memory bounded against endless bodies, for a refusal and for a read',
    async () => {
      const small = await intake(() => ACCEPTED());
      const baseline = (await peakRss(SEND, small.url)).rssMiB;
      const refusing = await hostile(answers.endless(503, '<html><script>'));
      const refused = await peakRss([...SEND, '--deadline', '6', '--max-attempts', '3'], refusing.url);
      expectOneLine(refused.run, 5, /^error: Event not delivered after 3 attempts; last error: HTTP 503/);
      const reading = await hostile(answers.endless(200, '['));
      const read = await peakRss(SHOW, reading.url);
      expectOneLine(read.run, 5, /larger than the 1 MiB dora reads/);
      // Each run read at most 1 MiB of bodies that would have filled any memory: both stay near a plain send.
      for (const { rssMiB } of [refused, read]) {
        expect(rssMiB).toBeLessThan(baseline + 48);
        expect(rssMiB).toBeLessThan(200);
      }
      // And they stopped reading: the servers could write only a little of what they had.
      expect(refusing.bytesSent + reading.bytesSent).toBeLessThan(4 * 64 * 1024 * 1024);
    },
  );

  it('records once and exits 0 on a 202 with a 530 MB body', async () => {
    const server = await hostile(answers.huge(202, 530 * 1024 * 1024));
    const run = await dora([...SEND, '--json'], server.url);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, status: 202, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('exits 5, not 1, on deep or malformed JSON in a read', async () => {
    for (const act of [answers.deepJson(200, 100_000), answers.status(200, '{"data":{"id":')]) {
      const server = await hostile(act);
      const run = await dora([...SHOW, '--json'], server.url);
      expect(run.code, run.stderr).toBe(5);
      expect(run.stderr).not.toMatch(/bug|Maximum call stack/);
    }
  });

  it.each([
    { status: 400, code: 4 },
    { status: 401, code: 3 },
    { status: 403, code: 3 },
    { status: 407, code: 4 },
  ])('takes a $status whose body stalls at its word: exit $code, one request', async ({ status, code }) => {
    const server = await hostile(answers.stallAfterHeaders(status, '{"errors":["stal'));
    const run = await dora([...SEND, '--request-timeout', '1'], server.url);
    expectOneLine(run, code, new RegExp(`HTTP ${status}`));
    expect(run.stderr).not.toMatch(/may or may not|no answer|asks for credentials/);
    expect(server.requests).toHaveLength(1);
  });

  it('stops promptly on SIGTERM while a body trickles in', async () => {
    const server = await hostile(answers.drip(200, 50));
    let signalled = 0;
    const run = await runDora(SHOW, {
      cwd: makePlainDir(),
      env: { ...KEYS, DORA_API_URL: server.url },
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (server.requests.length > 0) {
            clearInterval(poll);
            setTimeout(() => {
              signalled = performance.now();
              child.kill('SIGTERM');
            }, 300);
          }
        }, 20);
      },
    });
    expect(signalled).toBeGreaterThan(0);
    expect(run.code).toBe(143);
    expect(run.stderr).toContain('Interrupted by SIGTERM');
  });
});

describe('TLS failures are final, and named for what they are', () => {
  const env = { NODE_EXTRA_CA_CERTS: testTls().caFile };
  it.each<{ name: string; tls: import('node:tls').TlsOptions; says: string }>([
    {
      name: 'a server that wants a client certificate (TLS 1.3)',
      tls: { requestCert: true, rejectUnauthorized: true },
      says: 'the TLS handshake with 127.0.0.1',
    },
    {
      name: 'a server that wants a client certificate (TLS 1.2)',
      tls: { requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' },
      says: 'it may want a client certificate',
    },
    {
      name: 'a server that speaks only TLS 1.1',
      tls: { maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      says: 'share no TLS version',
    },
  ])('$name: exit 5 after one connection, "nothing was sent", no CA advice', async ({ tls, says }) => {
    const server = await hostile(answers.status(202), { tls });
    const run = await dora(SEND, server.url, env);
    expectOneLine(run, 5, /^error: Event not sent: the TLS handshake with 127\.0\.0\.1:\d+ failed \(/);
    expect(run.stderr).toContain(says);
    expect(run.stderr).toContain('nothing was sent');
    expect(run.stderr).not.toMatch(/NODE_EXTRA_CA_CERTS|may have reached|may or may not|retrying/);
    expect(server.connections).toBe(1);
  });

  it('says "the server wants a client certificate" when TLS 1.3 says so', async () => {
    const server = await hostile(answers.status(202), { tls: { requestCert: true, rejectUnauthorized: true } });
    const run = await dora(SEND, server.url, env);
    expect(run.stderr).toContain('failed (the server wants a client certificate)');
  });
});

describe('proxies: counted connections, words for what the proxy did', () => {
  it('opens exactly --max-attempts connections to a proxy that drops CONNECT', async () => {
    const proxy = await hostile(answers.drop());
    const url = `https://127.0.0.1:${await closedPort()}`;
    const run = await dora([...SEND, '--max-attempts', '3'], url, { HTTPS_PROXY: proxy.url });
    expectOneLine(run, 5, /^error: Event not delivered after 3 attempts; last error: /);
    expect(proxy.connections).toBe(3);
  });

  it.each([
    { status: 502, says: 'Event not delivered after 2 attempts; last error: the proxy refused the tunnel (502).' },
    { status: 403, says: 'refused the tunnel to 127.0.0.1:1 (403 Forbidden), so nothing reached Datadog' },
  ])("words a proxy's $status on CONNECT as a refused tunnel", async ({ status, says }) => {
    const proxy = await hostile(answers.status(status, 'nope'));
    const run = await dora([...SEND, '--max-attempts', '2'], 'https://127.0.0.1:1', { HTTPS_PROXY: proxy.url });
    expectOneLine(run, 5, says);
    expect(proxy.connections).toBe(status === 502 ? 2 : 1);
  });

  it('goes direct for NO_PROXY=::1 on the send path', async () => {
    const proxy = await hostile(answers.drop());
    const run = await dora([...SEND, '--max-attempts', '1'], `http://[::1]:${await closedPort()}`, {
      HTTP_PROXY: proxy.url,
      NO_PROXY: '::1',
    });
    expect(run.code).toBe(5);
    expect(proxy.connections).toBe(0);
  });
});

describe('reporting never breaks delivery', () => {
  it.skipIf(!existsSync('/dev/full'))('delivers through retries with stderr on a full device', async () => {
    const replies: Reply[] = [{ status: 503 }, { status: 503 }, ACCEPTED()];
    const server = await intake((index) => replies[index] ?? ACCEPTED());
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, ...SEND, '--json', '--verbose'], {
        cwd: makePlainDir(),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...KEYS, DORA_API_URL: server.url },
        stdio: ['ignore', 'pipe', full],
      });
      let stdout = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ ok: true, attempts: 3 });
      expect(server.requests).toHaveLength(3);
    } finally {
      closeSync(full);
    }
  });
});

describe('--deadline is the whole run', () => {
  it('five services against a server that never answers: all done within the one deadline, exit 5', async () => {
    const server = await hostile(() => undefined);
    const services = ['a', 'b', 'c', 'd', 'e'].flatMap((service) => ['--service', service]);
    const run = await dora(['deployment', ...services, '--started-at', 'now', '--skip-git', '--json'], server.url, {
      DORA_DEADLINE: '2',
      DORA_REQUEST_TIMEOUT: '1',
    });
    expect(run.code).toBe(5);
    expect(run.durationMs).toBeLessThan(5_000);
    expect(run.stderr).toMatch(
      /The run's 2 s deadline \(--deadline, DORA_DEADLINE\) was spent before sending deployment of [b-e]/,
    );
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exit_code: 5 });
  });
});

describe('what a timeout says about what reached the server', () => {
  it('a TLS handshake that never completes: the request never left, so nothing may have been recorded', async () => {
    const server = await hostile(() => undefined);
    const run = await dora(SEND, server.url.replace('http:', 'https:'), {
      DORA_DEADLINE: '2',
      DORA_REQUEST_TIMEOUT: '0.5',
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('the request never left');
    expect(run.stderr).not.toContain('may or may not have been recorded');
  });

  it('a request sent whole and never answered may have been recorded, and says so', async () => {
    const server = await hostile(() => undefined);
    const run = await dora(SEND, server.url, { DORA_DEADLINE: '2', DORA_REQUEST_TIMEOUT: '0.5' });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('may or may not have been recorded');
  });
});
