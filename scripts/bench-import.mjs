#!/usr/bin/env node
// `node scripts/bench-import.mjs`: what `dora import` costs, against the targets of issue 22.
//
// 1. Throughput. A stand-in DORA API in a process of its own (node:http on 127.0.0.1) answers every POST 202 after
//    5 ms, with rate-limit headers that never run out. 10,000 deployments over 100 services (a service's records go
//    one after another, so one service alone would measure the 5 ms, not the client) are sent twice per concurrency,
//    in the same run, interleaved:
//      bare    a bare Node keep-alive client: node:http with a keep-alive Agent, `concurrency` workers taking the
//              next precomputed body until none is left;
//      import  dora's scheduler (src/import/scheduler.ts) over the planned records, with a `send` on the same
//              keep-alive node:http client that builds each body as it goes (src/events).
//    Reported for concurrency 1, 8 and 32 as records per second; target: import ≥ 0.8 × bare.
// 2. Memory. In a child process, the whole import (read, normalise, validate, plan, journal, send at concurrency 32)
//    of 100,000 deployments from a JSONL file, to the same stand-in; its peak resident memory (maxRSS). Target:
//    ≤ 200 MB.
// The sources are bundled with esbuild at start (scripts/, like build.mjs); validation is the tests' stand-in of the
// input core (test/import/stand-in.ts) until the command is wired, when this can point at the built CLI instead.
//
// Options: --records N (default 10000) · --memory-records N (default 100000) · --rounds N (per concurrency and
// client, default 1) · --concurrency 1,8,32 · --json (also print the results as one JSON object on stdout).
// Exits 1 when a target fails, 2 when the bench itself could not run. Not part of `npm test`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_RATIO = 0.8;
const TARGET_PEAK_MB = 200;
const SERVICES = 100;
const LATENCY_MS = 5;
const T0 = 1_700_000_000;

const args = parseArgs(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'dora-bench-import-'));
let server;

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench-import: could not run: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
} finally {
  server?.kill();
  rmSync(work, { recursive: true, force: true });
}

