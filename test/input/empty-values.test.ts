/**
 * An empty variable where a value goes (`--version $VERSION --dry-run`) leaves the next option as the value: every
 * option that takes a value refuses another option as its value, so a dry run never turns into a real send.
 */
import type { Command } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VERBS } from '../../src/commands/index.js';
import { runCli } from '../helpers/cli.js';

const KEY = 'a'.repeat(32);

const valueOptions = await Promise.all(
  VERBS.map(async (entry) => {
    const command: Command = (await entry.load()).command();
    return { path: entry.path, flags: command.options.filter((o) => o.required).map((o) => o.long as string) };
  }),
);

describe('an option whose value is missing', () => {
  it.each(valueOptions)('$path: each value option refuses the next option as its value', async ({ path, flags }) => {
    const requests: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...flags),
        fc.constantFrom('--dry-run', '--json', '--verbose', '--yes'),
        async (flag, next) => {
          const run = await runCli([...path.split(' '), flag, next, '--dry-run'], {
            env: { DD_API_KEY: KEY },
            createTransport: async () => ({
              transport: async (url) => {
                requests.push(url);
                throw new Error('no request may be made');
              },
              close: async () => undefined,
            }),
          });
          expect(run.code).toBe(2);
          expect(run.stderr).toContain(`${flag} needs a value, and the next word is the option ${next}`);
        },
      ),
      { numRuns: 12 },
    );
    expect(requests).toEqual([]);
  });
});

const switchOptions = await Promise.all(
  VERBS.map(async (entry) => {
    const command: Command = (await entry.load()).command();
    const flags = command.options.filter((o) => !o.required && !o.optional && !o.negate).map((o) => o.long as string);
    return { path: entry.path, flags };
  }),
);

describe('an option that takes no value, given one (--dry-run=true)', () => {
  it.each(switchOptions)('$path: says the option takes no value, never that it is unknown', async ({ path, flags }) => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...flags), fc.constantFrom('true', '1', 'false', ''), async (flag, value) => {
        const run = await runCli([...path.split(' '), `${flag}=${value}`, '--json'], {
          env: { DD_API_KEY: KEY },
          createTransport: async () => {
            throw new Error('nothing may be sent');
          },
        });
        expect(run.code).toBe(2);
        expect(JSON.parse(run.stdout).error).toBe(`${flag} takes no value: give it alone, without "=…".`);
      }),
      { numRuns: 15 },
    );
  });
});
