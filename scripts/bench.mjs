#!/usr/bin/env node
// `npm run bench`: what `dora` costs a CI job, measured on the package as published.
//
// 1. `npm pack` (which builds dist/ through the `prepack` script) into a temp folder, then `npm install` that tarball
//    into an empty temp folder, offline. Sizes: the tarball, and the install's node_modules (the package and
//    everything it pulls in).
// 2. Times, interleaved round-robin in one run so drift (other load, CPU boost) hits every command alike:
//      floor    node -e 0
//      version  dora --version
//      dry run  dora deployment --dry-run --skip-git … (warm: the machine has run dora before)
//      cold     the same on a machine where dora never ran: a fresh HOME, TMPDIR and cache folder every run
//      tls floor node -e 0 with the send's environment (NODE_EXTRA_CA_CERTS, which Node 20 loads at start-up)
//      send     dora deployment --skip-git … to a local HTTPS server (throwaway self-signed cert made with openssl,
//               trusted through NODE_EXTRA_CA_CERTS; base URL from DORA_API_URL, key from DD_API_KEY)
//      reference the same POST by a bare `node -e` with node:https: what any Node program pays for it (no target)
//    and prints each median as a ratio to the floor's median, with PASS/FAIL against the targets (issue 18), and the
//    send as a ratio to the bare POST in the same run. No run passes --id, as users rarely do.
// 3. Then the benches of the parts with targets of their own, each a script of its own: the standalone binary
//    (scripts/bench-binary.mjs, when one is built), dora metrics (scripts/bench-metrics.mjs) and dora import
//    (scripts/bench-import.mjs). --only startup skips them.
// Exits 1 when a target fails, 2 when the bench itself could not run. Not part of `npm test`: timings belong here.
//
// Options: --runs N (timed rounds, default 20) · --warmup N (untimed rounds, default 2) · --keep (keep the temp
// folder) · --json (also print the results as one JSON object on stdout, after the table).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMB, median, quantile, runChecked, table } from './bench-common.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MB = 1_000_000; // decimal, as npm prints sizes

/** The targets, judged on Node 24: ratios to `node -e 0`, the send's to a bare node:https POST. */
const TARGETS = {
  version: 1.3,
  dryRun: 1.35,
  dryRunCold: 1.5,
  sendVsReference: 1.25,
  installedBytes: 1 * MB,
};

/** The same POST with nothing but node:https: no CLI. */
const BARE_HTTPS_POST = `
const req = require('node:https').request(process.env.DORA_API_URL + '/api/v2/dora/deployment', {
  method: 'POST', headers: { 'content-type': 'application/json', 'dd-api-key': process.env.DD_API_KEY },
}, (res) => res.resume());
req.end('{}');`;

const args = parseArgs(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'dora-bench-'));
let server;

