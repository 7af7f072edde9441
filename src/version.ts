// Replaced at build time (esbuild) and in tests (vitest) with package.json's version, so the CLI reads no file to know it.
declare const __DORA_VERSION__: string;

export const CLI_VERSION: string = __DORA_VERSION__;
