/**
 * percpu_stats as the kernel prints it: the text laid out by its printf formats, the derived
 * fragment fields computed as chunk_map_stats computes them, the CONFIG_PERCPU_STATS counters
 * kept where the kernel keeps them, and the /proc/meminfo Percpu line.
 */
import { describe, expect, it } from 'vitest';
import type { AllocatorConfig, AllocatorName, PercpuAllocator, PercpuTracer } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import { bitmapSet, setBit } from '../../src/kernel/bitops.ts';
import { BitmapChunk } from '../../src/kernel/bitmap/chunk.ts';
import { bitmapChunkRuns, bitmapOccupancy } from '../../src/kernel/bitmap/percpu-stats.ts';
import type { PercpuChunkView, PercpuStatsView } from '../../src/kernel/percpu-stats.ts';
import { summarizeFragments } from '../../src/kernel/percpu-stats.ts';
import { chunkHeader, formatMeminfoPercpu, formatPercpuStats } from '../../src/report/percpu-stats.ts';
import { bitmapPercpuStats } from '../../src/kernel/bitmap/percpu-stats.ts';
import { PercpuStatsCounters } from '../../src/kernel/percpu-stats.ts';
import { createChunk } from '../../src/kernel/bitmap/populate.ts';
import { chunkMoveTo, chunkRelocate } from '../../src/kernel/bitmap/slots.ts';
import { smallState } from './bitmap-harness.ts';

/** the subset of C printf the kernel's formats use: %-Ns, %Nlld, %Nllu, literal text */
function cprintf(fmt: string, ...args: (string | number)[]): string {
  let k = 0;
  return fmt.replace(/%(-?)(\d*)(s|lld|llu)/g, (_m, left: string, width: string) => {
    const v = String(args[k++]);
    const w = Number(width || 0);
    return left ? v.padEnd(w) : v.padStart(w);
  });
}

function config(opts: { nrCpus?: number; reservedSize?: number; staticSize?: number; dynSize?: number } = {}): AllocatorConfig {
  const nrCpus = opts.nrCpus ?? 2;
  return {
    topology: { pageSize: 4096, nrCpus, cpuToNode: new Array<number>(nrCpus).fill(0), nodeDistance: [[10]] },
    firstChunk: { staticSize: opts.staticSize ?? 16384, reservedSize: opts.reservedSize ?? 8192, dynSize: opts.dynSize ?? 28672, atomSize: 4096 },
    knobs: DEFAULT_KNOBS,
  };
}

function allocator(name: AllocatorName, pageLimit: number | null = null, cfg = config()): PercpuAllocator {
  const f = allocatorFactory(name);
  if (typeof f === 'string') throw new Error(f);
  return f(cfg, new SimplePlatform(pageLimit));
}

function viewOf(a: PercpuAllocator): PercpuStatsView {
  if (!a.percpuStats) throw new Error(`${a.name} has no percpuStats`);
  return a.percpuStats();
}

const emptyOccupancy = { pageSize: 4096, allocated: new Int32Array(0), hidden: new Int32Array(0), populated: new Uint8Array(0) };

function chunk(over: Partial<PercpuChunkView>): PercpuChunkView {
  return {
    id: 0, role: 'other', list: 3, nr_alloc: 0, max_alloc_size: 0, empty_pop_pages: 0, first_bit: 0, free_bytes: 0, contig_bytes: 0,
    sum_frag: 0, max_frag: 0, cur_min_alloc: 0, cur_med_alloc: 0, cur_max_alloc: 0, nr_pages: 1, nr_populated: 1,
    occupancy: emptyOccupancy, ...over,
  };
}

function handView(kernel: PercpuStatsView['kernel']): PercpuStatsView {
  return {
    kernel,
    ai: { unit_size: 262144, static_size: 155648, reserved_size: 8192, dyn_size: 28672, atom_size: 2097152, alloc_size: 2097152 },
    global: { nr_alloc: 1234, nr_dealloc: 34, nr_cur_alloc: 1200, nr_max_alloc: 1201, nr_chunks: 2, nr_max_chunks: 3, min_alloc_size: 4, max_alloc_size: 4096 },
    empty_pop_pages: 7,
    nr_pages: kernel === 'v6.12' ? 80 : null,
    page_size: 4096,
    chunks: [
      chunk({ id: -1, role: 'reserved', list: -1, nr_alloc: 3, max_alloc_size: 64, empty_pop_pages: 1, first_bit: 40, free_bytes: 8000, contig_bytes: 7900, sum_frag: 4, max_frag: 4, cur_min_alloc: 8, cur_med_alloc: 16, cur_max_alloc: 64 }),
      chunk({ id: 0, role: 'first', list: 5, nr_alloc: 10, max_alloc_size: 4096, free_bytes: 100, contig_bytes: 96, cur_min_alloc: 4, cur_med_alloc: 8, cur_max_alloc: 4096 }),
      chunk({ id: 2, role: 'other', list: 11, empty_pop_pages: 64, free_bytes: 262144, contig_bytes: 262144 }),
    ],
  };
}

