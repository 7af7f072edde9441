/**
 * stdout and stderr written straight to their file descriptors. Creating `process.stdout` builds a Node stream
 * (and loads the modules behind it), which costs more than everything a dry run does; a synchronous write to the
 * descriptor costs nothing and keeps the order of stdout and stderr lines exactly as written.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { OutputError } from '../errors.js';
import type { OutStream } from '../output/reporter.js';

/** `fs.writeSync`'s shape, injectable so tests can play a full pipe (EAGAIN) or a gone reader (EPIPE). */
export type WriteSync = (fd: number, buffer: Uint8Array, offset: number) => number;

export function fdStream(fd: 1 | 2, nodeStream: () => NodeJS.WritableStream, write: WriteSync = writeSync): OutStream {
  // Once a write could not complete synchronously, everything after it goes through the Node stream, in order.
  let useStream = false;
  let tty: boolean | undefined;
  return {
    write(text: string): boolean {
      if (useStream) return nodeStream().write(text);
      const bytes = Buffer.from(text, 'utf8');
      let offset = 0;
      try {
        while (offset < bytes.length) offset += write(fd, bytes, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') return false; // the reader is gone (`dora … | head`): nothing left to tell it
        if (code !== 'EAGAIN') {
          // A full disk or a closed terminal: say so plainly rather than as a bug.
          throw new OutputError(`could not write to ${fd === 1 ? 'stdout' : 'stderr'} (${code ?? String(error)})`);
        }
        // A non-blocking pipe that is full: hand the rest to the stream, which waits for the reader.
        useStream = true;
        return nodeStream().write(bytes.subarray(offset));
      }
      return true;
    },
    get isTTY(): boolean {
      // Only a character device can be a terminal, and /dev/null (`2>/dev/null` in scripts) is one that is not:
      // ruling those out first keeps node:tty, and the net and stream modules it loads, unloaded.
      tty ??= isCharacterDeviceOtherThanNull(fd) && process.getBuiltinModule('node:tty').isatty(fd);
      return tty;
    },
    nodeStream: nodeStream as () => NodeJS.WritableStream & { columns?: number },
  };
}

function isCharacterDeviceOtherThanNull(fd: number): boolean {
  const stats = fstatSync(fd);
  if (!stats.isCharacterDevice()) return false;
  if (process.platform === 'win32') return true;
  try {
    return stats.rdev !== statSync('/dev/null').rdev;
  } catch {
    return true; // no /dev/null to compare with: let isatty decide
  }
}
