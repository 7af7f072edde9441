/**
 * A records file, read through to check and plan every record, then record by record as each is sent: the import
 * keeps where each record is, not the file's bytes. Every read goes through one descriptor, so an editor that saves
 * by replacing the file changes nothing here; a file changed in place is noticed, and the import stops rather than
 * send what was not checked.
 *
 * A path that is not a regular file (a pipe such as `<(jq …)` or /dev/stdin) cannot be read twice: it is read whole
 * once, as stdin is.
 */
import { fstatSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export interface InputFile {
  /** The size when it was opened. */
  readonly size: number;
  /** A regular file, read where it lies; else (a pipe, a device) its bytes were read whole when it was opened. */
  readonly regular: boolean;
  /** Bytes [start, end), as they were when the file was opened. */
  range(start: number, end: number): Buffer;
  close(): void;
}

export async function openInputFile(path: string, signal: AbortSignal): Promise<InputFile> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  const stat = await handle.stat();
  if (stat.isDirectory()) {
    await handle.close();
    throw new UsageError(`${path} is a folder: give the records file in it.`);
  }
  if (!stat.isFile()) {
    const reading = handle.readFile({ signal });
    // Closed once the read is over, not awaited: a handle's close waits for its read, which an interruption leaves.
    const close = () => void handle.close().catch(() => undefined);
    reading.then(close, close);
    const bytes = await untilAborted(reading, signal);
    return {
      size: bytes.length,
      regular: false,
      range: (start, end) => bytes.subarray(start, end),
      close: () => undefined,
    };
  }
  return regularFile(path, handle.fd, stat, () => void handle.close());
}

function regularFile(
  path: string,
  fd: number,
  { size, mtimeMs }: { size: number; mtimeMs: number },
  close: () => void,
): InputFile {
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
    regular: true,
    range(start, end) {
      const now = fstatSync(fd);
      if (now.size !== size || now.mtimeMs !== mtimeMs) {
        throw new Error(`${path} changed while it was imported; what was checked is no longer what it holds`);
      }
      return readAt(start, end);
    },
    close,
  };
}

/**
 * `work`, or the signal's reason as soon as it is aborted: a read of a pipe that its writer keeps open (a stuck
 * `gh api … | jq`) must not hold an interrupted import. What is left of the read is dropped with the run.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
