#!/usr/bin/env node
// `node scripts/bench-metrics.mjs`: what `dora metrics` costs, against the targets of issue 21.
//
// (a) Reading and computing. A local stand-in DORA API (test/helpers/dora-api.ts behind node:http on 127.0.0.1)
//     holds 20,000 deployments and 2,000 failures over one year. Two child processes take turns, round-robin, so
//     drift hits both alike:
//       metrics  the built CLI, `dora metrics --json` over a year's window (DORA_API_URL at the stand-in)
//       bare     the very list requests the CLI made (same bodies, same order, recorded by the stand-in on an untimed
//                first run), by a script that only sends them and JSON.parses each answer
//     Each child's wall time is measured from spawn to exit. Prints the medians, their ratio (target ≤ 1.3×) and
//     the CLI's peak resident memory (target ≤ 150 MB, read at its exit by a --require preload), with each child's
//     CPU time and the load average to read them by (the stand-in runs in this process: its work is in neither
//     child's CPU time).
// (b) Local lead time. A 50,000-commit repository (feature branches merged into main) made with `git fast-import`,
//     5,000 deployments of its commits over 8 service/env pairs (redeployments and rollbacks among them):
//     gitLeadTime (two git processes, then the in-memory range walks) must finish within 10 s.
//
// Exits 1 when a target fails, 2 when the bench itself could not run. Not part of `npm test`.
// Options: --runs N (timed rounds of (a), default 7) · --keep (keep the temp folder) · --json (the results as one
// JSON object on stdout after the table).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median, timeCommand } from './bench-common.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGETS = { ratio: 1.3, peakMb: 150, leadTimeMs: 10_000 };
const DEPLOYMENTS = 20_000;
const FAILURES = 2_000;
const NS_PER_S = 1_000_000_000n;
const YEAR_S = 365 * 86_400;
const END_S = Math.floor(Date.UTC(2026, 10, 1) / 1000); // the window's end: 2026-11-01T00:00:00Z
const START_S = END_S - YEAR_S;

async function main() {
  // The CLI as the package ships it.
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  await bundle();
  const reading = await benchReading();
  const leadTime = await benchLeadTime();
  const rows = [
    [
      'reading + computing / bare requests',
      `${reading.ratio.toFixed(2)}×`,
      `≤ ${TARGETS.ratio}×`,
      reading.ratio <= TARGETS.ratio,
    ],
    [
      'peak memory of the metrics process',
      `${reading.peakMb.toFixed(0)} MB`,
      `≤ ${TARGETS.peakMb} MB`,
      reading.peakMb <= TARGETS.peakMb,
    ],
    [
      'local lead time, 5,000 deployments',
      `${(leadTime.ms / 1000).toFixed(2)} s`,
      `≤ ${TARGETS.leadTimeMs / 1000} s`,
      leadTime.ms <= TARGETS.leadTimeMs,
    ],
  ];
  const out = process.stdout;
  out.write(
    `\n(a) ${DEPLOYMENTS} deployments and ${FAILURES} failures over one year, ${reading.requests} list requests, ${args.runs} rounds\n`,
  );
  out.write(
    `    dora metrics   median ${reading.metricsMs.toFixed(0)} ms (CPU ${reading.metricsCpuMs.toFixed(0)} ms)\n`,
  );
  out.write(
    `    bare child     median ${reading.bareMs.toFixed(0)} ms (requests ${reading.bareInProcessMs.toFixed(0)} ms, CPU ${reading.bareCpuMs.toFixed(0)} ms)\n`,
  );
  out.write(
    `    load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')} on ${cpus().length} cores: timings drift with it\n`,
  );
  out.write(`    read back: ${reading.deployments} deployments, ${reading.failures} failures\n`);
  out.write(
    `(b) ${leadTime.commits} commits, ${leadTime.deployments} deployments: ${leadTime.measured} commits measured, ${leadTime.skipped} deployments skipped\n`,
  );
  out.write(`    repository made in ${(leadTime.setupMs / 1000).toFixed(1)} s (not timed)\n\n`);
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value, target, pass] of rows)
    out.write(`${name.padEnd(width)}  ${value.padStart(9)}  ${target.padEnd(9)}  ${pass ? 'PASS' : 'FAIL'}\n`);
  if (args.json) out.write(`${JSON.stringify({ reading, leadTime, targets: TARGETS })}\n`);
  return rows.every((row) => row[3]) ? 0 : 1;
}

