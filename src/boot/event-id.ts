/**
 * Event ids: random (version 4) UUIDs, generated once per run. Loading node:crypto for its randomUUID() costs a
 * large share of what dora adds to a whole dry run (docs/performance.md), only to get 16 random bytes; one read of
 * the kernel's /dev/urandom gives bytes of the same quality for a fraction of that. Where it is missing (Windows, a sandbox without
 * /dev), node:crypto is used. An id names an event and guards against double counting; it protects nothing, so
 * FIPS mode (which is about TLS here) has no say in where its bytes come from.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function randomEventId(): string {
  const bytes = urandom(16);
  if (bytes) return uuidV4(bytes);
  return process.getBuiltinModule('node:crypto').randomUUID();
}

/** 16 random bytes as a UUID of version 4, variant 1 (RFC 9562), the form crypto.randomUUID() returns. */
export function uuidV4(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError('a UUID takes 16 bytes');
  const b = Uint8Array.from(bytes);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function urandom(size: number): Uint8Array | undefined {
  if (process.platform === 'win32') return undefined;
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    const bytes = new Uint8Array(size);
    // /dev/urandom never returns short reads for small sizes, but a short one must not become a weak id.
    return readSync(fd, bytes, 0, size, null) === size ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // the id is already made
      }
    }
  }
}
