/**
 * The one body reader: whatever a server sends, dora reads at most BODY_LIMIT bytes of it, for at most the time it is
 * given, and parses only that prefix, in time linear in its size. The rest is never read: the connection is closed
 * instead of drained, so an endless or huge body costs neither memory nor time.
 */

/** The most of any body dora reads (1 MiB): far more than any DORA answer or error page needs. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * JSON nested deeper than this is no Datadog answer (theirs are a handful of levels deep). Refusing it before parsing
 * keeps everything that later walks the value (printing it, describing it) clear of a stack overflow.
 */
export const MAX_JSON_DEPTH = 64;

export interface BodyPrefix {
  /** The bytes read, as UTF-8 text (a character cut at the limit becomes U+FFFD). */
  text: string;
  /** Bytes read: at most the limit. */
  bytes: number;
  /**
   * How the read ended: `complete` (the body ended within the limit), `cut` (it was longer: the rest is discarded),
   * `stalled` (the signal fired first: time ran out, or the caller stopped waiting), `broken` (the connection broke).
   */
  end: 'complete' | 'cut' | 'stalled' | 'broken';
}

/**
 * Reads `source` until it ends, `limit` bytes are in, or `signal` fires. Never rejects: what a broken or stalled body
 * left is still returned, and the caller decides from the status what it means. Stopping early returns the iterator
 * (for a Node stream or a web stream, that destroys or cancels it); a read still pending when the signal fired is
 * left to the caller's teardown of the request.
 */
export async function readBody(
  source: AsyncIterable<Uint8Array> | null | undefined,
  signal: AbortSignal,
  limit: number = BODY_LIMIT,
): Promise<BodyPrefix> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const done = (end: BodyPrefix['end']): BodyPrefix => ({ text: decode(chunks, bytes), bytes, end });
  if (!source) return done('complete');
  if (signal.aborted) return done('stalled');

  const iterator = source[Symbol.asyncIterator]();
  const stop = () => {
    // Not awaited: an async iterator queues return() behind a pending next(), which a stalled body never settles.
    Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => undefined);
  };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = iterator.next();
      next.catch(() => undefined); // settled after we stopped waiting: not an unhandled rejection
      let step: IteratorResult<Uint8Array> | 'aborted';
      try {
        step = await Promise.race([next, aborted]);
      } catch {
        return done('broken');
      }
      if (step === 'aborted') {
        stop();
        return done('stalled');
      }
      if (step.done) return done('complete');
      const chunk = toBytes(step.value);
      if (bytes + chunk.length > limit) {
        chunks.push(chunk.subarray(0, limit - bytes));
        bytes = limit;
        stop();
        return done('cut');
      }
      chunks.push(chunk);
      bytes += chunk.length;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  // A stream in string mode (a test's, or one with setEncoding) still counts in bytes.
  return Buffer.from(String(value), 'utf8');
}

function decode(chunks: Uint8Array[], bytes: number): string {
  if (bytes === 0) return '';
  // Not fatal: a body cut mid-character, or simply not UTF-8, is still read for what it says.
  return new TextDecoder('utf-8').decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes));
}

export type JsonReading = { ok: true; value: unknown } | { ok: false; problem: 'empty' | 'not-json' | 'too-deep' };

/**
 * JSON.parse behind a linear check of nesting depth. V8's parser itself copes with any depth, but the value it builds
 * would overflow the stack of whatever walks it next (JSON.stringify among them).
 */
export function readJson(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonReading {
  if (text.trim() === '') return { ok: false, problem: 'empty' };
  if (nestingDepth(text) > maxDepth) return { ok: false, problem: 'too-deep' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: 'not-json' };
  }
}

/** The deepest nesting of arrays and objects outside strings; stops counting once past any depth worth knowing. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
