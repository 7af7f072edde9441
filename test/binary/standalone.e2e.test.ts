/**
 * The standalone binary (npm run build:binary) as a user without Node gets it: copied alone into an empty folder and
 * run with a PATH that has no `node`. It must do what the npm package does: a dry run from a git checkout (simple-git
 * inside the one file), a send over HTTPS, a wrapped deploy command, a send through a proxy (undici inside the one
 * file), and it must not be Node to its user: NODE_OPTIONS and Node's own flags change nothing.
 *
 * The binary is DORA_TEST_BIN when that names one (not a .js bin), else dist-bin/dora-<os>-<arch>; with neither,
 * these tests are skipped (a fresh clone has not built it), and say so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePlainDir, makeRepo } from '../helpers/git-repo.js';
import { ACCEPTED, type Intake, startIntake, testTls } from '../helpers/intake.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { pathWithoutNode, runDora, TEST_BINARY } from '../helpers/run-dora.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const { version: VERSION } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const HOST = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
const BUILT = TEST_BINARY ?? join(ROOT, 'dist-bin', `dora-${HOST}${process.platform === 'win32' ? '.exe' : ''}`);
const AVAILABLE = existsSync(BUILT);
const SKIPPED = `skipped: ${relative(ROOT, BUILT)} is not built (npm run build:binary builds it)`;
const TITLE = `the standalone binary${AVAILABLE ? ` (${basename(BUILT)})` : `, ${SKIPPED}`}`;
// Said on stderr too: vitest's default report shows a skipped file only as a count.
if (!AVAILABLE) console.warn(`test/binary: ${SKIPPED}`);

const KEY = 'standalone-test-key-0123456789abcdef';
const SEND = ['deployment', '--service', 'api', '--env', 'prod', '--started-at', 'now', '--skip-git'];

let folder = '';
let dora = '';
let intake: Intake | undefined;
let proxy: TestProxy | undefined;

afterEach(async () => {
  await intake?.close();
  await proxy?.close();
  intake = proxy = undefined;
});

/** Runs the copy in the empty folder, with no node on PATH (runDora takes it off for an executable). */
const run = (args: string[], options: Parameters<typeof runDora>[1] = {}) =>
  runDora(args, { cwd: makePlainDir(), ...options, executable: dora });

