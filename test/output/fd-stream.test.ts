import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdStream } from '../../src/boot/fd-stream.js';
import { OutputError } from '../../src/errors.js';

describe('fdStream', () => {
  it('writes text to the descriptor synchronously, byte-exact, without touching the Node stream', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dora-fd-')), 'out.txt');
    const fd = openSync(file, 'w');
    let streamUsed = false;
    const stream = fdStream(fd as 1, () => {
      streamUsed = true;
      return process.stdout;
    });
    stream.write('{"name":"é ✓ \\"quoted\\""}\n');
    stream.write('second line\n');
    expect(stream.isTTY).toBe(false); // a regular file is no terminal
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('{"name":"é ✓ \\"quoted\\""}\nsecond line\n');
    expect(streamUsed).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('takes /dev/null for what it is: a character device, not a terminal', () => {
    const fd = openSync('/dev/null', 'w');
    try {
      expect(fdStream(fd as 1, () => process.stdout).isTTY).toBe(false);
    } finally {
      closeSync(fd);
    }
  });
});

describe('fdStream when the descriptor cannot take a write', () => {
  const error = (code: string) => Object.assign(new Error(code), { code });

  it('hands the rest of a write to the Node stream on EAGAIN (a full non-blocking pipe), and everything after it', () => {
    const streamed: string[] = [];
    const stream = {
      write: (chunk: string | Uint8Array) => {
        streamed.push(Buffer.from(chunk).toString());
        return true;
      },
      on: () => stream,
    };
    let calls = 0;
    const write = (_fd: number, _buffer: Uint8Array, _offset: number) => {
      calls += 1;
      if (calls === 1) return 3; // the pipe took three bytes, then filled up
      throw error('EAGAIN');
    };
    const out = fdStream(1, () => stream as unknown as NodeJS.WritableStream, write);
    out.write('abcdef');
    out.write('second');
    expect(streamed).toEqual(['def', 'second']);
    expect(calls).toBe(2);
  });

  it('drops output quietly on EPIPE (`dora … | head` closed the pipe)', () => {
    const out = fdStream(
      1,
      () => process.stdout,
      () => {
        throw error('EPIPE');
      },
    );
    expect(out.write('lost')).toBe(false);
  });

  it.each(['ENOSPC', 'EIO', 'EBADF', 'EPIPE', 'ENXIO'])(
    'never throws for stderr (%s): notes the failure once and drops everything after it',
    (code) => {
      let calls = 0;
      const out = fdStream(
        2,
        () => process.stderr,
        () => {
          calls += 1;
          throw error(code);
        },
      );
      expect(out.failure).toBeUndefined();
      expect(out.write('warning: retrying\n')).toBe(false);
      expect(out.write('warning: retrying again\n')).toBe(false);
      expect(out.failure).toBe(`could not write to stderr (${code})`);
      expect(calls).toBe(1);
    },
  );

  it.each(['ENOSPC', 'EIO', 'EBADF'])(
    'says which stream failed when a result cannot be written to stdout (%s), as an OutputError for the command',
    (code) => {
      const out = fdStream(
        1,
        () => process.stdout,
        () => {
          throw error(code);
        },
      );
      expect(() => out.write('x')).toThrow(OutputError);
      expect(() => out.write('x')).toThrow(`could not write to stdout (${code})`);
      expect(out.failure).toBe(`could not write to stdout (${code})`);
    },
  );

  it('notes a failure the Node stream reports later, instead of letting it end the process', () => {
    const { PassThrough } = process.getBuiltinModule('node:stream');
    const node = new PassThrough();
    const out = fdStream(
      2,
      () => node,
      () => {
        throw error('EAGAIN');
      },
    );
    out.write('goes to the stream');
    node.emit('error', error('EPIPE'));
    expect(out.failure).toBe('could not write to stderr (EPIPE)');
    expect(out.write('dropped')).toBe(false);
  });
});
