import { mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdStream } from '../../src/boot/fd-stream.js';

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