async function main() {
  const lib = await bundle();
  server = await startStandIn();
  const url = server.url;
  log(`stand-in on ${url}, answering after ${LATENCY_MS} ms`);

  const { planImport, schedule, listQueue, standInValidate, bodyOf } = lib;
  const validate = standInValidate(BigInt(Date.now()) * 1_000_000n);
  const records = planImport(
    Array.from({ length: args.records }, (_, index) => {
      const checked = validate({
        line: index + 1,
        kind: 'deployment',
        flags: deploymentFlags(index),
      });
      if (!checked.ok) throw new Error(`record ${index}: ${checked.field}: ${checked.reason}`);
      return { line: index + 1, event: checked.event };
    }),
  ).records;
  const bodies = records.map((record) => bodyOf(record));
  const path = '/api/v2/dora/deployment';

  const file = writeHistory(join(work, 'throughput.jsonl'), args.records);
  const throughput = [];
  for (const concurrency of args.concurrency) {
    const runs = { bare: [], scheduler: [], import: [] };
    for (let round = 0; round < args.rounds; round++) {
      // Rotate which goes first, so warm-up and drift hit each alike.
      const clients = ['bare', 'scheduler', 'import'];
      for (let turn = 0; turn < clients.length; turn++) {
        const client = clients[(turn + round) % clients.length];
        const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
        const send = async (record) => {
          const answer = await post(`${url}${path}`, bodyOf(record), agent);
          return { status: answer.status, headers: { get: (name) => answer.headers[name.toLowerCase()] ?? null } };
        };
        const started = performance.now();
        if (client === 'bare') await bare(bodies, concurrency, `${url}${path}`, agent);
        else if (client === 'scheduler') {
          const result = await schedule(listQueue(records), send, {
            concurrency,
            clock: realClock(),
            signal: new AbortController().signal,
          });
          if (result.recorded !== records.length) throw new Error(`recorded ${result.recorded} of ${records.length}`);
        } else {
          rmSync(`${file}.dora-journal`, { force: true });
          const code = await lib.runImport(importOptions(file, concurrency), importDeps(lib, send));
          if (code !== 0) throw new Error(`the import exited ${code}`);
        }
        const seconds = (performance.now() - started) / 1000;
        agent.destroy();
        runs[client].push(records.length / seconds);
        log(`concurrency ${concurrency}, ${client}: ${Math.round(records.length / seconds)} records/s`);
      }
    }
    const bareRate = median(runs.bare);
    throughput.push({
      concurrency,
      bare: bareRate,
      scheduler: median(runs.scheduler),
      import: median(runs.import),
      ratio: median(runs.scheduler) / bareRate,
      importRatio: median(runs.import) / bareRate,
    });
  }

  log(`memory: importing ${args.memoryRecords} records in a child process…`);
  const memory = await memoryRun(lib.entry, url);

  const rows = throughput.map(({ concurrency, bare: b, scheduler, import: i, ratio, importRatio }) => [
    `concurrency ${concurrency}`,
    `${Math.round(b)}/s`,
    `${Math.round(scheduler)}/s (${ratio.toFixed(2)}×)`,
    `${Math.round(i)}/s (${importRatio.toFixed(2)}×)`,
    ratio >= TARGET_RATIO ? 'PASS' : 'FAIL',
  ]);
  rows.push([
    `${args.memoryRecords} records`,
    '',
    '',
    `${memory.peakMb.toFixed(0)} MB peak, ${memory.seconds.toFixed(1)} s`,
    memory.peakMb <= TARGET_PEAK_MB ? 'PASS' : 'FAIL',
  ]);
  printTable(
    [
      '',
      'bare client',
      'dora scheduler',
      'whole dora import',
      `target ≥ ${TARGET_RATIO}× (scheduler), ≤ ${TARGET_PEAK_MB} MB`,
    ],
    rows,
  );
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ node: process.version, records: args.records, services: SERVICES, latency_ms: LATENCY_MS, throughput, memory })}\n`,
    );
  }
  const failed = throughput.some(({ ratio }) => ratio < TARGET_RATIO) || memory.peakMb > TARGET_PEAK_MB;
  return failed ? 1 : 0;
}

function deploymentFlags(index) {
  const finished = T0 + index * 60;
  return {
    service: [`service-${index % SERVICES}`],
    env: 'prod',
    version: `1.${index}`,
    startedAt: String(finished - 120),
    finishedAt: String(finished),
    gitRepositoryUrl: 'https://github.com/example/shop',
    gitCommitSha: (index.toString(16).padStart(8, '0') + 'a'.repeat(32)).slice(0, 40),
  };
}

/** A JSONL history of `count` deployments (the bench's records), with times as bare JSON numbers. */
function writeHistory(file, count) {
  const lines = [];
  for (let index = 0; index < count; index++) {
    const flags = deploymentFlags(index);
    lines.push(
      JSON.stringify({
        service: flags.service[0],
        env: flags.env,
        version: flags.version,
        started_at: Number(flags.startedAt),
        finished_at: Number(flags.finishedAt),
        git: { repository_url: flags.gitRepositoryUrl, commit_sha: flags.gitCommitSha },
      }),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function importOptions(file, concurrency) {
  return {
    source: { kind: 'file', path: file },
    dryRun: false,
    json: false,
    concurrency,
    resumeCommand: 'dora import',
  };
}

/** What the command will inject, with the tests' stand-in validation and this bench's send. */
function importDeps(lib, send) {
  return {
    validate: lib.standInValidate(BigInt(Date.now()) * 1_000_000n),
    body: lib.bodyOf,
    connect: async () => ({ send }),
    readStdin: async () => new Uint8Array(),
    git: { run: lib.execFileGit, cwd: process.cwd() },
    clock: realClock(),
    signal: new AbortController().signal,
    out: { result() {}, info() {}, warn() {}, progress: { write() {}, terminal: false } },
  };
}

/** The modules the bench drives, bundled into one ES module with esbuild. */
async function bundle() {
  const entry = join(work, 'bench-lib.mjs');
  await build({
    stdin: {
      contents: [
        `export { schedule, listQueue } from ${JSON.stringify(join(ROOT, 'src/import/scheduler.ts'))};`,
        `export { planImport } from ${JSON.stringify(join(ROOT, 'src/import/plan.ts'))};`,
        `export { runImport } from ${JSON.stringify(join(ROOT, 'src/import/run.ts'))};`,
        `export { execFileGit } from ${JSON.stringify(join(ROOT, 'src/import/git-tags.ts'))};`,
        `export { standInValidate, bodyOf } from ${JSON.stringify(join(ROOT, 'test/import/stand-in.ts'))};`,
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    logLevel: 'error',
  });
  return { ...(await import(pathToFileURL(entry).href)), entry };
}

/** The stand-in in a process of its own: 202 after 5 ms, with a rate limit that never runs out. */
function startStandIn() {
  const code = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => setTimeout(() => {
    res.writeHead(202, {
      'content-type': 'application/vnd.api+json',
      'x-ratelimit-limit': '1000000', 'x-ratelimit-period': '60', 'x-ratelimit-remaining': '999999',
      'x-ratelimit-reset': '60', 'x-ratelimit-name': 'dora_events',
    });
    res.end('{"data":{"id":"x","type":"dora_deployment"}}');
  }, ${LATENCY_MS}));
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk) => {
      resolve({ url: `http://127.0.0.1:${String(chunk).trim()}`, kill: () => child.kill() });
    });
  });
}

