/**
 * Constants of the v4.14 allocator. Those with the same value in v6.12 come from the modern
 * port (and ../constants.ts for header constants); the rest are v4.14's own.
 */
import { PERCPU_DYNAMIC_EARLY_SIZE } from '../constants.ts';

export { PCPU_MIN_ALLOC_SIZE, pcpuMinUnitSize } from '../constants.ts';
export { PCPU_MIN_ALLOC_SHIFT, PCPU_SLOT_BASE_SHIFT, PCPU_WARN_LIMIT } from '../bitmap/state.ts';

/** PERCPU_DYNAMIC_EARLY_SIZE of v4.14 (12 KiB) */
export const V414_DYNAMIC_EARLY_SIZE = PERCPU_DYNAMIC_EARLY_SIZE['v4.14'];

/** sizeof(struct pcpu_block_md) in v4.14: five ints, no scan hint, no nr_bits */
export const BLOCK_MD_BYTES = 20;

/** sizeof(struct pcpu_chunk) in v4.14 on 64-bit without CONFIG_PERCPU_STATS, up to populated[] */
export const CHUNK_STRUCT_BYTES = 104;
