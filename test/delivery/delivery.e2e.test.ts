/**
 * What only a real process shows about delivery: signals while it waits, TLS with real certificates, FIPS, a full
 * stdout, and one retry smoke run. Status sequences, timeouts, Retry-After and redirects are the request engine's,
 * tested in-process on a virtual clock (test/delivery/request.test.ts). Timing assertions are generous upper bounds.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePlainDir } from '../helpers/git-repo.js';
import { ACCEPTED, type Intake, type Reply, startIntake, testTls } from '../helpers/intake.js';
import { type DoraRun, runDora } from '../helpers/run-dora.js';

const KEY = 'e2e-delivery-key-0123456789abcdef';
const SEND = ['deployment', '--service', 'checkout', '--started-at', 'now', '--skip-git', '--verbose'];

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

/** Runs the CLI against `url` and checks, for every run, that the key never reached the output. */
async function send(url: string, args: string[] = [], options: Parameters<typeof runDora>[1] = {}): Promise<DoraRun> {
  const run = await runDora([...SEND, ...args], {
    cwd: makePlainDir(),
    ...options,
    env: { DD_API_KEY: KEY, DORA_API_URL: url, ...options.env },
  });
  expect(run.stdout).not.toContain(KEY);
  expect(run.stderr).not.toContain(KEY);
  return run;
}