describe('percpu_stats text', () => {
  it('lays out v6.12 exactly as the kernel prints it (golden text)', () => {
    const text = formatPercpuStats(handView('v6.12'));
    const expected = [
      'Percpu Memory Statistics',
      'Allocation Info:',
      '----------------------------------------',
      '  unit_size           :       262144',
      '  static_size         :       155648',
      '  reserved_size       :         8192',
      '  dyn_size            :        28672',
      '  atom_size           :      2097152',
      '  alloc_size          :      2097152',
      '',
      'Global Stats:',
      '----------------------------------------',
      '  nr_alloc            :         1234',
      '  nr_dealloc          :           34',
      '  nr_cur_alloc        :         1200',
      '  nr_max_alloc        :         1201',
      '  nr_chunks           :            2',
      '  nr_max_chunks       :            3',
      '  min_alloc_size      :            4',
      '  max_alloc_size      :         4096',
      '  empty_pop_pages     :            7',
      '',
      'Per Chunk Stats:',
      '----------------------------------------',
      'Chunk: <- Reserved Chunk',
      '  nr_alloc            :            3',
      '  max_alloc_size      :           64',
      '  empty_pop_pages     :            1',
      '  first_bit           :           40',
      '  free_bytes          :         8000',
      '  contig_bytes        :         7900',
      '  sum_frag            :            4',
      '  max_frag            :            4',
      '  cur_min_alloc       :            8',
      '  cur_med_alloc       :           16',
      '  cur_max_alloc       :           64',
      '',
      'Chunk: <- First Chunk',
    ].join('\n');
    expect(text.startsWith(expected + '\n')).toBe(true);
    expect(text.endsWith('  cur_max_alloc       :            0\n\n')).toBe(true);
    expect(text.split('\n').filter((l) => l.startsWith('Chunk')).length).toBe(3);
  });

  it('follows the kernel printf formats of each version, field for field', () => {
    const formats = {
      'v6.12': { P: '  %-20s: %12lld\n', PU: '  %-20s: %12llu\n', globalEmpty: true, chunk: ['nr_alloc', 'max_alloc_size', 'empty_pop_pages', 'first_bit', 'free_bytes', 'contig_bytes'] },
      'v4.14': { P: '  %-20s: %12lld\n', PU: '  %-20s: %12llu\n', globalEmpty: true, chunk: ['nr_alloc', 'max_alloc_size', 'empty_pop_pages', 'first_bit', 'free_bytes', 'contig_bytes'] },
      'v4.13': { P: '  %-24s: %8lld\n', PU: '  %-18s: %14llu\n', globalEmpty: false, chunk: ['nr_alloc', 'max_alloc_size', 'free_size', 'contig_hint'] },
    } as const;
    for (const kernel of ['v6.12', 'v4.14', 'v4.13'] as const) {
      const f = formats[kernel];
      const v = handView(kernel);
      let want = 'Percpu Memory Statistics\nAllocation Info:\n----------------------------------------\n';
      for (const k of ['unit_size', 'static_size', 'reserved_size', 'dyn_size', 'atom_size', 'alloc_size'] as const) want += cprintf(f.P, k, v.ai[k]);
      want += '\nGlobal Stats:\n----------------------------------------\n';
      for (const k of ['nr_alloc', 'nr_dealloc', 'nr_cur_alloc', 'nr_max_alloc', 'nr_chunks', 'nr_max_chunks', 'min_alloc_size', 'max_alloc_size'] as const) {
        want += cprintf(f.PU, k, v.global[k]);
      }
      if (f.globalEmpty) want += cprintf(f.P, 'empty_pop_pages', v.empty_pop_pages);
      want += '\nPer Chunk Stats:\n----------------------------------------\n';
      for (const c of v.chunks) {
        want += chunkHeader(c.role);
        const value: Record<string, number> = {
          nr_alloc: c.nr_alloc, max_alloc_size: c.max_alloc_size, empty_pop_pages: c.empty_pop_pages ?? 0, first_bit: c.first_bit ?? 0,
          free_bytes: c.free_bytes, contig_bytes: c.contig_bytes, free_size: c.free_bytes, contig_hint: c.contig_bytes,
        };
        for (const k of f.chunk) want += cprintf(f.P, k, value[k]!);
        for (const k of ['sum_frag', 'max_frag', 'cur_min_alloc', 'cur_med_alloc', 'cur_max_alloc'] as const) want += cprintf(f.P, k, c[k]);
        want += '\n';
      }
      expect(formatPercpuStats(v), kernel).toBe(want);
    }
  });

  it('prints a value wider than its column whole, as printf does', () => {
    const v = handView('v4.13');
    v.global.nr_alloc = 123456789012345;
    expect(formatPercpuStats(v)).toContain('  nr_alloc          : 123456789012345\n');
  });

  it('names each chunk the way percpu_stats_show does', () => {
    expect(chunkHeader('reserved')).toBe('Chunk: <- Reserved Chunk\n');
    expect(chunkHeader('first')).toBe('Chunk: <- First Chunk\n');
    expect(chunkHeader('to_depopulate')).toBe('Chunk (to_depopulate)\n');
    expect(chunkHeader('sidelined')).toBe('Chunk (sidelined):\n');
    expect(chunkHeader('other')).toBe('Chunk:\n');
  });
});

