// Bundles the CLI into dist/ so the published package has no runtime dependencies: one small entry chunk for
// `--version`, the CLI chunk, and separate chunks for undici, simple-git and ora, loaded only on the paths that use them.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minify: false,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __DORA_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (undici, simple-git) call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
});
