/**
 * Constants of the v4.14 allocator (mm/percpu.c, include/linux/percpu.h of v4.14). Header
 * constants shared by all versions live in ../constants.ts; these are the allocator's own.
 */
import { PCPU_MIN_ALLOC_SIZE, PERCPU_DYNAMIC_EARLY_SIZE } from '../constants.ts';

export { PCPU_MIN_ALLOC_SIZE, pcpuMinUnitSize } from '../constants.ts';

/** PCPU_MIN_ALLOC_SHIFT: one bitmap bit is one PCPU_MIN_ALLOC_SIZE granule */
export const PCPU_MIN_ALLOC_SHIFT = Math.log2(PCPU_MIN_ALLOC_SIZE);

/** PCPU_SLOT_BASE_SHIFT: slots are sorted by free bytes, 1-31 bytes share a slot */
export const PCPU_SLOT_BASE_SHIFT = 5;

/** PERCPU_DYNAMIC_EARLY_SIZE of v4.14 (12 KiB) */
export const V414_DYNAMIC_EARLY_SIZE = PERCPU_DYNAMIC_EARLY_SIZE['v4.14'];

/** the `static int warn_limit` of pcpu_alloc: failure warnings printed before going quiet */
export const PCPU_WARN_LIMIT = 10;

/** sizeof(struct pcpu_block_md) in v4.14: five ints, no scan hint, no nr_bits */
export const BLOCK_MD_BYTES = 20;

/** sizeof(struct pcpu_chunk) in v4.14 on 64-bit without CONFIG_PERCPU_STATS, up to populated[] */
export const CHUNK_STRUCT_BYTES = 104;
