import { describe, expect, it } from 'vitest';
import { BitmapChunk, MD_LEFT_FREE, MD_STRIDE } from '../../src/kernel/bitmap/chunk.ts';

const BB = 1024;
const setLeft = (c: BitmapChunk, i: number, v: number): void => {
  c.md[i * MD_STRIDE + MD_LEFT_FREE] = v;
};

describe('freeTail: where the fully free blocks at the end of a chunk begin', () => {
  it('starts at 0 (every block free), moves above a block that stops being free, and back down when it is free again', () => {
    const c = new BitmapChunk(1, 16, BB);
    expect(c.freeTail).toBe(0);
    setLeft(c, 5, 0);
    c.noteBlocksWritten(5, 5, BB);
    expect(c.freeTail).toBe(6);
    setLeft(c, 9, 3);
    c.noteBlocksWritten(8, 9, BB);
    expect(c.freeTail).toBe(10);
    // a block below the tail changes: nothing to do
    setLeft(c, 2, 0);
    c.noteBlocksWritten(2, 2, BB);
    expect(c.freeTail).toBe(10);
    // block 9 free again: the tail comes down over every free block, to just above block 5
    setLeft(c, 9, BB);
    c.noteBlocksWritten(9, 9, BB);
    expect(c.freeTail).toBe(6);
    setLeft(c, 5, BB);
    c.noteBlocksWritten(5, 5, BB);
    expect(c.freeTail).toBe(3);
  });

  it('never leaves a block at or above it that is not fully free, whatever the order of writes', () => {
    const c = new BitmapChunk(1, 40, BB);
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let step = 0; step < 2000; step++) {
      const lo = rnd(40);
      const hi = Math.min(39, lo + rnd(4));
      for (let i = lo; i <= hi; i++) setLeft(c, i, rnd(3) === 0 ? rnd(BB) : BB);
      c.noteBlocksWritten(lo, hi, BB);
      for (let i = c.freeTail; i < 40; i++) expect(c.md[i * MD_STRIDE + MD_LEFT_FREE]).toBe(BB);
      if (c.freeTail > 0) expect(c.md[(c.freeTail - 1) * MD_STRIDE + MD_LEFT_FREE]).not.toBe(BB);
    }
  });
});