/** The stand-in and the metrics modules are TypeScript: esbuild makes one ES module of each for the children. */
async function bundle() {
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' };
  await build({
    ...common,
    entryPoints: [join(ROOT, 'test/helpers/dora-api.ts')],
    outfile: join(work, 'stand-in.mjs'),
  });
  await build({ ...common, entryPoints: [join(ROOT, 'src/metrics/index.ts')], outfile: join(work, 'metrics.mjs') });
  writeFileSync(join(work, 'peak.cjs'), PEAK_PRELOAD);
  writeFileSync(join(work, 'bare-child.mjs'), BARE_CHILD);
}

// --- (a) reading and computing --------------------------------------------------------------------------------

async function benchReading() {
  const { doraApi } = await import(join(work, 'stand-in.mjs'));
  const api = doraApi(yearOfEvents());
  /** The list requests the CLI makes, recorded on the first run for the bare child to replay. */
  let recorded;
  server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      recorded?.push({ path: request.url, body: Buffer.concat(chunks).toString('utf8') });
      const reply = api.answer({
        method: request.method,
        path: request.url,
        body: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
      });
      response.writeHead(reply.status, reply.headers ?? {});
      response.end(reply.body ?? '');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const requestsFile = join(work, 'requests.json');
  const cli = () => cliRun(base);
  // A first, untimed run of each child: the stand-in records the requests the bare child will replay; caches warm.
  recorded = [];
  const first = await cli();
  writeFileSync(requestsFile, JSON.stringify(recorded));
  recorded = undefined;
  await child('bare-child.mjs', { BASE: base, REQUESTS: requestsFile });
  const metrics = [];
  const bare = [];
  for (let round = 0; round < args.runs; round++) {
    metrics.push(await cli());
    bare.push(await child('bare-child.mjs', { BASE: base, REQUESTS: requestsFile }));
  }
  const metricsMs = median(metrics.map((run) => run.wallMs));
  const bareMs = median(bare.map((run) => run.wallMs));
  return {
    ratio: metricsMs / bareMs,
    metricsMs,
    bareMs,
    bareInProcessMs: median(bare.map((run) => run.report.ms)),
    metricsCpuMs: median(metrics.map((run) => run.report.cpuMs)),
    bareCpuMs: median(bare.map((run) => run.report.cpuMs)),
    peakMb: Math.max(...metrics.map((run) => run.report.maxRssKb)) / 1024,
    requests: JSON.parse(readFileSync(requestsFile, 'utf8')).length,
    deployments: first.report.deployments,
    failures: first.report.failures,
  };
}

/** A year of events, the same every run (a fixed-seed generator), with the members a live org adds. */
function yearOfEvents() {
  const random = mulberry32(21);
  const services = ['shop', 'cart', 'search', 'checkout', 'accounts'];
  const envs = ['prod', 'staging'];
  const events = [];
  for (let i = 0; i < DEPLOYMENTS; i++) {
    // Whole seconds over the year: with 20,000 of them, some share an instant, as real ones do.
    const finished = START_S + Math.floor(random() * YEAR_S);
    const failed = random() < 0.08;
    events.push({
      kind: 'deployment',
      id: `bench-deployment-${String(i).padStart(6, '0')}`,
      attributes: {
        service: services[i % services.length],
        env: envs[(i >> 3) % 2],
        team: i % 2 ? 'web' : 'platform',
        version: `1.${i}.0`,
        started_at: `${finished - 120 - Math.floor(random() * 600)}000000000`,
        finished_at: `${finished}000000000`,
        git: { repository_url: 'https://github.com/acme/shop.git', commit_sha: hex(random) },
        change_failure: failed ? true : random() < 0.1 ? null : false,
        deployment_type: random() < 0.05 ? 'rollback' : 'standard',
        ...(failed && random() < 0.7 ? { recovery_time_sec: Math.floor(random() * 20_000) } : {}),
        commits: Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
          commit_sha: hex(random),
          change_lead_time: Math.floor(random() * 500_000),
          time_to_deploy: Math.floor(random() * 3600),
        })),
      },
    });
  }
  for (let i = 0; i < FAILURES; i++) {
    const started = START_S + Math.floor(random() * YEAR_S);
    const open = random() < 0.05;
    events.push({
      kind: 'incident',
      id: `bench-failure-${String(i).padStart(6, '0')}`,
      attributes: {
        services: [services[i % services.length], ...(i % 7 === 0 ? [services[(i + 1) % services.length]] : [])],
        env: envs[i % 2],
        team: i % 2 ? 'web' : 'platform',
        name: `incident ${i}`,
        severity: 'SEV-2',
        started_at: `${started}000000000`,
        ...(open ? {} : { finished_at: `${started + 60 + Math.floor(random() * 30_000)}000000000` }),
      },
    });
  }
  return events;
}

