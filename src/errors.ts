/**
 * Every failure the user can cause or meet is one of these. The CLI entry maps `exitCode` to the process exit code;
 * anything else that escapes is a bug (exit 1).
 */
export class DoraError extends Error {
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

/** The run was stopped by SIGINT (130) or SIGTERM (143). */
export class InterruptedError extends DoraError {
  /** `sending`: whether delivery had begun, the only case where Datadog may have the event. */
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    sending = true,
  ) {
    super(
      sending
        ? `Interrupted by ${signal}: the event may or may not have been recorded.`
        : `Interrupted by ${signal} before anything was sent: no event was recorded.`,
      signal === 'SIGINT' ? 130 : 143,
    );
  }
}

/** stdout or stderr could not be written (a full disk, a closed terminal): exit 1, said plainly, not as a bug. */
export class OutputError extends DoraError {
  constructor(message: string) {
    super(message, 1);
  }
}
