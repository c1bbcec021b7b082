/**
 * The cost of the work the allocator counted since the last reading, taken after every
 * operation: each costed counter's difference times its constant (cost.ts splits the result
 * into compute, memmove and fixed). Counters charged elsewhere (zeroing, pages, TLB flushes)
 * are left out: the platform charges them when the allocator calls it. It keeps only the
 * baselines of the counters that cost something and reads them as plain fields: this runs once
 * per simulated call, so it must cost a few nanoseconds, not a walk over every counter.
 */
import type { WorkCounters } from '../kernel/platform.ts';
import type { CountedWorkCost } from './cost.ts';
import type { TimeRates } from './time-model.ts';

export class CountedWorkMeter {
  private words = 0;
  private searches = 0;
  private mdRead = 0;
  private mdWritten = 0;
  private entries = 0;
  private moves = 0;
  private lookups = 0;
  private extensions = 0;
  private created = 0;
  private destroyed = 0;
  private populated = 0;
  private depopulated = 0;
  private moved = 0;
  private warnings = 0;

  private readonly wordNs: number;
  private readonly searchNs: number;
  private readonly mdReadNs: number;
  private readonly mdWriteNs: number;
  private readonly entryNs: number;
  private readonly listMoveNs: number;
  private readonly lookupNs: number;
  private readonly extensionNs: number;
  private readonly createNs: number;
  private readonly destroyNs: number;
  private readonly populateNs: number;
  private readonly depopulateNs: number;
  private readonly moveByteNs: number;
  private readonly warningNs: number;

  constructor(c: TimeRates) {
    this.wordNs = c.bitmapWordNs;
    this.searchNs = c.bitmapSearchNs;
    this.mdReadNs = c.blockMdReadNs;
    this.mdWriteNs = c.blockMdWriteNs;
    this.entryNs = c.mapEntryNs;
    this.listMoveNs = c.listMoveNs;
    this.lookupNs = c.chunkPageLookupNs;
    this.extensionNs = c.mapExtensionNs;
    this.createNs = c.chunkCreateNs;
    this.destroyNs = c.chunkDestroyNs;
    this.populateNs = c.pagePopulateNs;
    this.depopulateNs = c.pageDepopulateNs;
    this.moveByteNs = c.memmoveByteNs;
    this.warningNs = c.warningNs;
  }

  /** the counted work since the previous call, in ns by kind, into `out`; `w` becomes the new baseline */
  take(w: Readonly<WorkCounters>, out: CountedWorkCost): void {
    const words = w.bitmapWordsScanned;
    const searches = w.bitmapSearches;
    const mdRead = w.blockMdRead;
    const mdWritten = w.blockMdWritten;
    const entries = w.mapEntriesScanned;
    const moves = w.listMoves;
    const lookups = w.chunkPageLookups;
    const extensions = w.mapExtensions;
    const created = w.chunksCreated;
    const destroyed = w.chunksDestroyed;
    const populated = w.pagesPopulated;
    const depopulated = w.pagesDepopulated;
    out.compute =
      (words - this.words) * this.wordNs +
      (searches - this.searches) * this.searchNs +
      (mdRead - this.mdRead) * this.mdReadNs +
      (mdWritten - this.mdWritten) * this.mdWriteNs +
      (entries - this.entries) * this.entryNs +
      (moves - this.moves) * this.listMoveNs +
      (lookups - this.lookups) * this.lookupNs +
      (extensions - this.extensions) * this.extensionNs +
      (created - this.created) * this.createNs +
      (destroyed - this.destroyed) * this.destroyNs +
      (populated - this.populated) * this.populateNs +
      (depopulated - this.depopulated) * this.depopulateNs;
    this.words = words;
    this.searches = searches;
    this.mdRead = mdRead;
    this.mdWritten = mdWritten;
    this.entries = entries;
    this.moves = moves;
    this.lookups = lookups;
    this.extensions = extensions;
    this.created = created;
    this.destroyed = destroyed;
    this.populated = populated;
    this.depopulated = depopulated;
    const moved = w.bytesMoved;
    out.memmove = (moved - this.moved) * this.moveByteNs;
    this.moved = moved;
    const warnings = w.warnings;
    out.fixed = (warnings - this.warnings) * this.warningNs;
    this.warnings = warnings;
  }
}
