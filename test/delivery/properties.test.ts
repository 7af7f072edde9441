/**
 * Properties of the body reader and of the messages, over generated input: whatever bytes a server sends, the reader
 * keeps a bounded, exact prefix, and the message a user reads is one bounded line without control characters that
 * names the status it got.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBody, readJson } from '../../src/api/body.js';
import { failureError, MAX_MESSAGE } from '../../src/api/messages.js';
import { plainText } from '../../src/api/plain-text.js';
import { RequestFailure, request } from '../../src/api/request.js';
import { errorText, MAX_ERROR_TEXT } from '../../src/api/response.js';
import type { Transport } from '../../src/api/transports/types.js';
import type { Clock } from '../../src/context.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function* chunked(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

/** Gives its chunks, then never another: a body that stalls. */
function stalling(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  let i = 0;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        i < chunks.length
          ? Promise.resolve({ done: false, value: chunks[i++] as Uint8Array })
          : new Promise<IteratorResult<Uint8Array>>(() => undefined),
    }),
  };
}

const total = (chunks: Uint8Array[]) => chunks.reduce((sum, chunk) => sum + chunk.length, 0);
const joined = (chunks: Uint8Array[]) => Buffer.concat(chunks);

describe('readBody', () => {
  it('keeps exactly the first min(size, limit) bytes of any body, and says whether it was cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 4096 }),
        async (chunks, limit) => {
          const prefix = await readBody(chunked(chunks), new AbortController().signal, limit);
          const size = total(chunks);
          expect(prefix.bytes).toBe(Math.min(size, limit));
          expect(prefix.end).toBe(size > limit ? 'cut' : 'complete');
          expect(prefix.text).toBe(new TextDecoder().decode(joined(chunks).subarray(0, prefix.bytes)));
        },
      ),
    );
  });

  it('returns what arrived when the signal fires on a body that stalls, never more than the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 256 }), { maxLength: 10 }),
        fc.integer({ min: 1, max: 2048 }),
        async (chunks, limit) => {
          const controller = new AbortController();
          const reading = readBody(stalling(chunks), controller.signal, limit);
          setImmediate(() => controller.abort());
          const prefix = await reading;
          expect(prefix.bytes).toBe(Math.min(total(chunks), limit));
          expect(prefix.end).toBe(total(chunks) > limit ? 'cut' : 'stalled');
        },
      ),
      { numRuns: 50 },
    );
  });

  it('reports a body that breaks off as broken, with what came before', async () => {
    async function* breaking() {
      yield Buffer.from('{"da');
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    expect(await readBody(breaking(), new AbortController().signal)).toEqual({ text: '{"da', bytes: 4, end: 'broken' });
  });
});

describe('readJson', () => {
  it('never throws, and refuses nesting past the bound before parsing', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ':', ',', '1', ' ') }), (text) => {
        const reading = readJson(text, 8);
        if (reading.ok) expect(JSON.stringify(reading.value)).toBeDefined();
      }),
    );
    expect(readJson(`${'['.repeat(65)}${']'.repeat(65)}`)).toEqual({ ok: false, problem: 'too-deep' });
    expect(readJson(`${'['.repeat(64)}${']'.repeat(64)}`).ok).toBe(true);
    // Brackets inside strings are text, not nesting.
    expect(readJson(JSON.stringify({ a: '['.repeat(1000) })).ok).toBe(true);
  });

  it('reads any JSON value of sane depth as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), (value) => {
        const reading = readJson(JSON.stringify(value));
        expect(reading).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
      }),
    );
  });
});

describe('errorText and plainText', () => {
  it('turn any text into one bounded line without control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (text) => {
        for (const line of [errorText(text), plainText(text, 300)]) {
          expect(line).not.toMatch(CONTROL);
          expect(line).not.toMatch(/\s\s|^\s|\s$/);
        }
        expect(errorText(text).length).toBeLessThanOrEqual(MAX_ERROR_TEXT + 1);
        expect(plainText(text, 300).length).toBeLessThanOrEqual(301);
      }),
    );
  });

  it("pass the API's own words on, when they are plain and short", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,:_-]{0,40}[A-Za-z0-9]$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (errors) => {
        const words = errors.map((error) => error.replace(/\s+/g, ' '));
        expect(errorText(JSON.stringify({ errors: words }))).toBe(words.join('; '));
      }),
    );
  });
});

describe('the message a refusal becomes', () => {
  const clock: Clock = {
    monotonicMs: () => performance.now(),
    wallMs: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      }),
  };

  /** One attempt against a transport that answers `status` with `body` (and a Location header). */
  async function messageFor(status: number, body: Uint8Array, location: string, action: 'record' | 'read') {
    const transport: Transport = async () => ({
      status,
      headers: { get: (name) => (name.toLowerCase() === 'location' ? location : null) },
      body: chunked([body]),
      text: async () => Buffer.from(body).toString('utf8'),
    });
    const failure = await request(
      { method: action === 'read' ? 'GET' : 'POST', path: '/x', needsJson: action === 'read' },
      { requestTimeoutMs: 5_000, deadlineMs: 5_000, maxAttempts: 1 },
      { baseUrl: 'https://api.example.test', userAgent: 'test', transport, clock, random: () => 0 },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(failure instanceof RequestFailure)) throw new Error(`status ${status} did not fail`);
    return failureError(failure, { action, noun: 'deployment', host: 'api.example.test' });
  }

  it('is one bounded line without control characters that names the status, for any status and any bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 300, max: 599 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 4000 }),
          fc.string({ unit: 'binary', maxLength: 2000 }).map((text) => Buffer.from(JSON.stringify({ errors: [text] }))),
          fc.string({ unit: 'binary', maxLength: 2000 }).map((text) => Buffer.from(`<html><title>${text}</title>`)),
        ),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom('record' as const, 'read' as const),
        async (status, body, location, action) => {
          const error = await messageFor(status, body, location, action);
          expect(error.message).not.toMatch(CONTROL);
          expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE + 1);
          expect(error.message).toContain(String(status));
          expect(error.exitCode).toBe(
            status === 401 || status === 403
              ? 3
              : status < 400 || status >= 500 || status === 408 || status === 429
                ? 5
                : 4,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is one bounded line for any error a connection can fail with, however many lines its text has', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 5000 }),
        fc.string({ maxLength: 40 }),
        async (message, code) => {
          const transport: Transport = async () => {
            throw Object.assign(new Error('request failed'), { cause: Object.assign(new Error(message), { code }) });
          };
          const failure = await request(
            { method: 'POST', path: '/x' },
            { requestTimeoutMs: 5_000, deadlineMs: 5_000, maxAttempts: 1 },
            { baseUrl: 'https://api.example.test', userAgent: 'test', transport, clock, random: () => 0 },
          ).catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(RequestFailure);
          const error = failureError(failure as RequestFailure, { action: 'record', noun: 'deployment', host: 'h' });
          expect(error.message).not.toMatch(CONTROL);
          expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE + 1);
          expect(error.exitCode).toBe(5);
        },
      ),
      { numRuns: 200 },
    );
  });
});
