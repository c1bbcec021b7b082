/**
 * Constants of v4.13 mm/percpu.c and include/linux/percpu.h that only the area-map
 * allocator uses. (Shared ones, such as PCPU_MIN_UNIT_SIZE, come from ../constants.ts.)
 */

/** PCPU_SLOT_BASE_SHIFT: sizes 1..31 share slot 1 */
export const PCPU_SLOT_BASE_SHIFT = 5;

/** PCPU_DFL_MAP_ALLOC: a new chunk's map starts with this many entries */
export const PCPU_DFL_MAP_ALLOC = 16;

/** PCPU_ATOMIC_MAP_MARGIN_LOW: an atomic request queues an async extension below this many spare entries */
export const PCPU_ATOMIC_MAP_MARGIN_LOW = 32;

/** PCPU_ATOMIC_MAP_MARGIN_HIGH: spare entries a sleeping request (and the balance work) extends to */
export const PCPU_ATOMIC_MAP_MARGIN_HIGH = 64;

/** spare entries an atomic request needs: one alloc may insert two entries, plus the sentinel */
export const PCPU_ATOMIC_MAP_MARGIN_MIN = 3;

/** PERCPU_DYNAMIC_EARLY_SLOTS: length of the first chunk's map (static array, then percpu_init_late) */
export const PERCPU_DYNAMIC_EARLY_SLOTS = 128;

/** sizeof(int): the smallest head that gets its own map entry, the smallest tail kept apart */
export const SIZEOF_INT = 4;

/** pcpu_alloc's static warn_limit: allocation-failure warnings printed before going quiet */
export const PCPU_WARN_LIMIT = 10;

/**
 * sizeof(struct pcpu_chunk) on 64-bit without CONFIG_PERCPU_STATS (list, free_size, contig_hint,
 * base_addr, map_used, map_alloc, map, map_extend_list, data, first_free, immutable,
 * has_reserved, nr_populated, padded to 8); the populated bitmap follows it
 */
export const PCPU_CHUNK_STRUCT_BYTES = 88;

/**
 * offsetof(struct pcpu_chunk, map_extend_list): the fields the slot walk and
 * pcpu_need_to_extend read (list, free_size, contig_hint, base_addr, map_used, map_alloc, map)
 */
export const PCPU_CHUNK_WALK_BYTES = 48;
