/**
 * The whole CLI in-process, through the Context production builds (createContext), with captured streams. The real
 * transports are used unless a test passes its own: msw intercepts node:http, and a local server on 127.0.0.1 answers
 * either.
 */
import { type ContextParts, createContext } from '../../src/app.js';
import { run } from '../../src/cli.js';
import type { OutStream } from '../../src/output/reporter.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type CliOptions = Partial<Omit<ContextParts, 'stdout' | 'stderr'>> & { isTTY?: boolean };

export async function runCli(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  const out = { stdout: '', stderr: '' };
  const stream = (key: 'stdout' | 'stderr'): OutStream => ({
    write: (text: string) => {
      out[key] += text;
      return true;
    },
    isTTY: options.isTTY ?? false,
  });
  const { isTTY: _tty, ...parts } = options;
  const ctx = createContext({
    env: {},
    cwd: '/nonexistent-dora-test-dir',
    readLocalGit: async () => ({}),
    ...parts,
    stdout: stream('stdout'),
    stderr: stream('stderr'),
  });
  const code = await run(argv, ctx);
  return { code, ...out };
}
