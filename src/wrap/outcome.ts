/**
 * What became of a wrapped deploy command, and the two things the CLI derives from it: dora's exit code and the one
 * line stderr gets when the command failed. Pure: no process, no clock.
 */
import { constants } from 'node:os';

export type CommandOutcome =
  /** The command ran and exited by itself; `code` 0 is success, signals forwarded to it or not. */
  | { kind: 'exited'; code: number; startedAt: bigint; finishedAt: bigint; forwarded: NodeJS.Signals[] }
  /** The command was ended by a signal; `exitCode` is 128+N, as a shell reports it. */
  | {
      kind: 'signalled';
      signal: NodeJS.Signals;
      exitCode: number;
      startedAt: bigint;
      finishedAt: bigint;
      forwarded: NodeJS.Signals[];
    }
  /** The command never ran: 127 when it was not found, 126 when it was found but could not be executed. */
  | { kind: 'not-started'; exitCode: 126 | 127; reason: string };

/**
 * 128+N for signal N, the convention of sh, env and timeout. A signal this platform has no number for (which Node
 * would not report) still gets a failing code rather than 128 alone.
 */
export function signalExitCode(signal: NodeJS.Signals): number {
  const n = (constants.signals as Partial<Record<NodeJS.Signals, number>>)[signal];
  return n === undefined ? 1 : 128 + n;
}

/** The code dora exits with when the command did not succeed, or 0 when it did (dora may still fail afterwards). */
export function commandExitCode(outcome: CommandOutcome): number {
  return outcome.kind === 'exited' ? outcome.code : outcome.exitCode;
}

/**
 * True for a command that exited 0: it has deployed, even if dora forwarded it a signal first (a deploy script that
 * traps SIGTERM, finishes its work and exits 0 has still deployed, and must be recorded, not lost).
 */
export function commandSucceeded(outcome: CommandOutcome): outcome is Extract<CommandOutcome, { kind: 'exited' }> {
  return outcome.kind === 'exited' && outcome.code === 0;
}

/**
 * The stderr line (without an `error:` prefix, which the Reporter adds) for a command after which nothing is
 * recorded; undefined when the command succeeded.
 */
export function commandFailureMessage(outcome: CommandOutcome): string | undefined {
  if (commandSucceeded(outcome)) return undefined;
  const what = describe(outcome);
  return `the deploy command ${what}: nothing was recorded`;
}

function describe(outcome: CommandOutcome): string {
  switch (outcome.kind) {
    case 'not-started':
      return `could not be started (${outcome.reason})`;
    case 'signalled':
      return `was killed by ${outcome.signal}`;
    case 'exited': {
      const after = outcome.forwarded.length > 0 ? ` after dora forwarded ${outcome.forwarded[0]} to it` : '';
      return `exited ${outcome.code}${after}`;
    }
  }
}
