/**
 * A records file, read through to check and plan every record, then record by record as each is sent: the import
 * keeps where each record is, not the file's bytes. Every read goes through one descriptor, so an editor that saves
 * by replacing the file changes nothing here; a file changed in place is noticed, and the import stops rather than
 * send what was not checked.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';

export interface InputFile {
  /** The size when it was opened. */
  readonly size: number;
  /** Bytes [start, end), as they were when the file was opened. */
  range(start: number, end: number): Buffer;
  close(): void;
}

export function openInputFile(path: string): InputFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  const { size, mtimeMs } = fstatSync(fd);
  const readAt = (start: number, end: number) => {
    const bytes = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < bytes.length) {
      const read = readSync(fd, bytes, done, bytes.length - done, start + done);
      if (read === 0) break;
      done += read;
    }
    return bytes.subarray(0, done);
  };
  return {
    size,
    range(start, end) {
      const now = fstatSync(fd);
      if (now.size !== size || now.mtimeMs !== mtimeMs) {
        throw new Error(`${path} changed while it was imported; what was checked is no longer what it holds`);
      }
      return readAt(start, end);
    },
    close: () => closeSync(fd),
  };
}
