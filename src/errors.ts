/**
 * Every failure the user can cause or meet is one of these. The CLI entry maps `exitCode` to the process exit code;
 * anything else that escapes is a bug (exit 1).
 */
export class DoraError extends Error {
  /** The HTTP status of the API's last answer, when the failure came from one (a 403, a 400…). */
  status?: number | undefined;

  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Invalid usage or input: nothing was sent. */
export class UsageError extends DoraError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The intake answered 401/403. */
export class UnauthorizedError extends DoraError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** The intake refused the event (any other 4xx). */
export class RejectedError extends DoraError {
  constructor(message: string) {
    super(message, 4);
  }
}

/** The event could not be delivered: network failures, timeouts, 408/429/5xx after retries. */
export class DeliveryError extends DoraError {
  constructor(message: string) {
    super(message, 5);
  }
}

/** What an interruption left behind. */
export type InterruptedAt =
  /** nothing had been sent yet */
  | 'nothing-sent'
  /** attempts were made, but every one was refused or never connected */
  | 'not-done'
  /** a request was on its way or unanswered: Datadog may have acted on it */
  | 'maybe'
  /** only reading: nothing to have been recorded */
  | 'read-only';

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The run was stopped by a signal: exit 128 + its number (129 SIGHUP, 130 SIGINT, 143 SIGTERM). */
export class InterruptedError extends DoraError {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly at: InterruptedAt = 'maybe',
    /** What may have happened, for 'maybe': "the event may or may not have been recorded". */
    readonly subject: 'event' | 'change' = 'event',
  ) {
    super(interruptedMessage(signal, at, subject), SIGNAL_EXIT[signal] ?? 130);
  }
}

function interruptedMessage(signal: string, at: InterruptedAt, subject: 'event' | 'change'): string {
  switch (at) {
    case 'nothing-sent':
      return `Interrupted by ${signal} before anything was sent: no ${subject === 'event' ? 'event was recorded' : 'change was made'}.`;
    case 'not-done':
      return `Interrupted by ${signal}: no attempt got through, so no ${subject === 'event' ? 'event was recorded' : 'change was made'}.`;
    case 'maybe':
      return `Interrupted by ${signal}: the ${subject === 'event' ? 'event may or may not have been recorded' : 'change may or may not have been made'}.`;
    case 'read-only':
      return `Interrupted by ${signal}.`;
  }
}

/** stdout or stderr could not be written (a full disk, a closed terminal): exit 1, said plainly, not as a bug. */
export class OutputError extends DoraError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** Whether `error` is one of ours (an expected failure), as opposed to a bug. */
export function isDoraError(error: unknown): error is DoraError {
  return error instanceof DoraError;
}
