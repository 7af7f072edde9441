/**
 * `dora doctor`'s vocabulary: a check's verdict, the exit code a run of checks earns, and how the verdicts read at a
 * terminal. Pure: the command gathers facts, the judges in this folder turn them into checks.
 */
import type { Painter } from '../output/reporter.js';

export type Status = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: Status;
  detail: string;
  /** One sentence saying what to do; present for anything other than ok. */
  fix?: string | undefined;
  /** For a fail: the exit code a send would get for the same cause (2 configuration, 3 key, 4 rejected, 5 network). */
  exitCode?: number | undefined;
}

export const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string, fix: string): Check => ({ name, status: 'warn', detail, fix });
export const fail = (name: string, detail: string, fix: string, exitCode: number): Check => ({
  name,
  status: 'fail',
  detail,
  fix,
  exitCode,
});

/**
 * 0 when an event would be sent and accepted (warnings do not count); else the code a send would get. Of several
 * failures the most basic wins: configuration (2) before a rejected key (3) before the network (5).
 */
export function exitCodeOf(checks: readonly Check[]): number {
  const codes = checks.filter((check) => check.status === 'fail').map((check) => check.exitCode ?? 1);
  return codes.length === 0 ? 0 : Math.min(...codes);
}

/** One line per check; `unicode` and colour go together (the same decision as the Reporter's: NO_COLOR, a terminal). */
export function renderChecks(checks: readonly Check[], paint: Painter, unicode: boolean): string[] {
  const mark: Record<Status, string> = unicode
    ? { ok: paint.green('✓'), warn: paint.yellow('!'), fail: paint.red('✗') }
    : { ok: 'ok  ', warn: 'warn', fail: 'fail' };
  return checks.map(
    (check) =>
      `${mark[check.status]} ${check.name}: ${check.detail}${check.fix ? ` ${unicode ? paint.dim('→') : '->'} ${check.fix}` : ''}`,
  );
}

/** The --json shape: `{ok, error, checks: [{name, status, detail, fix}]}` (fix is null for ok; error when not ok). */
export function checksJson(checks: readonly Check[]): {
  ok: boolean;
  error?: string | undefined;
  checks: Array<{ name: string; status: Status; detail: string; fix: string | null }>;
} {
  const code = exitCodeOf(checks);
  // As every failing result does, it says what went wrong: the check that decided the exit code.
  const deciding = checks.find((check) => check.status === 'fail' && (check.exitCode ?? 1) === code);
  return {
    ok: code === 0,
    ...(deciding ? { error: `${deciding.name}: ${deciding.detail}` } : {}),
    checks: checks.map((check) => ({
      name: check.name,
      status: check.status,
      detail: check.detail,
      fix: check.fix ?? null,
    })),
  };
}