/** Loaded into the CLI with --require: its CPU time and peak resident memory, written at exit. */
const PEAK_PRELOAD = `
process.on('exit', () => {
  const cpu = process.cpuUsage();
  require('node:fs').writeFileSync(process.env.DORA_BENCH_PEAK, JSON.stringify({
    cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS,
  }));
});
`;

/** One run of the built CLI over the year's window: wall time from spawn to exit, its report and its own figures. */
async function cliRun(base) {
  const peakFile = join(work, 'peak.json');
  const argv = [join(ROOT, 'bin/dora.js'), 'metrics', '--since', String(START_S), '--until', String(END_S), '--json'];
  const run = await timeCommand(
    process.execPath,
    argv,
    {
      PATH: process.env.PATH,
      HOME: work,
      DORA_API_URL: base,
      DD_API_KEY: 'bench-api-key-000000000000000000',
      DD_APP_KEY: 'bench-app-key-0000000000000000000000000',
      NODE_OPTIONS: `--require ${join(work, 'peak.cjs')}`,
      DORA_BENCH_PEAK: peakFile,
    },
    work,
  );
  if (run.code !== 0)
    throw new Error(`dora metrics exited ${run.code ?? run.signal}: ${run.stderr.trim().slice(0, 500)}`);
  const result = JSON.parse(run.stdout);
  const own = JSON.parse(readFileSync(peakFile, 'utf8'));
  return { wallMs: run.ms, report: { ...own, deployments: result.deployments, failures: result.failures } };
}

/** The bare side: the same requests, in the same order, each answer parsed and nothing else. */
const BARE_CHILD = `
import http from 'node:http';
import { readFileSync } from 'node:fs';
const agent = new http.Agent({ keepAlive: true });
const requests = JSON.parse(readFileSync(process.env.REQUESTS, 'utf8'));
const post = (path, body) => new Promise((resolve, reject) => {
  const request = http.request(process.env.BASE + path, {
    method: 'POST', agent,
    headers: { 'content-type': 'application/json', 'dd-api-key': 'bench', 'dd-application-key': 'bench' },
  }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  });
  request.on('error', reject);
  request.end(body);
});
const start = performance.now();
let rows = 0;
for (const { path, body } of requests) rows += (await post(path, body)).data.length;
const ms = performance.now() - start;
agent.destroy();
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ ms, rows, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
`;

async function child(file, env) {
  const run = await timeCommand(process.execPath, [join(work, file)], { PATH: process.env.PATH, ...env }, work);
  if (run.code !== 0) throw new Error(`${file} exited ${run.code ?? run.signal}: ${run.stderr.trim().slice(0, 500)}`);
  return { wallMs: run.ms, report: JSON.parse(run.stdout) };
}

// --- (b) local lead time --------------------------------------------------------------------------------------

async function benchLeadTime() {
  const setupStart = performance.now();
  const repo = join(work, 'repo');
  const { shas, authored, mainline } = makeRepository(repo, 50_000);
  const deployments = deploymentsOf(mainline, authored, 5_000);
  const setupMs = performance.now() - setupStart;
  const { computeMetrics, gitLeadTime, gitRunner } = await import(join(work, 'metrics.mjs'));
  const git = gitRunner({ cwd: repo, env: { PATH: process.env.PATH, HOME: work } });
  const start = performance.now();
  const local = await gitLeadTime(deployments, git);
  const report = computeMetrics({
    window: { since: deployments[0].finishedAt, until: deployments.at(-1).finishedAt },
    filters: { service: [] },
    deployments,
    failures: [],
    localLeadTime: local,
  });
  const ms = performance.now() - start;
  if (!local.available) throw new Error(`local lead time unavailable: ${local.reason}`);
  return {
    ms,
    setupMs,
    commits: shas.length,
    deployments: deployments.length,
    measured: report.metrics.change_lead_time.commits,
    skipped: report.metrics.change_lead_time.skipped_deployments,
  };
}