const sentId = (body: string | undefined) =>
  (JSON.parse(body ?? '{}') as { data: { attributes: { id: string } } }).data.attributes.id;

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function fipsWorks(): boolean {
  const probe = "const c=require('crypto');c.setFips(true);require('tls').createSecureContext()";
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore' }).status === 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port with nothing listening on it: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('delivery, end to end', () => {
  it('retries 500s until the intake recovers, with the same event id every time', async () => {
    const replies: Reply[] = [
      { status: 500 },
      { status: 500, body: '{"errors":["Internal Server Error"]}' },
      ACCEPTED(),
    ];
    intake = await startIntake((_, index) => replies[index] ?? ACCEPTED());
    const run = await send(intake.url, ['--json']);
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(3);
    const ids = intake.requests.map((request) => sentId(request.body));
    expect(new Set(ids).size).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, id: ids[0], attempts: 3 });
    expect(run.stderr).toContain('after 3 attempts');
  });

  it('fails at once, without retrying, when an https:// URL points at a plain-HTTP port', async () => {
    intake = await startIntake();
    const run = await send(intake.url.replace('http://', 'https://'));
    expect(run.code).toBe(5);
    expect(intake.requests).toHaveLength(0);
    expect(run.stderr).toContain('did not answer in TLS');
    expect(run.stderr).not.toMatch(/retrying|ssl3_|0A00010B/);
  });

  it('exits 5 when nothing listens on the port, and says the event was not delivered', async () => {
    const run = await send(`http://127.0.0.1:${await closedPort()}`, ['--max-attempts', '2']);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/Event not delivered after 2 attempts; last error: .*ECONNREFUSED/);
  });

  const stall = (): Reply => 'stall';
  // A long Retry-After keeps the CLI in its backoff sleep rather than in a request.
  const pause = (): Reply => ({ status: 503, headers: { 'retry-after': '20' } });
  it.each<{ signal: NodeJS.Signals; code: number; when: string; reply: () => Reply; says: string }>([
    {
      signal: 'SIGTERM',
      code: 143,
      when: 'waiting for an answer',
      reply: stall,
      says: 'the event may or may not have been recorded.',
    },
    {
      signal: 'SIGINT',
      code: 130,
      when: 'waiting for an answer',
      reply: stall,
      says: 'the event may or may not have been recorded.',
    },
    {
      signal: 'SIGHUP',
      code: 129,
      when: 'waiting for an answer',
      reply: stall,
      says: 'the event may or may not have been recorded.',
    },
    // Every attempt so far was refused with a 503: nothing can have been recorded.
    {
      signal: 'SIGTERM',
      code: 143,
      when: 'in a backoff after a refusal',
      reply: pause,
      says: 'no attempt got through, so no event was recorded.',
    },
  ])(
    'stops promptly on $signal $when (exit $code), saying what may have been recorded',
    async ({ signal, code, reply, says }) => {
      intake = await startIntake(reply);
      let signalledAt = 0;
      const current = intake;
      const run = await send(intake.url, [], {
        onSpawn: (child) => {
          // If the request never arrives, signalledAt stays 0 and the assertions below say so.
          void until(() => current.requests.length > 0).then(
            () => {
              signalledAt = performance.now();
              child.kill(signal);
            },
            () => undefined,
          );
        },
      });
      const stoppedAfterMs = performance.now() - signalledAt;
      expect(signalledAt).toBeGreaterThan(0);
      expect(run.code).toBe(code);
      expect(run.stderr).toContain(`Interrupted by ${signal}: ${says}`);
      expect(stoppedAfterMs).toBeLessThan(2_000);
      expect(intake.requests).toHaveLength(1);
    },
  );

  it('says nothing was recorded when stopped before sending, and leaves no git process behind', async () => {
    intake = await startIntake();
    // A `git` that hangs, first on PATH: the run is stuck reading the local checkout when the signal comes.
    const bin = makePlainDir();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho $$ >> ${join(bin, 'pids')}\nexec sleep 20\n`, { mode: 0o755 });
    const withoutSkipGit = SEND.filter((arg) => arg !== '--skip-git');
    const run = await runDora(withoutSkipGit, {
      cwd: makePlainDir(),
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 500),
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Interrupted by SIGINT before anything was sent: no event was recorded.');
    expect(run.stderr).not.toContain('No git');
    expect(run.durationMs).toBeLessThan(5_000);
    expect(intake.requests).toHaveLength(0);
    const pids = readFileSync(join(bin, 'pids'), 'utf8').trim().split('\n').map(Number);
    expect(pids.length).toBeGreaterThan(0);
    await until(() => pids.every((pid) => !isAlive(pid)), 2_000);
  });

  // This Node's OpenSSL has no FIPS provider (as most builds): --fips cannot work, and must say so before sending.
  it.skipIf(fipsWorks())(
    'with --fips on a Node without FIPS: exit 2 and nothing sent, or with --fips-ignore-error a send without it',
    async () => {
      intake = await startIntake(undefined, { tls: true });
      const env = { NODE_EXTRA_CA_CERTS: testTls().caFile };
      const refused = await send(intake.url, ['--fips'], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('FIPS mode could not be enabled (library has no ciphers)');
      expect(intake.requests).toHaveLength(0);
      const carriedOn = await send(intake.url, ['--fips', '--fips-ignore-error'], { env });
      expect(carriedOn.stderr).toContain('continuing without it');
      expect(carriedOn.code).toBe(0);
      expect(intake.requests).toHaveLength(1);
    },
  );

  it.skipIf(!existsSync('/dev/full'))(
    'exits 0 when the event is recorded but stdout is full, saying so with the id',
    async () => {
      intake = await startIntake();
      const full = openSync('/dev/full', 'w');
      try {
        const run = await send(intake.url, ['--json'], { stdoutFd: full });
        expect(intake.requests).toHaveLength(1);
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(
          /was recorded \(id [0-9a-f-]{36}\), but its result could not be shown: could not write to stdout \(ENOSPC\)/,
        );
        // A dry run's result is its whole job: there, a full stdout is a failure.
        const dryRun = await send(intake.url, ['--dry-run'], { stdoutFd: full });
        expect(dryRun.code).toBe(1);
        expect(dryRun.stderr).toContain('could not write to stdout (ENOSPC)');
        expect(dryRun.stderr).not.toContain('bug');
      } finally {
        closeSync(full);
      }
    },
  );

  it('sends over HTTPS to an intake whose CA is trusted through NODE_EXTRA_CA_CERTS', async () => {
    intake = await startIntake(undefined, { tls: true });
    const run = await send(intake.url, [], { env: { NODE_EXTRA_CA_CERTS: testTls().caFile } });
    expect(run.code).toBe(0);
    expect(intake.requests).toHaveLength(1);
  });

  it('fails at once on an untrusted certificate, with the fix in the message', async () => {
    intake = await startIntake(undefined, { tls: true });
    const run = await send(intake.url);
    expect(run.code).toBe(5);
    expect(intake.requests).toHaveLength(0);
    expect(run.stderr).toContain('could not be verified');
    expect(run.stderr).toContain('NODE_EXTRA_CA_CERTS');
    expect(run.stderr).not.toMatch(/retrying/);
  });
});
