import { describe, expect, it } from 'vitest';
import {
  type CommandOutcome,
  commandExitCode,
  commandFailureMessage,
  commandSucceeded,
  signalExitCode,
} from '../../src/wrap/outcome.js';

const times = { startedAt: 1n, finishedAt: 2n };

describe('command outcomes', () => {
  it('records a command that exited 0', () => {
    const ok: CommandOutcome = { kind: 'exited', code: 0, ...times, forwarded: [] };
    expect(commandSucceeded(ok)).toBe(true);
    expect(commandExitCode(ok)).toBe(0);
    expect(commandFailureMessage(ok)).toBeUndefined();
  });

  it('says a failed command recorded nothing, and passes its code on', () => {
    const failed: CommandOutcome = { kind: 'exited', code: 3, ...times, forwarded: [] };
    expect(commandSucceeded(failed)).toBe(false);
    expect(commandExitCode(failed)).toBe(3);
    expect(commandFailureMessage(failed)).toBe('the deploy command exited 3: nothing was recorded');
  });

  it('takes a command that trapped a forwarded signal and still exited 0 as deployed', () => {
    const trapped: CommandOutcome = { kind: 'exited', code: 0, ...times, forwarded: ['SIGTERM'] };
    expect(commandSucceeded(trapped)).toBe(true);
    expect(commandExitCode(trapped)).toBe(0);
    expect(commandFailureMessage(trapped)).toBeUndefined();
  });

  it('names the forwarded signal when an interrupted command failed', () => {
    const trapped: CommandOutcome = { kind: 'exited', code: 1, ...times, forwarded: ['SIGTERM'] };
    expect(commandSucceeded(trapped)).toBe(false);
    expect(commandFailureMessage(trapped)).toBe(
      'the deploy command exited 1 after dora forwarded SIGTERM to it: nothing was recorded',
    );
  });

  it('names the signal that killed the command and exits 128+N', () => {
    const killed: CommandOutcome = {
      kind: 'signalled',
      signal: 'SIGTERM',
      exitCode: 143,
      ...times,
      forwarded: ['SIGTERM'],
    };
    expect(commandExitCode(killed)).toBe(143);
    expect(commandFailureMessage(killed)).toBe('the deploy command was killed by SIGTERM: nothing was recorded');
  });

  it('gives the reason a command could not be started', () => {
    const missing: CommandOutcome = { kind: 'not-started', exitCode: 127, reason: 'command not found: ./deploy.sh' };
    expect(commandExitCode(missing)).toBe(127);
    expect(commandFailureMessage(missing)).toBe(
      'the deploy command could not be started (command not found: ./deploy.sh): nothing was recorded',
    );
  });

  it.skipIf(process.platform === 'win32')('numbers signals as POSIX shells do', () => {
    expect(signalExitCode('SIGHUP')).toBe(129);
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGKILL')).toBe(137);
    expect(signalExitCode('SIGTERM')).toBe(143);
  });
});
