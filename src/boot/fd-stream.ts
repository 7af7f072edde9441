/**
 * stdout and stderr written straight to their file descriptors. Creating `process.stdout` builds a Node stream
 * (and loads the modules behind it), which costs more than everything a dry run does; a synchronous write to the
 * descriptor costs nothing and keeps the order of stdout and stderr lines exactly as written.
 *
 * A write that fails never breaks the run. stderr carries talk (progress, warnings, errors): once a write to it fails
 * (a full disk, a closed terminal, a reader gone), the failure is noted and everything after it is dropped, so a
 * retry warning can never stop a delivery. stdout carries results, and only the command knows whether a lost result
 * matters (after a recorded event it does not; for a read or a dry run it is the whole job): there a failed write
 * throws an OutputError for the command to judge, except EPIPE (`dora … | head`), which means the reader has all it
 * wanted.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { OutputError } from '../errors.js';
import type { OutStream } from '../output/reporter.js';

/** `fs.writeSync`'s shape, injectable so tests can play a full pipe (EAGAIN), a full disk or a gone reader (EPIPE). */
export type WriteSync = (fd: number, buffer: Uint8Array, offset: number) => number;

export interface FdStream extends OutStream {
  /** The first failed write, worded ("could not write to stderr (ENOSPC)"); undefined while every write succeeded. */
  readonly failure: string | undefined;
}

export function fdStream(fd: 1 | 2, nodeStream: () => NodeJS.WritableStream, write: WriteSync = writeSync): FdStream {
  const name = fd === 1 ? 'stdout' : 'stderr';
  // Once a write could not complete synchronously, everything after it goes through the Node stream, in order.
  let useStream = false;
  let failure: string | undefined;
  let tty: boolean | undefined;
  let listening = false;
  const noteFailure = (error: unknown) => {
    failure ??= `could not write to ${name} (${(error as NodeJS.ErrnoException | undefined)?.code ?? String(error)})`;
  };
  const stream = () => {
    const node = nodeStream();
    if (!listening) {
      listening = true;
      // The Node stream reports a failed write as an event; unheard, it would end the process as an uncaught error.
      node.on('error', noteFailure);
    }
    return node;
  };
  return {
    write(text: string): boolean {
      if (fd === 2 && failure !== undefined) return false;
      if (useStream) return stream().write(text);
      const bytes = Buffer.from(text, 'utf8');
      let offset = 0;
      try {
        while (offset < bytes.length) offset += write(fd, bytes, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // A non-blocking pipe that is full: hand the rest to the stream, which waits for the reader.
          useStream = true;
          return stream().write(bytes.subarray(offset));
        }
        noteFailure(error);
        if (fd === 1 && code !== 'EPIPE') throw new OutputError(failure as string);
        return false;
      }
      return true;
    },
    get failure(): string | undefined {
      return failure;
    },
    get isTTY(): boolean {
      // Only a character device can be a terminal, and /dev/null (`2>/dev/null` in scripts) is one that is not:
      // ruling those out first keeps node:tty, and the net and stream modules it loads, unloaded.
      tty ??= isCharacterDeviceOtherThanNull(fd) && process.getBuiltinModule('node:tty').isatty(fd);
      return tty;
    },
    nodeStream: stream as () => NodeJS.WritableStream & { columns?: number },
  };
}

function isCharacterDeviceOtherThanNull(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    if (!stats.isCharacterDevice()) return false;
    if (process.platform === 'win32') return true;
    return stats.rdev !== statSync('/dev/null').rdev;
  } catch {
    // No descriptor to ask about (closed), or no /dev/null to compare with: only isatty can tell, and it is cheap.
    return process.getBuiltinModule('node:tty').isatty(fd);
  }
}