try {
  const startup = args.only === 'parts' ? 0 : await main();
  const parts = args.only === 'startup' ? 0 : parts_();
  process.exitCode = Math.max(startup, parts);
} catch (error) {
  process.stderr.write(`bench: could not run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
} finally {
  if (server) await new Promise((resolve) => server.close(resolve));
  if (args.keep) process.stderr.write(`bench: kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}

async function main() {
  // --- package as published -----------------------------------------------------------------------------------
  log('packing (npm pack runs the build through `prepare`)…');
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', packDir], ROOT))[0];
  const tarball = join(packDir, packed.filename);
  const packedBytes = lstatSync(tarball).size;

  log(`installing ${packed.filename} into an empty folder (offline)…`);
  const installDir = join(work, 'install');
  mkdirSync(installDir);
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'dora-bench-install', private: true }));
  const installFlags = [
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--no-save',
    '--ignore-scripts',
    '--loglevel=error',
  ];
  try {
    npm(['install', '--offline', ...installFlags, tarball], installDir);
  } catch {
    // Only possible if the package ever gains runtime dependencies that are not in the npm cache; say so.
    log('offline install failed (runtime dependencies not in the cache?); retrying with --prefer-offline');
    npm(['install', '--prefer-offline', ...installFlags, tarball], installDir);
  }
  const modules = join(installDir, 'node_modules');
  const installed = diskUsage(modules);
  const installedPackages = countPackages(modules);
  const dora = join(modules, '.bin', 'dora');

  // --- a local HTTPS intake -------------------------------------------------------------------------------------
  const tls = makeCertificate(join(work, 'tls'));
  let received = 0;
  let lastRequest;
  server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      received++;
      lastRequest = {
        method: req.method,
        url: req.url,
        key: req.headers['dd-api-key'],
        body: Buffer.concat(chunks).toString(),
      };
      res.writeHead(202, { 'content-type': 'application/vnd.api+json' });
      res.end(JSON.stringify({ data: { id: 'bench', type: 'dora_deployment' } }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `https://127.0.0.1:${server.address().port}`;

  // --- the commands ---------------------------------------------------------------------------------------------
  // A clean environment, the same for every command: the host's CI, proxy or Datadog variables must not change what
  // is measured. PATH starts with this node's folder so the bin's `#!/usr/bin/env node` finds the same node.
  // TMPDIR is the bench's own: whatever the runs keep there (Node's compile cache, if ever enabled) is the warm-up's.
  const warmTmp = join(work, 'tmp');
  mkdirSync(warmTmp);
  const baseEnv = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: process.env.HOME ?? work,
    TMPDIR: warmTmp,
  };
  let coldRuns = 0;
  /** Folders no run has used: the first run on a fresh CI machine, with nothing cached anywhere yet. */
  const coldEnv = () => {
    const dir = join(work, `cold-${coldRuns++}`);
    for (const sub of ['home', 'tmp', 'cache']) mkdirSync(join(dir, sub), { recursive: true });
    return { ...baseEnv, HOME: join(dir, 'home'), TMPDIR: join(dir, 'tmp'), XDG_CACHE_HOME: join(dir, 'cache') };
  };
  // A deployment that finished a minute ago, as in a real CD job (old timestamps would add a warning to every run).
  const nowS = Math.floor(Date.now() / 1000);
  const event = [
    'deployment',
    '--service',
    'bench',
    '--env',
    'bench',
    '--version',
    '1.0.0',
    '--started-at',
    String(nowS - 120),
    '--finished-at',
    String(nowS - 60),
    '--skip-git',
  ];
  const sendEnv = {
    ...baseEnv,
    DORA_API_URL: apiUrl,
    DD_API_KEY: 'bench-api-key-0000',
    NODE_EXTRA_CA_CERTS: tls.caFile,
  };
  const commands = [
    { key: 'floor', label: 'node -e 0 (floor)', file: process.execPath, args: ['-e', '0'], env: baseEnv },
    {
      key: 'version',
      label: 'dora --version',
      file: dora,
      args: ['--version'],
      env: baseEnv,
      target: TARGETS.version,
      check: (run) => run.stdout.trim() === packed.version || `printed ${JSON.stringify(run.stdout.trim())}`,
    },
    {
      key: 'dryRun',
      label: 'dora deployment --dry-run, warm',
      file: dora,
      args: [...event, '--dry-run'],
      env: baseEnv,
      target: TARGETS.dryRun,
      check: (run) =>
        run.stdout.includes('"service":"bench"') || `stdout was ${JSON.stringify(run.stdout.slice(0, 200))}`,
    },
    {
      // The same dry run on a machine where dora never ran, as on a fresh CI runner or an `npx` one-off.
      key: 'dryRunCold',
      label: 'dora deployment --dry-run, cold',
      target: TARGETS.dryRunCold,
      file: dora,
      args: [...event, '--dry-run'],
      env: coldEnv,
      check: (run) =>
        run.stdout.includes('"service":"bench"') || `stdout was ${JSON.stringify(run.stdout.slice(0, 200))}`,
    },
    {
      // A second floor for the two HTTPS rows below. Trusting the intake's certificate takes NODE_EXTRA_CA_CERTS,
      // and Node 20 reads that file, with its whole bundled root store, while starting: `node -e 0` pays it too.
      key: 'floorTls',
      label: 'node -e 0, NODE_EXTRA_CA_CERTS set',
      file: process.execPath,
      args: ['-e', '0'],
      env: sendEnv,
    },
    {
      key: 'send',
      label: 'dora deployment (HTTPS send)',
      file: dora,
      args: event,
      env: sendEnv,
      floorKey: 'floorTls',
      before: () => received,
      check: (_run, before) =>
        (received === before + 1 &&
          lastRequest.key === 'bench-api-key-0000' &&
          lastRequest.url === '/api/v2/dora/deployment') ||
        `the intake received ${received - before} request(s)`,
    },
    {
      // Not a target: the least any Node.js program pays for the same send (same env, so the same CA loading).
      key: 'httpsFloor',
      label: 'reference: bare node:https POST',
      file: process.execPath,
      env: sendEnv,
      floorKey: 'floorTls',
      args: ['-e', BARE_HTTPS_POST],
      before: () => received,
      check: (_run, before) => received === before + 1 || `the intake received ${received - before} request(s)`,
    },
  ];

  // Untimed rounds: page cache, and a check that each command does what it says (a fast failure is no result).
  log(`warming up (${args.warmup} round${args.warmup === 1 ? '' : 's'}) and checking each command…`);
  for (let round = 0; round < args.warmup; round++) {
    for (const command of commands) await runBenchCommand(command);
  }

  log(`timing ${args.runs} rounds of ${commands.length} commands, interleaved…`);
  const samples = Object.fromEntries(commands.map((command) => [command.key, []]));
  for (let round = 0; round < args.runs; round++) {
    // Rotate the order every round so no command always follows the same one.
    for (let i = 0; i < commands.length; i++) {
      const command = commands[(round + i) % commands.length];
      samples[command.key].push((await runBenchCommand(command)).ms);
    }
  }

  // --- report ---------------------------------------------------------------------------------------------------
  const floor = median(samples.floor);
  const rows = commands.map((command) => {
    const values = samples[command.key];
    // Targets are ratios to plain `node -e 0`; the send is judged against the bare POST below. The HTTPS rows are also shown against
    // `node -e 0` with their own environment, which tells Node's share of their cost from dora's.
    const envFloor = command.floorKey ? median(samples[command.floorKey]) : undefined;
    const ratio = median(values) / floor;
    return {
      key: command.key,
      label: command.label,
      medianMs: median(values),
      p10Ms: quantile(values, 0.1),
      p90Ms: quantile(values, 0.9),
      ratio,
      ...(envFloor === undefined ? {} : { envFloorMs: envFloor, envRatio: median(values) / envFloor }),
      target: command.target,
      pass: command.target === undefined ? undefined : ratio <= command.target,
    };
  });
  const sizes = {
    packedBytes,
    unpackedBytes: packed.unpackedSize,
    installedBytes: installed.bytes,
    installedApparentBytes: installed.apparent,
    installedFiles: installed.files,
    installedPackages,
    pass: installed.bytes <= TARGETS.installedBytes,
  };

  const out = [];
  out.push('');
  out.push(
    `dora-cli ${packed.version} · node ${process.version} · ${process.platform} ${process.arch} · ` +
      `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}`,
  );
  out.push(`${args.runs} interleaved rounds (+${args.warmup} warm-up); times are wall-clock from spawn to exit.`);
  out.push('');
  out.push(
    table(
      ['command', 'median', '+ floor', 'p10–p90', '× floor', 'target', '', '× same-env floor'],
      rows.map((row) => [
        `${row.label}${row.envRatio === undefined ? '' : ' ²'}`,
        `${row.medianMs.toFixed(1)} ms`,
        row.key === 'floor' ? '' : `+${(row.medianMs - floor).toFixed(1)} ms`,
        `${row.p10Ms.toFixed(1)}–${row.p90Ms.toFixed(1)} ms`,
        `${row.ratio.toFixed(2)}×`,
        row.target === undefined ? '' : `≤ ${row.target}×`,
        row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL',
        row.envRatio === undefined ? '' : `${row.envRatio.toFixed(2)}×`,
      ]),
      [false, true, true, true, true, true, false, true],
    ),
  );
  out.push('');
  out.push('× floor: against `node -e 0` (the first row); the targets apply to it.');
  out.push(
    '× same-env floor (² rows): against `node -e 0` with the same NODE_EXTRA_CA_CERTS, which Node 20 loads while',
  );
  out.push("  starting; the part of the cost that is Node's before any script runs. No target applies to it.");
  const sendRow = rows.find((row) => row.key === 'send');
  const reference = rows.find((row) => row.key === 'httpsFloor');
  const sendRatio = sendRow.medianMs / reference.medianMs;
  const sendPass = sendRatio <= TARGETS.sendVsReference;
  out.push('');
  out.push(
    `send vs reference: ${sendRatio.toFixed(2)}× (+${(sendRow.medianMs - reference.medianMs).toFixed(1)} ms over a bare ` +
      `node:https POST with the same environment)  target ≤ ${TARGETS.sendVsReference}×  ${sendPass ? 'PASS' : 'FAIL'}`,
  );
  out.push('');
  out.push(
    table(
      ['size', 'bytes', '', 'target', ''],
      [
        ['packed (tarball)', String(packedBytes), formatMB(packedBytes), '', ''],
        ['unpacked (package alone)', String(packed.unpackedSize), formatMB(packed.unpackedSize), '', ''],
        [
          `installed (node_modules: ${installedPackages} package${installedPackages === 1 ? '' : 's'}, ${installed.files} files)`,
          String(installed.bytes),
          formatMB(installed.bytes),
          `≤ ${formatMB(TARGETS.installedBytes)}`,
          sizes.pass ? 'PASS' : 'FAIL',
        ],
      ],
      [false, true, true, true, false],
    ),
  );
  const failed = [
    ...rows.filter((row) => row.pass === false).map((row) => row.label),
    ...(sendPass ? [] : ['send vs reference']),
    ...(sizes.pass ? [] : ['installed size']),
  ];
  out.push('');
  out.push(failed.length === 0 ? 'All targets met.' : `FAILED: ${failed.join('; ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ version: packed.version, node: process.version, runs: args.runs, rows, sendRatio, sizes, samples })}\n`,
    );
  }
  return failed.length === 0 ? 0 : 1;
}

