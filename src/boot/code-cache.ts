/**
 * Loads dist/app.js through a V8 code cache, so repeated runs on one machine (a terminal, a persistent CI runner)
 * skip compiling the CLI. Done by hand with `vm.Script` and its `cachedData` on every Node version: the cache is
 * written at exit, so it also holds the functions the run compiled lazily, which Node's own
 * `module.enableCompileCache` (22+) leaves out; on Node 24 that difference decides the dry-run target (see
 * docs/performance.md). V8 checks the cache against its own version, flags and the source, and compiles normally
 * when it does not match; any problem with the cache folder means "no cache", never a failure.
 */
import type { Stats } from 'node:fs';

// The wrapper Node puts around every CommonJS file (Module.wrap), written out to keep node:module unloaded.
const CJS_WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const CJS_WRAPPER_END = '\n});';

/**
 * `require` is the caller's own: a file next to it resolves its relative requires the same way, and taking it from
 * the caller avoids node:module, which loads the ES module loader, on Node 20.
 */
export function requireWithCodeCache(
  file: string,
  cacheDir: string,
  require: NodeJS.Require,
  buildId: string,
  /** Runs the cache writer when the process exits (tests call it themselves). */
  atExit: (write: () => void) => void = (write) => process.once('exit', write),
): unknown {
  const usable = usableCacheDir(cacheDir);
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  const vm = process.getBuiltinModule('node:vm');
  const source = fs.readFileSync(file, 'utf8');
  const cacheName = usable ? cacheFileName(file, fs.statSync(file), buildId, process.version) : undefined;
  const cacheFile = cacheName ? path.join(cacheDir, cacheName) : undefined;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // first run on this machine: compiled below, cached at exit
  }
  const script = new vm.Script(`${CJS_WRAPPER_START}${source}${CJS_WRAPPER_END}`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit the cache also holds the functions this run compiled lazily, not only the top level.
    atExit(() => {
      writeCache(cacheFile, () => script.createCachedData());
      pruneStale(cacheDir, cacheName as string);
    });
  }
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file));
  return module.exports;
}

/**
 * One cache per install path, build, file version and Node version. V8 itself only compares the source's length
 * with the cache's, so a same-length edit would otherwise run the old code: a rebuild changes the build id (a hash of
 * the built file, set by the build), and an edit after install (patch-package) changes the file's size or mtime.
 * Hashing the 130 kB source here instead would cost more than the cache saves.
 */
export function cacheFileName(
  file: string,
  stats: { size: number; mtimeMs: number },
  buildId: string,
  nodeVersion: string,
): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  // The install path has its own part of the name, so pruning an older build never touches another install's cache.
  const version = fnv1a(`${buildId}\0${stats.size}\0${stats.mtimeMs}`);
  return `${base}-${fnv1a(file)}-${version}-${nodeVersion}.v8cache`;
}

/** FNV-1a, 32 bits, over a short key. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * A private folder of ours: an absolute path (a relative TMPDIR would scatter caches into the working directory),
 * created 0700, and refused if it is a symlink, another user owns it or others may write to it.
 */
export function usableCacheDir(dir: string): boolean {
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  if (!path.isAbsolute(dir)) return false;
  try {
    // Not `recursive: true`: on Node 20 that loops forever under a parent it cannot create (TMPDIR=/proc/x).
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    const stats: Stats = fs.lstatSync(dir);
    const uid = process.getuid?.();
    return stats.isDirectory() && (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * The key changes with every build and every edit of the file, so older caches of the same install for the same
 * Node would pile up in the folder: only the current one is kept. Other installs and Node versions keep theirs.
 */
export function pruneStale(dir: string, current: string): void {
  const fs = process.getBuiltinModule('node:fs');
  // `<file>-<install>-<build>-<node>.v8cache` (cacheFileName): siblings differ in the build part only.
  const parts = /^(.+-)[0-9a-f]{8}(-v[^-]+\.v8cache)$/.exec(current);
  if (!parts) return;
  const [, before = '', after = ''] = parts;
  try {
    for (const name of fs.readdirSync(dir)) {
      const sibling = name.length === current.length && name.startsWith(before) && name.endsWith(after);
      if (sibling && name !== current) fs.rmSync(`${dir}/${name}`, { force: true });
    }
  } catch {
    // a cache we could not prune costs disk space, not correctness
  }
}

function writeCache(file: string, data: () => Buffer): void {
  const fs = process.getBuiltinModule('node:fs');
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, data(), { mode: 0o600 });
    fs.renameSync(temporary, file); // atomic: a concurrent run reads the old cache or the new one, never half
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // nothing more to do: the next run compiles as usual
    }
  }
}
