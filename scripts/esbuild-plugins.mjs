// esbuild plugins that keep dora's start-up path short, for any build of the CLI: the standalone binary
// (scripts/build-binary.mjs) uses both; scripts/build.mjs has its own copies of the same two.
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

/**
 * `import('undici')` resolves to the two things src/api/transports/undici.ts uses, not undici's index: the index
 * also loads the mock agents, caches, WebSocket, EventSource and cookies (the last reads `globalThis.Headers`, which
 * makes Node load its own copy of undici too). Same files undici's index would run; the dispatcher API is attached as
 * the index attaches it (ProxyAgent tunnels through `Client#connect`). Add a name here before using it there.
 */
export const undiciEssentials = {
  name: 'undici-essentials',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => ({
      path: 'undici',
      namespace: 'undici-essentials',
      pluginData: { resolveDir: args.resolveDir },
    }));
    b.onLoad({ filter: /^undici$/, namespace: 'undici-essentials' }, (args) => ({
      loader: 'js',
      resolveDir: args.pluginData.resolveDir,
      contents: `'use strict';
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));
exports.EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js');
exports.fetch = require('undici/lib/web/fetch/index.js').fetch;
`,
    }));
  },
};