describe.skipIf(!AVAILABLE)(TITLE, () => {
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'dora-standalone-'));
    dora = join(folder, basename(BUILT));
    copyFileSync(BUILT, dora);
    chmodSync(dora, 0o755);
  });

  it('runs with no node on PATH, alone in its folder: --version', async () => {
    const path = pathWithoutNode(process.env.PATH ?? '/usr/bin:/bin');
    // The PATH these runs get really has no node (here node sits in /usr/bin, beside git and sh).
    expect(spawnSync('sh', ['-c', 'command -v node || command -v nodejs'], { env: { PATH: path } }).status).not.toBe(0);
    expect(spawnSync('sh', ['-c', 'command -v git'], { env: { PATH: path } }).status).toBe(0);
    const version = await run(['--version']);
    expect(version.stdout).toBe(`${VERSION}\n`);
    expect(version.code).toBe(0);
  });

  it('dry run from a git checkout: the commit comes from git, and neither its folder nor TMPDIR gains a file', async () => {
    const repo = makeRepo('https://github.com/acme/shop.git');
    const tmp = makePlainDir();
    const dry = await run(['deployment', '--service', 'api', '--started-at', '1795687200.5', '--dry-run'], {
      cwd: repo.dir,
      env: { TMPDIR: tmp },
    });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('"started_at":1795687200500000000');
    expect(JSON.parse(dry.stdout).data.attributes.git).toEqual({
      repository_url: 'https://github.com/acme/shop.git',
      commit_sha: repo.head,
    });
    expect(readdirSync(folder)).toEqual([basename(dora)]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('sends over HTTPS to an intake whose CA comes from NODE_EXTRA_CA_CERTS, as the Node inside it', async () => {
    intake = await startIntake(() => ACCEPTED(), { tls: true });
    const sent = await run([...SEND, '--id', 'standalone-0001-abcdefgh'], {
      env: { DD_API_KEY: KEY, DORA_API_URL: intake.url, NODE_EXTRA_CA_CERTS: testTls().caFile },
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(intake.requests).toHaveLength(1);
    const [request] = intake.requests;
    expect(request?.path).toBe('/api/v2/dora/deployment');
    expect(request?.headers['dd-api-key']).toBe(KEY);
    // The runtime is the binary's own Node 24, not the Node running these tests.
    expect(request?.headers['user-agent']).toMatch(new RegExp(`^dora-cli/${VERSION} \\(node v24\\.`));
    expect(JSON.parse(request?.body ?? '{}').data.attributes).toMatchObject({
      service: 'api',
      id: 'standalone-0001-abcdefgh',
    });
    expect(sent.stderr).toContain('standalone-0001-abcdefgh');
  });

  it('wraps a deploy command: records it when it succeeds, exits as it did when it fails', async () => {
    intake = await startIntake();
    const env = { DD_API_KEY: KEY, DORA_API_URL: intake.url };
    const ok = await run(['deployment', '--service', 'api', '--skip-git', '--', 'sh', '-c', 'echo deployed'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('deployed\n');
    expect(intake.requests).toHaveLength(1);
    const attributes = JSON.parse(intake.requests[0]?.body ?? '{}').data.attributes;
    expect(attributes.finished_at).toBeGreaterThanOrEqual(attributes.started_at);
    const failed = await run(['deployment', '--service', 'api', '--skip-git', '--', 'sh', '-c', 'exit 3'], { env });
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain('The deploy command exited 3: nothing was recorded.');
    expect(intake.requests).toHaveLength(1);
  });

  it('tunnels a send through HTTPS_PROXY', async () => {
    intake = await startIntake(undefined, { tls: true });
    proxy = await startProxy();
    const sent = await run(SEND, {
      env: {
        DD_API_KEY: KEY,
        DORA_API_URL: intake.url,
        NODE_EXTRA_CA_CERTS: testTls().caFile,
        HTTPS_PROXY: proxy.url,
      },
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(proxy.visits).toEqual([{ method: 'CONNECT', target: new URL(intake.url).host }]);
    expect(intake.requests).toHaveLength(1);
  });

  it('ignores NODE_OPTIONS: a --require of a missing file, which stops Node itself, changes nothing', async () => {
    const NODE_OPTIONS = '--require=/nonexistent/dora-preload.js';
    // The same setting does stop a plain Node, so the binary passing is the binary ignoring it.
    expect(spawnSync(process.execPath, ['-e', '0'], { env: { NODE_OPTIONS } }).status).not.toBe(0);
    const dry = await run(['deployment', '--service', 'api', '--started-at', 'now', '--skip-git', '--dry-run'], {
      env: { NODE_OPTIONS },
    });
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).data.attributes.service).toBe('api');
  });

  it("takes Node's own flags as dora's arguments: -e and --inspect are unknown options, not run", async () => {
    const evaluated = await run(['-e', 'process.exit(7)']);
    expect(evaluated.code).toBe(2);
    expect(evaluated.stderr).toContain("unknown option '-e'");
    const inspected = await run(['--inspect', 'deployment', '--service', 'api', '--started-at', 'now', '--dry-run']);
    expect(inspected.code).toBe(2);
    expect(inspected.stderr).toContain("unknown option '--inspect'");
    expect(inspected.stderr).not.toMatch(/Debugger listening/);
  });

  const sums = join(dirname(BUILT), 'SHA256SUMS');
  const hasSha256sum = spawnSync('sha256sum', ['--version'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!existsSync(sums) || !hasSha256sum)('is listed in SHA256SUMS beside it, which sha256sum -c accepts', () => {
    const listed = readFileSync(sums, 'utf8');
    expect(listed).toMatch(new RegExp(`^[0-9a-f]{64}  ${basename(BUILT)}$`, 'm'));
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dirname(BUILT), encoding: 'utf8' })).toContain(
      `${basename(BUILT)}: OK`,
    );
  });
});