/**
 * `count` commits through one `git fast-import`: a main line where, every 12 commits, a 5-commit feature branch
 * forked 20 commits back is merged. Author times 10 minutes apart. Returns the shas by mark and the main line.
 */
function makeRepository(dir, count) {
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const lines = [];
  const parentsOf = [];
  const mainline = [];
  let mark = 0;
  const commit = (ref, parents) => {
    mark++;
    const when = START_S + mark * 600;
    const message = `commit ${mark}`;
    lines.push(
      `commit ${ref}`,
      `mark :${mark}`,
      `author Bench <bench@example.invalid> ${when} +0000`,
      `committer Bench <bench@example.invalid> ${when} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
    );
    if (parents[0] !== undefined) lines.push(`from :${parents[0]}`);
    for (const parent of parents.slice(1)) lines.push(`merge :${parent}`);
    lines.push('');
    parentsOf[mark] = parents;
    return mark;
  };
  let tip = commit('refs/heads/main', []);
  mainline.push(tip);
  while (mark < count) {
    if (mainline.length % 12 === 0 && count - mark > 6) {
      let branch = mainline[Math.max(0, mainline.length - 20)];
      for (let i = 0; i < 5; i++) branch = commit('refs/heads/feature', [branch]);
      tip = commit('refs/heads/main', [tip, branch]);
    } else {
      tip = commit('refs/heads/main', [tip]);
    }
    mainline.push(tip);
  }
  const marksFile = join(work, 'marks');
  execFileSync('git', ['fast-import', '--quiet', `--export-marks=${marksFile}`], {
    cwd: dir,
    input: `${lines.join('\n')}\n`,
    maxBuffer: 1 << 30,
  });
  const shas = [];
  const authored = [];
  for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
    const [m, sha] = line.split(' ');
    if (!sha) continue;
    shas[Number(m.slice(1))] = sha;
    authored[Number(m.slice(1))] = START_S + Number(m.slice(1)) * 600;
  }
  return { shas: shas.filter(Boolean), authored, mainline: mainline.map((m) => ({ mark: m, sha: shas[m] })) };
}

/** `count` deployments over 8 service/env pairs walking up the main line, with redeployments and rollbacks. */
function deploymentsOf(mainline, authored, count) {
  const random = mulberry32(5);
  const pairs = ['shop', 'cart', 'search', 'checkout'].flatMap((service) =>
    ['prod', 'staging'].map((env) => ({ service, env })),
  );
  const perPair = Math.ceil(count / pairs.length);
  const deployments = [];
  pairs.forEach(({ service, env }, p) => {
    let previous = 0;
    for (let i = 0; i < perPair && deployments.length < count; i++) {
      let position = Math.min(mainline.length - 1, Math.floor(((i + 1) * mainline.length) / perPair) - 1);
      const roll = random();
      if (roll < 0.05)
        position = Math.max(0, position - 30); // a rollback
      else if (roll < 0.08) position = previous; // the same commit again
      previous = position;
      const { mark, sha } = mainline[position];
      const finished = BigInt(authored[mark] + 3600 + Math.floor(random() * 7200)) * NS_PER_S;
      deployments.push({
        id: `lead-${p}-${i}`,
        service,
        env,
        startedAt: finished - 300n * NS_PER_S,
        finishedAt: finished,
        commitSha: roll > 0.99 ? 'f'.repeat(40) : sha, // now and then a commit this checkout lacks
      });
    }
  });
  return deployments.sort((a, b) => (a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0));
}

// --- helpers --------------------------------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random) {
  let out = '';
  while (out.length < 40)
    out += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, 40);
}

function parseArgs(argv) {
  const out = { runs: 7, keep: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') out.runs = Math.max(1, Number(argv[++i]) || 7);
    else if (argv[i] === '--keep') out.keep = true;
    else if (argv[i] === '--json') out.json = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return out;
}

// Last, so that every constant above is initialised before the bench starts.
const args = parseArgs(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'dora-bench-metrics-'));
let server;

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench-metrics: could not run: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
} finally {
  if (server) await new Promise((resolve) => server.close(resolve));
  if (args.keep) process.stderr.write(`bench-metrics: kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