function post(url, body, agent) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'dd-api-key': 'bench' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function bare(bodies, concurrency, url, agent) {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const answer = await post(url, body, agent);
      if (answer.status !== 202) throw new Error(`bare client got HTTP ${answer.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function realClock() {
  return {
    monotonicMs: () => performance.now(),
    wallMs: () => Date.now(),
    sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  };
}

/** The whole import of `--memory-records` deployments in a child process; its peak RSS and time. */
async function memoryRun(entry, url) {
  const file = writeHistory(join(work, 'history.jsonl'), args.memoryRecords);
  const script = join(work, 'memory-child.mjs');
  writeFileSync(
    script,
    `
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
const { runImport, execFileGit, standInValidate, bodyOf } = await import(${JSON.stringify(pathToFileURL(entry).href)});
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const post = (body) => new Promise((resolve, reject) => {
  const request = http.request(${JSON.stringify(`${url}/api/v2/dora/deployment`)}, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
    response.resume();
    response.on('end', () => resolve({ status: response.statusCode, headers: response.headers }));
  });
  request.on('error', reject);
  request.end(body);
});
const started = performance.now();
const code = await runImport(
  { source: { kind: 'file', path: ${JSON.stringify(file)} }, dryRun: false, json: false, concurrency: 32, resumeCommand: 'dora import history.jsonl' },
  {
    validate: standInValidate(BigInt(Date.now()) * 1_000_000n),
    body: bodyOf,
    connect: async () => ({
      send: async (record) => {
        const answer = await post(bodyOf(record));
        return { status: answer.status, headers: { get: (name) => answer.headers[name] ?? null } };
      },
      close: () => agent.destroy(),
    }),
    readStdin: async () => new Uint8Array(),
    git: { run: execFileGit, cwd: process.cwd() },
    clock: {
      monotonicMs: () => performance.now(),
      wallMs: () => Date.now(),
      sleep: (ms, signal) => import('node:timers/promises').then(({ setTimeout }) => setTimeout(ms, undefined, { signal })),
    },
    signal: new AbortController().signal,
    out: { result() {}, info() {}, warn() {}, progress: { write() {}, terminal: false } },
  },
);
process.stdout.write(JSON.stringify({ code, seconds: (performance.now() - started) / 1000, maxRssKb: process.resourceUsage().maxRSS }) + '\\n');
`,
  );
  const output = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`the memory run exited ${code}`))));
  });
  const { code, seconds, maxRssKb } = JSON.parse(output);
  if (code !== 0) throw new Error(`the memory run's import exited ${code}`);
  return { records: args.memoryRecords, peakMb: (maxRssKb * 1024) / 1_000_000, seconds };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(header, rows) {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => String(row[column]).length)));
  const line = (row) => row.map((cell, column) => String(cell).padEnd(widths[column])).join('  ');
  process.stderr.write(`\n${line(header)}\n${rows.map(line).join('\n')}\n`);
}

function log(message) {
  process.stderr.write(`bench-import: ${message}\n`);
}

function parseArgs(argv) {
  const parsed = { records: 10_000, memoryRecords: 100_000, rounds: 1, concurrency: [1, 8, 32], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--records') parsed.records = Number(value());
    else if (arg === '--memory-records') parsed.memoryRecords = Number(value());
    else if (arg === '--rounds') parsed.rounds = Number(value());
    else if (arg === '--concurrency') parsed.concurrency = value().split(',').map(Number);
    else if (arg === '--json') parsed.json = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return parsed;
}
