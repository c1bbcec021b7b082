/**
 * Memory at every phase end, against cases computed by hand: the first chunk's boot pages on
 * N CPUs, what a created chunk adds, live objects and bytes, peak, end and what came back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { runAll } from '../../src/engine/pool.ts';
import type { RunMetrics } from '../../src/engine/metrics.ts';

const PAGE = 4096;
/** seed-2017 has 32 possible CPUs in two nodes */
const CPUS = 32;
// static 16 KiB + reserved 8 KiB + dynamic 20 KiB = 11 pages per unit; a page-sized atom makes one unit per CPU
const FIRST_CHUNK = { staticSize: 16384, reservedSize: 8192, dynSize: 20480, atomSize: 4096 };
const BOOT_PAGES = 11;

async function run(workload: unknown[]): Promise<RunMetrics[]> {
  const dir = mkdtempSync(join(tmpdir(), 'memory-'));
  const file = join(dir, 's.json5');
  writeFileSync(file, JSON.stringify({ machine: 'seed-2017', allocators: ['areamap', 'bitmap-v4.14', 'bitmap'], firstChunk: FIRST_CHUNK, workload }));
  return runAll(loadScenario(file).runs, { workers: 0, check: false });
}

describe('memory at phase ends', () => {
  it('counts the first chunk: Percpu is its boot pages on every CPU, populated pages times the page size', async () => {
    const runs = await run([{ phase: 'alloc', name: 'small', count: 10, size: 16 }]);
    for (const r of runs) {
      const m = r.phases.small!.memory;
      expect(r.cpus).toBe(CPUS);
      expect(m.populated_pages).toBe(BOOT_PAGES * CPUS);
      expect(m.percpu_bytes).toBe(BOOT_PAGES * CPUS * PAGE);
      expect(m.percpu_bytes).toBe(m.populated_pages * r.page_size);
      expect(m.chunks).toBe(1);
      expect(m.footprint_bytes).toBe(m.percpu_bytes + m.metadata_bytes);
      expect(m.live_objects).toBe(10);
      expect(m.live_bytes).toBe(160);
    }
  });

  it('adds the populated pages of created chunks, as the platform counts them per unit', async () => {
    // 64 KiB of 1 KiB objects cannot fit the 20 KiB dynamic area: chunks get created and populated
    const runs = await run([{ phase: 'alloc', count: 64, size: 1024 }]);
    for (const r of runs) {
      const m = r.phases.alloc!.memory;
      expect(m.chunks).toBeGreaterThan(1);
      // the platform's populated_pages leaves the first chunk out; memory's counts it
      expect(m.populated_pages).toBe(r.footprint.populated_pages + BOOT_PAGES * CPUS);
      expect(m.percpu_bytes).toBe(m.populated_pages * PAGE);
      expect(m.vmalloc_bytes).toBe(r.footprint.vmalloc_bytes);
    }
  });

  it('gives peak, end and what came back over the phase ends', async () => {
    const runs = await run([
      { phase: 'alloc', count: 100, size: 24 },
      { phase: 'free', order: 'random', count: 40 },
      { phase: 'alloc', name: 'big', count: 200, size: 512 },
      { phase: 'free', name: 'all', order: 'inorder' },
      { phase: 'balance' },
    ]);
    for (const r of runs) {
      expect(r.phases.free!.memory.live_objects).toBe(60);
      expect(r.phases.free!.memory.live_bytes).toBe(60 * 24);
      expect(r.phases.big!.memory.live_bytes).toBe(60 * 24 + 200 * 512);
      expect(r.phases.all!.memory.live_objects).toBe(0);
      expect(r.phases.all!.memory.live_bytes).toBe(0);
      const { peak, end, returned } = r.memory;
      expect(peak.live_objects).toBe(260);
      expect(peak.percpu_bytes).toBe(r.phases.big!.memory.percpu_bytes);
      expect(end).toEqual(r.phases.balance!.memory);
      expect(returned.percpu_bytes).toBe(peak.percpu_bytes - end.percpu_bytes);
      // the balance work gives back the emptied chunks but one (pcpu_balance_free keeps a spare)
      expect(end.chunks).toBe(2);
      expect(peak.chunks).toBeGreaterThan(2);
      expect(returned.percpu_bytes).toBeGreaterThan(0);
    }
  });
});
