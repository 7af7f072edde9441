// Bundles the CLI into dist/ so the published package has no runtime dependencies, laid out for start-up time
// (`npm run bench` measures it). Everything is CommonJS: Node starts a CommonJS file measurably faster than an ES
// module, and dist/package.json (written here) and bin/package.json say so to Node.
//   dist/main.js               the entry: answers `--version` itself; else loads dist/app.js
//   dist/app.js                the CLI (commander, zod/mini and our code), loaded for every other command
//   dist/vendor/ora.js         ora (the spinner), loaded only at a terminal
//   dist/github-action.js      the GitHub Action's logic (src/action/), run by action.yml; it spawns bin/dora.js
//   dist/THIRD-PARTY-LICENSES.txt  the license of every npm package bundled into the files above
// Our code keeps its names (DORA_DEBUG=1 stacks name real functions), third-party bundles do not; linked source maps for
// `node --enable-source-maps` in this repository and left out of the package by .npmignore (*.map).
//
// `node scripts/build.mjs --analyze` also prints what each start-up path loads, module by module.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMetafile, build } from 'esbuild';
import { lazyChildProcessForCommander } from './esbuild-plugins.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
// Built beside dist/ and swapped in at the end, so a test running bin/dora.js meanwhile never sees half a dist/.
const STAGE = join(ROOT, `dist.partial-${process.pid}`);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const analyze = process.argv.includes('--analyze');

/** Packages that must stay out of the start-up path: loaded by dynamic import, only where needed. */
const LAZY_PACKAGES = ['ora', 'csv-parse/sync'];

/** Where each lazily imported package is built: `import('ora')` in src becomes `require('./vendor/ora.js')`. */
const VENDOR = Object.fromEntries(LAZY_PACKAGES.map((name) => [name, `./vendor/${name}.js`]));

const common = {
  absWorkingDir: ROOT,
  outdir: STAGE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  // Whitespace and syntax only: identifiers keep their names, so DORA_DEBUG=1 stacks name real functions without
  // keepNames' runtime __name() calls, which slowed a dry run measurably. Full minify saves bytes, not time, so it
  // is kept for third-party bundles (below).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'external', // collected into THIRD-PARTY-LICENSES.txt below
  define: { __DORA_VERSION__: JSON.stringify(pkg.version) },
  metafile: true,
  write: false,
  logLevel: 'warning',
};

/**
 * A dynamic `import()` of a file that stays outside the bundle. Marking it external would leave a real `import()`
 * in the CommonJS output, which starts Node's ES module loader (a few milliseconds) just to load CommonJS; a tiny
 * virtual module that calls `require()` keeps the load lazy and the loader asleep.
 */
