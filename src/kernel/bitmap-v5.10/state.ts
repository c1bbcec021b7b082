/**
 * v5.10's chunk lists: the size slots 0..S and then only the list of fully free chunks, S+1
 * (pcpu_nr_slots = __pcpu_size_to_slot(unit_size) + 2). The sidelined and to_depopulate lists
 * came with partial chunk depopulation (v5.14); they are -1 here, a list no chunk sits on.
 */
import type { SlotLayout } from '../bitmap/state.ts';

/** the lists after the size slots, as pcpu_setup_first_chunk of v5.10 allocates them */
export function v510SlotLayout(sizeSlots: number): SlotLayout {
  return { sidelinedSlot: -1, freeSlot: sizeSlots + 1, toDepopulateSlot: -1, nrSlots: sizeSlots + 2 };
}
