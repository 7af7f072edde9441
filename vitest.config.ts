import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  define: { __DORA_VERSION__: JSON.stringify(pkg.version) },
  test: {
    include: ['test/**/*.test.ts'],
    // Most end-to-end time is spent waiting (on a child process, a signal, git's time limit), not computing: three
    // workers on two cores keep the CPU busy meanwhile (vitest's default here would be one).
    maxWorkers: 3,
    // End-to-end tests spawn the built CLI; give them room on a 2-core machine.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