describe('chunk order and labels (percpu_stats_show)', () => {
  it('v6.12: lists chunks slot by slot, names the first chunk whatever its slot, then sidelined and to_depopulate ones', () => {
    const { state } = smallState({ reservedSize: 8192 });
    const a = createChunk(state)!;
    const b = createChunk(state)!;
    const c = createChunk(state)!;
    chunkRelocate(state, a, -1);
    chunkMoveTo(state, b, state.toDepopulateSlot, false);
    chunkMoveTo(state, c, state.sidelinedSlot, false);
    const v = bitmapPercpuStats(state, { unit_size: 65536, static_size: 4096, reserved_size: 8192, dyn_size: 20480, atom_size: 4096, alloc_size: 131072, nr_groups: 1, groups: [{ nr_units: 2, base_offset: 0, cpu_map: [0, 1] }], nr_units: 2 }, new PercpuStatsCounters(65536));
    expect(v.chunks.map((x) => [x.id, x.role])).toEqual([
      [-1, 'reserved'],
      [0, 'first'],
      [c.id, 'sidelined'],
      [a.id, 'other'],
      [b.id, 'to_depopulate'],
    ]);
    const slots = v.chunks.slice(1).map((x) => x.list);
    expect(slots).toEqual([...slots].sort((p, q) => p - q));
    const text = formatPercpuStats(v);
    const headers = text.split('\n').filter((l) => l.startsWith('Chunk'));
    expect(headers).toEqual(['Chunk: <- Reserved Chunk', 'Chunk: <- First Chunk', 'Chunk (sidelined):', 'Chunk:', 'Chunk (to_depopulate)']);
  });
});

