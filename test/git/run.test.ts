import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitIn } from '../../src/git/run.js';

const outside = mkdtempSync(join(tmpdir(), 'dora-git-run-'));
afterAll(() => rmSync(outside, { recursive: true, force: true }));

describe('gitIn', () => {
  it('answers with the exit code when git exits before reading a large input (no EPIPE crash)', async () => {
    const git = gitIn(
      outside,
      { ...process.env, GIT_CEILING_DIRECTORIES: outside },
      new AbortController().signal,
      10_000,
    );
    const input = `${'0'.repeat(40)}\n`.repeat(200_000);
    for (let i = 0; i < 5; i += 1) {
      const answer = await git(['cat-file', '--batch-check'], { input });
      expect(answer.code).not.toBe(0);
      expect(answer.stderr).toMatch(/not a git repository/i);
    }
  });

  it('passes the input to git when it reads it', async () => {
    const git = gitIn(outside, process.env, new AbortController().signal, 10_000);
    const answer = await git(['hash-object', '--stdin'], { input: 'dora\n' });
    expect(answer.code).toBe(0);
    expect(answer.stdout.trim()).toMatch(/^[0-9a-f]{40}$/);
  });
});
