import { describe, expect, it } from 'vitest';
import { randomEventId, uuidV4 } from '../../src/boot/event-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV4', () => {
  it('sets the version and variant bits and keeps every other bit of the random bytes', () => {
    expect(uuidV4(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(uuidV4(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
    expect(uuidV4(Uint8Array.from({ length: 16 }, (_, i) => i * 17))).toBe('00112233-4455-4677-8899-aabbccddeeff');
  });

  it('refuses anything but 16 bytes rather than make a short id', () => {
    expect(() => uuidV4(new Uint8Array(15))).toThrow(RangeError);
  });
});

describe('randomEventId', () => {
  it('gives a fresh version 4 UUID on every call, accepted by the API as an id (16-128 chars)', () => {
    const ids = Array.from({ length: 200 }, () => randomEventId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