describe('derived fragment fields (chunk_map_stats)', () => {
  it('sums and maxes the free fragments and takes min, lower median and max of the allocations', () => {
    expect(summarizeFragments(Int32Array.from([8, -12, 4, -4, 16]))).toEqual({ sum_frag: 16, max_frag: 12, cur_min_alloc: 4, cur_med_alloc: 8, cur_max_alloc: 16 });
    // allocations 4, 8: the median index (i + as_len - 1) / 2 = (1 + 3 - 1) / 2 = 1 picks the lower
    expect(summarizeFragments(Int32Array.from([-4, 8, 4]))).toEqual({ sum_frag: 4, max_frag: 4, cur_min_alloc: 4, cur_med_alloc: 4, cur_max_alloc: 8 });
    expect(summarizeFragments(new Int32Array(0))).toEqual({ sum_frag: 0, max_frag: 0, cur_min_alloc: 0, cur_med_alloc: 0, cur_max_alloc: 0 });
  });

  it('walks a drawn bitmap chunk: allocations by boundary bit, free runs by the next allocated bit', () => {
    // one page, 1024 bits: AA BBBB C . . . (A 2 bits, B 4 bits, C 1 bit), then B freed
    const c = new BitmapChunk(1, 1, 1024);
    const alloc = (bit: number, bits: number): void => {
      bitmapSet(c.allocMap, bit, bits);
      setBit(c.boundMap, bit);
      setBit(c.boundMap, bit + bits);
    };
    alloc(0, 2);
    alloc(2, 4);
    alloc(6, 1);
    expect(Array.from(bitmapChunkRuns(c))).toEqual([8, 16, 4]);
    // free B: alloc bits clear, the stale boundary bits stay (the kernel only keeps bounds on alloc)
    c.allocMap[0] = c.allocMap[0]! & ~0b111100;
    expect(Array.from(bitmapChunkRuns(c))).toEqual([8, -16, 4]);
    expect(summarizeFragments(bitmapChunkRuns(c))).toEqual({ sum_frag: 16, max_frag: 16, cur_min_alloc: 4, cur_med_alloc: 4, cur_max_alloc: 8 });
  });

  it('like the kernel, misses the very last bit of the region when searching for the last allocation', () => {
    const c = new BitmapChunk(1, 1, 1024);
    bitmapSet(c.allocMap, 1020, 4);
    setBit(c.boundMap, 1020);
    setBit(c.boundMap, 1024);
    // find_last_bit searches [0, 1023): bit 1022 is last, so the walk ends at 1023, not 1024
    expect(Array.from(bitmapChunkRuns(c))).toEqual([-4080, 12]);
  });

  it('skips the hidden head of a first-chunk region and reports it as hidden in the occupancy', () => {
    const c = new BitmapChunk(0, 2, 1024);
    c.startOffset = 100;
    c.endOffset = 4096 - 200;
    bitmapSet(c.allocMap, 0, 25);
    setBit(c.boundMap, 0);
    setBit(c.boundMap, 25);
    bitmapSet(c.allocMap, 2048 - 974, 974);
    setBit(c.boundMap, 2048 - 974);
    setBit(c.boundMap, 2048);
    bitmapSet(c.allocMap, 25, 10);
    setBit(c.boundMap, 35);
    expect(Array.from(bitmapChunkRuns(c))).toEqual([40]);
    const occ = bitmapOccupancy(c, 4096);
    expect(Array.from(occ.hidden)).toEqual([100, 3896]);
    expect(Array.from(occ.allocated)).toEqual([40, 0]);
  });
});

