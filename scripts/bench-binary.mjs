#!/usr/bin/env node
// `npm run bench:binary`: what the standalone binary (npm run build:binary) costs, on this machine's platform.
//
// 1. Copies dist-bin/dora-<os>-<arch> into an empty temp folder, as a user downloads it. Sizes: the file, and the
//    file gzipped (by `gzip` at its default level; Node's zlib where there is no gzip).
// 2. Times, interleaved round-robin in one run so drift (other load, CPU boost) hits every command alike:
//      floor    node -e 0, with the Node release and build inside the binary (the unstripped one from the registry)
//      version  dora --version
//      dry run  dora deployment --dry-run --skip-git …
//    each with a clean environment (PATH without node, HOME, TMPDIR of its own), each checked before it counts, and
//    prints each median as a ratio to the floor's median with PASS/FAIL against issue 23's targets.
// Exits 1 when a target fails, 2 when the bench itself could not run (no binary built: run `npm run build:binary`).
// Not part of `npm test`: timings belong here. `npm run bench` runs it after the package's bench.
//
// Options: --runs N (timed rounds, default 20) · --warmup N (untimed rounds, default 2) · --json (also print the
// results as one JSON object on stdout, after the tables).
import { spawn } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { formatMB, quantile, runChecked, table } from './bench-common.mjs';
import { hostTarget, OUT, ROOT, TARGETS } from './build-binary.mjs';

const MB = 1_000_000; // decimal, as release pages print sizes

/** Issue 23's targets: times as ratios to `node -e 0` of the same Node, sizes in bytes. */
const LIMITS = { version: 1.1, dryRun: 1.35, rawBytes: 115 * MB, gzipBytes: 42 * MB };

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const warmup = Number(args.warmup);
const work = mkdtempSync(join(tmpdir(), 'dora-bench-binary-'));