function lazyRequire(name, filter, target) {
  return {
    name,
    setup(b) {
      b.onResolve({ filter }, (args) =>
        args.kind === 'dynamic-import' ? { path: target(args.path), namespace: 'lazy-require' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({
        loader: 'js',
        // An ES re-export, not `module.exports = require(…)`: importing a CommonJS module from our (ES) sources would
        // make its whole exports object the default export, and `(await import('ora')).default` would not be ora.
        contents: `export * from ${JSON.stringify(args.path)}; export { default } from ${JSON.stringify(args.path)};`,
      }));
      b.onResolve({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** The lazily imported packages stay out of dist/app.js; each is its own file under dist/vendor/. */
const vendorOutside = lazyRequire(
  'vendor-outside-cli',
  new RegExp(`^(${LAZY_PACKAGES.join('|')})$`),
  (name) => VENDOR[name],
);

/** Fails the build when the start-up paths lose their shape: that would be a silent slowdown of every run. */
function checkStartupPaths(entryMeta, cliMeta) {
  const [mainPath, main] = Object.entries(entryMeta.outputs).find(([path]) => path.endsWith('main.js'));
  const extra = main.imports.filter((imp) => !imp.path.startsWith('node:') && imp.path !== './app.js');
  const inputs = Object.keys(main.inputs).filter(
    (input) => !['src/main.ts', 'src/version.ts', 'src/errors.ts', 'src/boot/fd-stream.ts'].includes(input),
  );
  if (extra.length > 0 || inputs.length > 0) {
    throw new Error(
      `${rel(mainPath)} must answer --version on its own and load nothing but dist/app.js; ` +
        `it now also ${[...extra.map((imp) => `imports ${imp.path}`), ...inputs.map((input) => `bundles ${input}`)].join(', ')}.`,
    );
  }
  const [cliPath, cli] = Object.entries(cliMeta.outputs).find(([path]) => path.endsWith('app.js'));
  const lazy = Object.keys(cli.inputs)
    .map(packageOf)
    .find((name) => LAZY_PACKAGES.includes(name));
  if (lazy)
    throw new Error(`${lazy} is on the start-up path (in ${rel(cliPath)}): import it with import() where it is used.`);
}

async function printStartupPaths(entryMeta, cliMeta, vendorMeta) {
  const only = (meta, test) => ({
    inputs: meta.inputs,
    outputs: Object.fromEntries(Object.entries(meta.outputs).filter(([path]) => test(path))),
  });
  process.stdout.write('\n== dora --version loads:\n');
  process.stdout.write(await analyzeMetafile(only(entryMeta, (p) => p.endsWith('.js'))));
  process.stdout.write('\n== every other command also loads:\n');
  process.stdout.write(await analyzeMetafile(only(cliMeta, (p) => p.endsWith('.js'))));
  process.stdout.write('\n== loaded only where used:\n');
  process.stdout.write(await analyzeMetafile(only(vendorMeta, (p) => p.endsWith('.js'))));
}

/** The npm package an input path belongs to ("node_modules/@scope/name/…" → "@scope/name"), or undefined. */
function packageOf(input) {
  const at = input.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

function packageDirOf(input) {
  const at = input.lastIndexOf('node_modules/');
  const name = packageOf(input);
  return join(ROOT, input.slice(0, at), 'node_modules', name);
}

/**
 * Every npm package whose code was bundled, with its license text: MIT, ISC and the like require shipping the
 * notice with the code. A package that ships no license file gets its declared license's standard text with the
 * author from its package.json, for the licenses listed in STANDARD_TEXTS; any other case stops the build.
 */
function thirdPartyLicenses(metafiles, legalComments) {
  const dirs = new Map();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      if (input.includes('node_modules/')) dirs.set(packageDirOf(input), true);
    }
  }
  const entries = [...dirs.keys()]
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
  const sections = entries.map(({ dir, manifest }) => {
    const license = typeof manifest.license === 'string' ? manifest.license : (manifest.license?.type ?? 'UNKNOWN');
    const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i.test(name));
    let text;
    if (file) {
      text = readFileSync(join(dir, file), 'utf8').trim();
    } else if (STANDARD_TEXTS[license]) {
      const author = authorOf(manifest) ?? COPYRIGHT_HOLDERS[manifest.name];
      if (!author)
        throw new Error(`${manifest.name} ships no license file and names no author; add its notice by hand.`);
      text =
        `(${manifest.name} ships no license file; this is the ${license} License text its package.json declares.)\n\n` +
        STANDARD_TEXTS[license](author);
    } else {
      throw new Error(
        `${manifest.name} (${license}) ships no license file: decide how to credit it before bundling it.`,
      );
    }
    const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
    return [
      `${manifest.name}@${manifest.version} — ${license}`,
      ...(repository ? [repository.replace(/^git\+/, '')] : []),
      '',
      text,
    ].join('\n');
  });
  const rule = `\n\n${'-'.repeat(79)}\n\n`;
  const header =
    `${pkg.name} ${pkg.version} bundles the following ${entries.length} npm packages into dist/. ` +
    'Their licenses and notices follow.\n' +
    `Generated by scripts/build.mjs from esbuild's metafile; do not edit.`;
  const notices =
    legalComments.length > 0
      ? [`Notices kept from comments in the bundled sources:\n\n${legalComments.join('\n\n')}`]
      : [];
  return `${[header, ...sections, ...notices].join(rule)}\n`;
}

/** Holders for packages that ship no license file and name no author, from their repository's LICENSE. */
const COPYRIGHT_HOLDERS = {
  '@simple-git/argv-parser': 'Steve King', // github.com/steveukx/git-js (packages/argv-parser), as simple-git
};

function authorOf(manifest) {
  const person = (p) =>
    typeof p === 'string' ? p : p?.name ? `${p.name}${p.email ? ` <${p.email}>` : ''}` : undefined;
  return person(manifest.author) ?? person(manifest.contributors?.[0]);
}

const STANDARD_TEXTS = {
  MIT: (holder) => `MIT License

Copyright (c) ${holder}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`,
  ISC: (holder) => `ISC License

Copyright (c) ${holder}

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.`,
};

function rel(path) {
  return relative(ROOT, path.startsWith('/') ? path : join(ROOT, path))
    .split(sep)
    .join('/')
    .replace(/^dist\.partial-\d+\//, 'dist/');
}

await main();

async function main() {
  rmSync(STAGE, { recursive: true, force: true });
  try {
    const cli = await build({
      ...common,
      entryPoints: { app: 'src/app.ts' },
      plugins: [vendorOutside, lazyChildProcessForCommander],
    });
    // dist/app.js stays a file of its own: main.js requires it only when --version is not all that was asked.
    const entry = await build({ ...common, entryPoints: { main: 'src/main.ts' }, external: ['./app.js'] });
    const vendor = await build({
      ...common,
      // Fully minified: third-party names in a stack trace help nobody.
      minifyIdentifiers: true,
      entryPoints: Object.fromEntries(LAZY_PACKAGES.map((name) => [`vendor/${name}`, name])),
    });
    // Not a bin (a second one would stop `npx dora-cli` from finding `dora`): action.yml runs it by its path.
    const action = await build({ ...common, entryPoints: { 'github-action': 'src/action/main.ts' } });

    checkStartupPaths(entry.metafile, cli.metafile);
    if (analyze) await printStartupPaths(entry.metafile, cli.metafile, vendor.metafile);

    const legal = [];
    for (const file of [...entry.outputFiles, ...cli.outputFiles, ...vendor.outputFiles, ...action.outputFiles]) {
      if (file.path.endsWith('.LEGAL.txt')) {
        legal.push(file.text.replace(/^Bundled license information:\n\n/, '').trim());
        continue;
      }
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.contents);
    }
    // The repository's package.json says "type": "module" (for the TypeScript sources); the built files are CommonJS.
    writeFileSync(join(STAGE, 'package.json'), '{\n  "type": "commonjs"\n}\n');
    writeFileSync(
      join(STAGE, 'THIRD-PARTY-LICENSES.txt'),
      thirdPartyLicenses([entry.metafile, cli.metafile, vendor.metafile, action.metafile], [...new Set(legal)]),
    );

    const old = join(ROOT, `dist.old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(STAGE, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(STAGE, { recursive: true, force: true });
  }
}