describe('CONFIG_PERCPU_STATS counters', () => {
  for (const name of ['bitmap', 'bitmap-v4.14', 'areamap'] as const) {
    it(`${name}: counts allocations, frees and sizes as the kernel rounds them`, () => {
      const a = allocator(name);
      const fresh = viewOf(a);
      expect(fresh.global).toEqual({
        nr_alloc: 0, nr_dealloc: 0, nr_cur_alloc: 0, nr_max_alloc: 0, nr_chunks: 1, nr_max_chunks: 1,
        min_alloc_size: a.layout.unit_size, max_alloc_size: 0,
      });
      const x = a.alloc(5, 4, false, false);
      const y = a.alloc(64, 8, false, false);
      const r = a.alloc(24, 8, false, true);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(r).toBeGreaterThanOrEqual(0);
      a.free(0, x);
      const v = viewOf(a);
      const rounded5 = name === 'areamap' ? 6 : 8;
      expect(v.global).toMatchObject({ nr_alloc: 3, nr_dealloc: 1, nr_cur_alloc: 2, nr_max_alloc: 3, min_alloc_size: rounded5, max_alloc_size: 64 });
      const first = v.chunks.find((c) => c.role === 'first')!;
      const reserved = v.chunks.find((c) => c.role === 'reserved')!;
      expect(first).toMatchObject({ id: 0, nr_alloc: 1, max_alloc_size: 64 });
      expect(reserved).toMatchObject({ id: -1, list: -1, nr_alloc: 1, max_alloc_size: 24 });
      expect(v.chunks[0]!.role).toBe('reserved');
      expect(y).toBeGreaterThanOrEqual(0);
    });

    it(`${name}: counts chunks created and destroyed, keeps the maximum, lists chunks by slot`, () => {
      const a = allocator(name);
      const offs: [number, number][] = [];
      // fill the first chunk and spill into two more chunks
      for (let i = 0; i < 40; i++) {
        const off = a.alloc(8192, 8, false, false);
        offs.push([a.lastChunkId, off]);
      }
      const v = viewOf(a);
      const created = new Set(offs.map(([c]) => c)).size;
      expect(created).toBeGreaterThanOrEqual(3);
      expect(v.global.nr_chunks).toBe(created);
      expect(v.global.nr_max_chunks).toBe(created);
      const lists = v.chunks.filter((c) => c.role !== 'reserved').map((c) => c.list);
      expect(lists).toEqual([...lists].sort((p, q) => p - q));
      expect(v.chunks.filter((c) => c.role === 'first').length).toBe(1);
      for (const [c, off] of offs) a.free(c, off);
      a.runBalance();
      const after = viewOf(a);
      expect(after.global.nr_chunks).toBe(a.stats().nr_chunks);
      expect(after.global.nr_chunks).toBeLessThan(created);
      expect(after.global.nr_max_chunks).toBe(created);
      expect(after.global).toMatchObject({ nr_alloc: 40, nr_dealloc: 40, nr_cur_alloc: 0, nr_max_alloc: 40 });
      for (const c of after.chunks) expect(c.nr_alloc).toBe(0);
    });

    it(`${name}: an area whose pages cannot be populated counts as an allocation and a free`, () => {
      // no page budget: the first chunk is born populated, a new chunk cannot be populated
      const a = allocator(name, 0);
      let n = 0;
      while (a.alloc(8192, 8, false, false) >= 0) n++;
      expect(a.lastFailReason).toBe('failed to populate');
      expect(viewOf(a).global).toMatchObject({ nr_alloc: n + 1, nr_dealloc: 1, nr_cur_alloc: n, nr_max_alloc: n + 1 });
    });

    it(`${name}: passes every tracepoint on to the attached tracer`, () => {
      const a = allocator(name);
      const seen: string[] = [];
      const t: PercpuTracer = {
        allocPercpu: () => void seen.push('alloc'),
        freePercpu: () => void seen.push('free'),
        allocPercpuFail: () => void seen.push('fail'),
        createChunk: () => void seen.push('create'),
        destroyChunk: () => void seen.push('destroy'),
        warn: () => void seen.push('warn'),
      };
      a.tracer = t;
      expect(a.tracer).toBe(t);
      const off = a.alloc(16, 4, false, false);
      a.free(a.lastChunkId, off);
      a.alloc(0, 4, false, false);
      expect(seen.slice(0, 2)).toEqual(['alloc', 'free']);
      expect(seen).toContain('warn');
      a.tracer = null;
      expect(a.tracer).toBeNull();
    });
  }

  it('areamap: the derived fields come from the area map, past the boot-time entry', () => {
    const a = allocator('areamap');
    const x = a.alloc(16, 4, false, false);
    const y = a.alloc(8, 4, false, false);
    a.alloc(32, 4, false, false);
    a.free(0, y);
    a.free(0, x);
    const first = viewOf(a).chunks.find((c) => c.role === 'first')!;
    // areas: free 24 (16 + 8 merged), alloc 32
    expect(first).toMatchObject({ sum_frag: 24, max_frag: 24, cur_min_alloc: 32, cur_med_alloc: 32, cur_max_alloc: 32, empty_pop_pages: null, first_bit: null });
  });
});

describe('/proc/meminfo Percpu line', () => {
  it('prints populated pages over every unit in kB, width 8 (v6.12)', () => {
    const a = allocator('bitmap', null, config({ nrCpus: 4 }));
    const v = viewOf(a);
    expect(v.nr_pages).not.toBeNull();
    const kb = (v.nr_pages! * 4096) / 1024;
    expect(formatMeminfoPercpu(v)).toBe(`Percpu:         ${String(kb).padStart(8)} kB\n`);
    expect(formatMeminfoPercpu(handView('v6.12'))).toBe('Percpu:              320 kB\n');
    // a fresh chunk's first allocation populates its page in every unit
    const before = v.nr_pages!;
    for (let i = 0; i < 12; i++) a.alloc(8192, 8, false, false);
    expect(viewOf(a).nr_pages! - before).toBeGreaterThan(0);
    expect((viewOf(a).nr_pages! - before) % 4).toBe(0);
  });

  it('is absent before v4.16', () => {
    expect(formatMeminfoPercpu(viewOf(allocator('bitmap-v4.14')))).toBeNull();
    expect(formatMeminfoPercpu(viewOf(allocator('areamap')))).toBeNull();
  });
});