function runBenchCommand(command) {
  return runChecked(command, typeof command.env === 'function' ? command.env() : command.env, work);
}

function npm(argv, cwd) {
  const npmCli = process.env.npm_execpath; // set when run through `npm run bench`: the same npm, no PATH lookup
  const env = { ...process.env, npm_config_update_notifier: 'false' };
  return npmCli?.endsWith('.js')
    ? execFileSync(process.execPath, [npmCli, ...argv], {
        cwd,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : execFileSync('npm', argv, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** A throwaway self-signed certificate for 127.0.0.1; nothing is committed and the folder is removed afterwards. */
function makeCertificate(dir) {
  mkdirSync(dir);
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
      '1',
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
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), caFile: certFile };
}

/** Like `du -s -B1`: allocated blocks, each inode counted once, directories included; plus the apparent size. */
function diskUsage(root) {
  const seen = new Set();
  let bytes = 0;
  let apparent = 0;
  let files = 0;
  const walk = (path) => {
    const stat = lstatSync(path);
    const inode = `${stat.dev}:${stat.ino}`;
    if (seen.has(inode)) return;
    seen.add(inode);
    bytes += stat.blocks * 512;
    if (stat.isFile()) {
      apparent += stat.size;
      files++;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return { bytes, apparent, files };
}

/** Installed packages: every folder under node_modules holding a package.json (scoped and nested included). */
function countPackages(modules) {
  let count = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.bin' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        visit(path);
        continue;
      }
      count++;
      try {
        if (lstatSync(join(path, 'node_modules')).isDirectory()) visit(join(path, 'node_modules'));
      } catch {
        // no nested node_modules
      }
    }
  };
  visit(modules);
  return count;
}

function parseArgs(argv) {
  const options = { runs: 20, warmup: 2, keep: false, json: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--keep') options.keep = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--only') {
      options.only = argv[++i];
      if (!['startup', 'parts'].includes(options.only)) usage('--only takes startup or parts');
    } else if (arg === '--runs' || arg === '--warmup') {
      const value = Number(argv[++i]);
      const least = arg === '--runs' ? 3 : 0;
      if (!Number.isInteger(value) || value < least) usage(`${arg} needs a whole number of at least ${least}`);
      options[arg.slice(2)] = value;
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown option ${arg}`);
  }
  return options;
}

function usage(problem) {
  const text = 'usage: node scripts/bench.mjs [--runs N] [--warmup N] [--keep] [--json] [--only startup|parts]\n';
  if (problem) {
    process.stderr.write(`bench: ${problem}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * The parts with targets of their own, each its own script (see the header): their tables follow, and the bench fails
 * when one of them does. The binary's bench runs only when `npm run build:binary` has built one for this machine.
 */
function parts_() {
  const scripts = ['bench-metrics.mjs', 'bench-import.mjs'];
  const host = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  if (readdirSafe(join(ROOT, 'dist-bin')).some((name) => name.startsWith(`dora-${host}`)))
    scripts.unshift('bench-binary.mjs');
  else log('no standalone binary for this machine in dist-bin/ (npm run build:binary): its bench is skipped');
  let worst = 0;
  for (const script of scripts) {
    if (!readdirSafe(join(ROOT, 'scripts')).includes(script)) continue;
    log(`running scripts/${script}…`);
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', script)], { cwd: ROOT, stdio: 'inherit' });
    } catch (error) {
      worst = Math.max(worst, typeof error.status === 'number' ? error.status : 2);
    }
  }
  return worst;
}

function readdirSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
