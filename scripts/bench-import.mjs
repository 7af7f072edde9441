#!/usr/bin/env node
// `node scripts/bench-import.mjs`: what `dora import` costs, against the targets of issue 22, measured on the built
// CLI (`npm run build` first; `npm run bench` does it through npm pack).
//
// 1. Throughput. A stand-in DORA API in a process of its own (node:http on 127.0.0.1) answers every POST 202 after
//    5 ms, with rate-limit headers that never run out. 10,000 deployments over 100 services (a service's records go
//    one after another, so one service alone would measure the 5 ms, not the client) are sent per concurrency, in
//    the same run, interleaved:
//      bare    a bare Node keep-alive client: node:http with a keep-alive Agent, `concurrency` workers taking the
//              next precomputed body until none is left;
//      import  `dora import history.jsonl --concurrency N`, the whole command as a user runs it: start-up, reading,
//              checking, planning, journalling and sending (a fresh journal each time).
//    Reported for concurrency 1, 8 and 32 as records per second; target: import ≥ 0.8 × bare.
// 2. Memory. `dora import` of 100,000 deployments at concurrency 32 to the same stand-in; its peak resident memory
//    (the child's maxRSS, from a preload that reads process.resourceUsage at exit). Target: ≤ 200 MB.
//
// Options: --records N (default 10000) · --memory-records N (default 100000) · --rounds N (per concurrency and
// client, default 1) · --concurrency 1,8,32 · --json (also print the results as one JSON object on stdout).
// Exits 1 when a target fails, 2 when the bench itself could not run. Not part of `npm test`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './bench-common.mjs';

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
  server = await startStandIn();
  const url = server.url;
  log(`stand-in on ${url}, answering after ${LATENCY_MS} ms`);
  const bodies = Array.from({ length: args.records }, (_, index) => JSON.stringify(bodyOf(index)));
  const path = '/api/v2/dora/deployment';
  const file = writeHistory(join(work, 'throughput.jsonl'), args.records);
  const throughput = [];
  for (const concurrency of args.concurrency) {
    const runs = { bare: [], import: [] };
    for (let round = 0; round < args.rounds; round++) {
      // Rotate which goes first, so warm-up and drift hit each alike.
      for (const client of round % 2 ? ['import', 'bare'] : ['bare', 'import']) {
        const started = performance.now();
        if (client === 'bare') {
          const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
          await bare(bodies, concurrency, `${url}${path}`, agent);
          agent.destroy();
        } else {
          rmSync(`${file}.dora-journal`, { force: true });
          const run = await dora(['import', file, '--concurrency', String(concurrency), '--json'], url);
          const result = JSON.parse(run.stdout);
          if (result.recorded !== args.records)
            throw new Error(`the import recorded ${result.recorded}: ${run.stderr}`);
        }
        const seconds = (performance.now() - started) / 1000;
        runs[client].push(args.records / seconds);
        log(`concurrency ${concurrency}, ${client}: ${Math.round(args.records / seconds)} records/s`);
      }
    }
    const bareRate = median(runs.bare);
    throughput.push({
      concurrency,
      bare: bareRate,
      import: median(runs.import),
      ratio: median(runs.import) / bareRate,
    });
  }

  log(`memory: importing ${args.memoryRecords} records…`);
  const memory = await memoryRun(url);

  const rows = throughput.map(({ concurrency, bare: b, import: i, ratio }) => [
    `concurrency ${concurrency}`,
    `${Math.round(b)}/s`,
    `${Math.round(i)}/s (${ratio.toFixed(2)}×)`,
    ratio >= TARGET_RATIO ? 'PASS' : 'FAIL',
  ]);
  rows.push([
    `${args.memoryRecords} records`,
    '',
    `${memory.peakMb.toFixed(0)} MB peak, ${memory.seconds.toFixed(1)} s`,
    memory.peakMb <= TARGET_PEAK_MB ? 'PASS' : 'FAIL',
  ]);
  printTable(['', 'bare client', 'dora import', `target ≥ ${TARGET_RATIO}×, ≤ ${TARGET_PEAK_MB} MB`], rows);
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ node: process.version, records: args.records, services: SERVICES, latency_ms: LATENCY_MS, throughput, memory })}\n`,
    );
  }
  const failed = throughput.some(({ ratio }) => ratio < TARGET_RATIO) || memory.peakMb > TARGET_PEAK_MB;
  return failed ? 1 : 0;
}

/** The body `dora import` sends for record `index` of the history (what the bare client sends too). */
function bodyOf(index) {
  const flags = deploymentFlags(index);
  return {
    data: {
      attributes: {
        service: flags.service[0],
        started_at: Number(flags.startedAt) * 1e9,
        finished_at: Number(flags.finishedAt) * 1e9,
        env: flags.env,
        version: flags.version,
        git: { repository_url: flags.gitRepositoryUrl, commit_sha: flags.gitCommitSha },
      },
    },
  };
}

/** Runs the built CLI against the stand-in; `preload`: a script required first (the memory probe). */
function dora(argv, url, preload) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(preload ? ['--require', preload] : []), join(ROOT, 'bin/dora.js'), ...argv],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', HOME: work, TMPDIR: work, DORA_API_URL: url, DD_API_KEY: 'b'.repeat(32) },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`dora ${argv.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
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

/** `dora import` of `--memory-records` deployments at concurrency 32: its peak RSS and time. */
async function memoryRun(url) {
  const file = writeHistory(join(work, 'history.jsonl'), args.memoryRecords);
  const probe = join(work, 'peak-memory.cjs');
  const report = join(work, 'peak-memory.json');
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, ` +
      `JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })));\n`,
  );
  const started = performance.now();
  const run = await dora(['import', file, '--concurrency', '32', '--json'], url, probe);
  const seconds = (performance.now() - started) / 1000;
  if (JSON.parse(run.stdout).recorded !== args.memoryRecords) throw new Error(`the memory run: ${run.stderr}`);
  const { maxRssKb } = JSON.parse(readFileSync(report, 'utf8'));
  return { records: args.memoryRecords, peakMb: (maxRssKb * 1024) / 1_000_000, seconds };
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