try {
  if (!Number.isInteger(runs) || runs < 3 || !Number.isInteger(warmup) || warmup < 0) {
    throw new Error('--runs takes a whole number ≥ 3, --warmup one ≥ 0');
  }
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench-binary: could not run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function main() {
  const target = hostTarget();
  const built = join(OUT, TARGETS[target]?.file ?? `dora-${target}`);
  const infoFile = join(OUT, '.build', target, 'build.json');
  if (!existsSync(built) || !existsSync(infoFile)) {
    throw new Error(`no binary for ${target} in dist-bin/: run \`npm run build:binary\` first`);
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8'));
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const dora = join(work, TARGETS[target].file);
  copyFileSync(built, dora);
  const rawBytes = statSync(dora).size;
  const gzipped = await gzippedSize(dora);

  // The Node inside the binary is not on PATH for it: a clean PATH of system folders only.
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: work, TMPDIR: work };
  const nowS = Math.floor(Date.now() / 1000);
  const dryRun = [
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
    '--dry-run',
  ];
  const commands = [
    { key: 'floor', label: `node -e 0 (floor, Node ${info.node})`, file: info.nodeBinary, args: ['-e', '0'] },
    {
      key: 'version',
      label: 'dora --version',
      file: dora,
      args: ['--version'],
      limit: LIMITS.version,
      check: (run) => run.stdout.trim() === version || `printed ${JSON.stringify(run.stdout.trim())}`,
    },
    {
      key: 'dryRun',
      label: 'dora deployment --dry-run --skip-git',
      file: dora,
      args: dryRun,
      limit: LIMITS.dryRun,
      check: (run) =>
        run.stdout.includes('"service":"bench"') || `stdout was ${JSON.stringify(run.stdout.slice(0, 200))}`,
    },
  ];

  log(`warming up (${warmup} round${warmup === 1 ? '' : 's'}) and checking each command…`);
  for (let round = 0; round < warmup; round++) for (const command of commands) await runChecked(command, env, work);
  log(`timing ${runs} rounds of ${commands.length} commands, interleaved…`);
  const samples = Object.fromEntries(commands.map((command) => [command.key, []]));
  for (let round = 0; round < runs; round++) {
    // Rotate the order every round so no command always follows the same one.
    for (let i = 0; i < commands.length; i++) {
      const command = commands[(round + i) % commands.length];
      samples[command.key].push((await runChecked(command, env, work)).ms);
    }
  }

  const floor = quantile(samples.floor, 0.5);
  const rows = commands.map((command) => {
    const medianMs = quantile(samples[command.key], 0.5);
    const ratio = medianMs / floor;
    return {
      key: command.key,
      label: command.label,
      medianMs,
      p10Ms: quantile(samples[command.key], 0.1),
      p90Ms: quantile(samples[command.key], 0.9),
      ratio,
      limit: command.limit,
      pass: command.limit === undefined ? undefined : ratio <= command.limit,
    };
  });
  const sizes = [
    { key: 'raw', label: TARGETS[target].file, bytes: rawBytes, limit: LIMITS.rawBytes },
    {
      key: 'gzip',
      label: `${TARGETS[target].file}, gzipped (${gzipped.by})`,
      bytes: gzipped.bytes,
      limit: LIMITS.gzipBytes,
    },
  ].map((size) => ({ ...size, pass: size.bytes <= size.limit }));

  const out = [
    '',
    `dora-cli ${version} · standalone ${target} · Node ${info.node}${info.codeCache ? '' : ' (no code cache)'} · ` +
      `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}`,
    `${runs} interleaved rounds (+${warmup} warm-up); times are wall-clock from spawn to exit.`,
    '',
    table(
      ['command', 'median', '+ floor', 'p10–p90', '× floor', 'target', ''],
      rows.map((row) => [
        row.label,
        `${row.medianMs.toFixed(1)} ms`,
        row.key === 'floor'
          ? ''
          : `${row.medianMs >= floor ? '+' : '−'}${Math.abs(row.medianMs - floor).toFixed(1)} ms`,
        `${row.p10Ms.toFixed(1)}–${row.p90Ms.toFixed(1)} ms`,
        `${row.ratio.toFixed(2)}×`,
        row.limit === undefined ? '' : `≤ ${row.limit}×`,
        row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL',
      ]),
      [false, true, true, true, true, true, false],
    ),
    '',
    table(
      ['size', 'bytes', '', 'target', ''],
      sizes.map((size) => [
        size.label,
        String(size.bytes),
        formatMB(size.bytes, 1),
        `≤ ${formatMB(size.limit, 1)}`,
        size.pass ? 'PASS' : 'FAIL',
      ]),
      [false, true, true, true, false],
    ),
  ];
  const failed = [...rows, ...sizes].filter((row) => row.pass === false).map((row) => row.label);
  out.push('', failed.length === 0 ? 'All targets met.' : `FAILED: ${failed.join('; ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ version, target, node: info.node, runs, rows, sizes, samples })}\n`);
  }
  return failed.length === 0 ? 0 : 1;
}

/**
 * The size `gzip` gives the file (its default level). Node's zlib makes a larger file from the same input (about
 * 1 MB more here), so it only stands in where no gzip program is installed, and the report says so.
 */
function gzippedSize(file) {
  return new Promise((resolve, reject) => {
    const gzip = spawn('gzip', ['-c', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    gzip.stdout.on('data', (chunk) => (bytes += chunk.length));
    gzip.on('error', (error) => {
      if (error.code !== 'ENOENT') return reject(error);
      let zlibBytes = 0;
      createReadStream(file)
        .pipe(createGzip())
        .on('data', (chunk) => (zlibBytes += chunk.length))
        .on('error', reject)
        .on('end', () => resolve({ bytes: zlibBytes, by: "Node's zlib" }));
    });
    gzip.on('close', (code) => {
      if (code === 0) resolve({ bytes, by: 'gzip' });
      else if (code !== null) reject(new Error(`gzip exited ${code}`));
    });
  });
}

function log(message) {
  process.stderr.write(`bench-binary: ${message}\n`);
}
