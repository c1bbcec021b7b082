/** free_percpu's first step, shared by every version. */
import type { Platform } from './platform.ts';

/**
 * mirrors pcpu_chunk_addr_search: an address in the embedded first chunk (or the reserved
 * chunk carved from it) is recognised by a range check on globals; any other address is in a
 * vmalloc chunk, found through its page (vmalloc_to_page, then the page's chunk pointer)
 */
export function chunkAddrSearch(platform: Platform, embedded: boolean, addr: number): void {
  if (embedded) return;
  platform.work.chunkPageLookups++;
  platform.vmallocToPage(addr);
}
