// esbuild plugins that keep dora's start-up path short, for every build of the CLI: the npm package
// (scripts/build.mjs) and the standalone binary (scripts/build-binary.mjs).
import { sep } from 'node:path';

/**
 * commander requires node:child_process at load time, for executable subcommands, which dora does not have. Loading
 * it (and the net, dgram and stream modules behind it) is a measurable share of a dry run, so commander gets a
 * stand-in that loads the real module on first use.
 */
export const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${sep}commander${sep}`)
        ? { path: 'child_process', namespace: 'lazy-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      loader: 'js',
      contents: `let real;
module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });`,
    }));
  },
};
