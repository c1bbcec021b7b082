/**
 * The modern allocator following a real kernel's capture (kernel/recorded-kernel.ts): chunk
 * life where the capture says, and recorded placements made through pcpu_alloc_area's own
 * marking and hint updates.
 */
import { findNextBit } from '../bitops.ts';
import type { RecordedKernel, TracedRequest } from '../recorded-kernel.ts';
import { commitArea } from './alloc.ts';
import { chunkDepopulated, chunkPopulated, createChunk, depopulateAll, destroyChunk, populateArea } from './populate.ts';
import { freeArea } from './free.ts';
import { chunkRelocate, chunkSlot } from './slots.ts';
import type { BitmapChunk } from './chunk.ts';
import { MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_SCAN, MD_SCAN_START } from './chunk.ts';
import type { PcpuState } from './state.ts';
import { PCPU_MIN_ALLOC_SIZE, entryOf } from './state.ts';

export function recordedKernel(state: PcpuState): RecordedKernel {
  const chunkOfId = (id: number): BitmapChunk | null => state.chunks[id + 1] ?? null;
  return {
    followRecordedChunkLife(): void {
      state.chunkLifeRecorded = true;
    },

    createChunk(): number {
      const chunk = createChunk(state);
      if (!chunk) return -1;
      chunkRelocate(state, chunk, -1);
      return chunk.id;
    },

    destroyChunk(chunkId: number): boolean {
      const chunk = chunkOfId(chunkId);
      if (!chunk || chunk === state.firstChunk || chunk === state.reservedChunk || chunk.freeBytes !== state.unitSize) return false;
      // pcpu_balance_free: off its list, every populated page given back, then destroyed
      state.lists.del(entryOf(chunk));
      state.work.listMoves++;
      if (chunk.isolated) {
        chunk.isolated = false;
        state.nrEmptyPopPages += chunk.nrEmptyPopPages;
      }
      depopulateAll(state, chunk, chunkDepopulated);
      destroyChunk(state, chunk);
      return true;
    },

    allocAt(chunkId: number, off: number, size: number, traced?: TracedRequest): boolean {
      const chunk = chunkOfId(chunkId);
      if (!chunk || off < 0 || size <= 0 || off % PCPU_MIN_ALLOC_SIZE !== 0) return false;
      const bitOff = off / PCPU_MIN_ALLOC_SIZE;
      const bits = Math.ceil(size / PCPU_MIN_ALLOC_SIZE);
      if (bitOff + bits > chunk.mapBits) return false;
      if (findNextBit(state.work, chunk.allocMap, bitOff + bits, bitOff) < bitOff + bits) return false;
      commitArea(state, chunk, bitOff, bits, chunkSlot(state, chunk));
      if (!chunk.immutable) populateArea(state, chunk, off, bits * PCPU_MIN_ALLOC_SIZE, chunkPopulated);
      if (traced) state.tracer?.allocPercpu(traced.reserved, traced.atomic, size, traced.align, chunk.id, chunk.baseAddr, off, traced.accounted);
      return true;
    },

    freeArea(chunkId: number, off: number): void {
      const chunk = chunkOfId(chunkId);
      if (!chunk) throw new Error(`pcpu_free_area: no live chunk ${chunkId}`);
      freeArea(state, chunk, off);
    },

    chunkBytes(chunkId: number): number {
      const chunk = chunkOfId(chunkId);
      return chunk ? chunk.mapBits * PCPU_MIN_ALLOC_SIZE : 0;
    },

    chunkHints(chunkId: number, out: Int32Array): boolean {
      const chunk = chunkOfId(chunkId);
      if (!chunk) return false;
      const md = chunk.md;
      const c = chunk.chunkMd;
      out[0] = chunk.freeBytes;
      out[1] = md[c + MD_CONTIG]!;
      out[2] = md[c + MD_CONTIG_START]!;
      out[3] = md[c + MD_SCAN]!;
      out[4] = md[c + MD_SCAN_START]!;
      out[5] = md[c + MD_FIRST_FREE]!;
      out[6] = md[c + MD_LEFT_FREE]!;
      out[7] = md[c + MD_RIGHT_FREE]!;
      return true;
    },
  };
}
