/**
 * The main script of the standalone binary (scripts/build-binary.mjs builds it, with Node inside): the same CLI as
 * the npm package. It answers `--version` at once; else it compiles the CLI (src/app.ts, bundled with everything it
 * imports into the binary's `app.js` asset) with the V8 code cache the build made from a dry run (`app.cache`), so
 * the functions a run needs are not compiled at start-up. V8 checks the cache against its version, its flags and the
 * length of the source, and compiles normally when it does not match; a binary built for another platform carries an
 * empty one.
 *
 * Inside the binary, process.argv is [binary, the name it was started as, ...arguments], so the arguments start at 2
 * as they do under `node dist/main.js`. Its `require` loads built-in modules only, which is all the bundle asks for.
 */
import { fdStream } from './boot/fd-stream.js';
import { CLI_VERSION } from './version.js';

declare const require: NodeJS.Require;
declare const __filename: string;
declare const __dirname: string;

/** The names scripts/build-binary.mjs gives the two assets in its SEA config. */
const APP_ASSET = 'app.js';
const APP_CACHE_ASSET = 'app.cache';

const argv = process.argv.slice(2);

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  try {
    fdStream(1, () => process.stdout).write(`${CLI_VERSION}\n`);
  } catch {
    process.exitCode = 1; // stdout is full or broken: no place left to say more
  }
} else {
  void loadApp().runProcess(argv);
}

/** The bundled CLI: a script whose value is a CommonJS module function (the build wraps it so). */
function loadApp(): typeof import('./app.js') {
  const sea = process.getBuiltinModule('node:sea');
  const vm = process.getBuiltinModule('node:vm');
  const cache = sea.getRawAsset(APP_CACHE_ASSET) as ArrayBuffer;
  const script = new vm.Script(sea.getAsset(APP_ASSET, 'utf8'), {
    filename: APP_ASSET,
    ...(cache.byteLength > 0 ? { cachedData: new Uint8Array(cache) } : {}),
  });
  const module = { exports: {} as typeof import('./app.js') };
  const moduleFunction = script.runInThisContext() as (...args: unknown[]) => void;
  moduleFunction(module.exports, require, module, __filename, __dirname);
  return module.exports;
}
