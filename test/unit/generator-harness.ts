/**
 * Helpers for the generator tests (not a test file itself): a sink that records every call a
 * generator makes and answers allocations itself (offset = 16 × call id, chunk 0, or a failure
 * where the test says), with a scripted or seeded random stream; and a no-cost metered
 * platform so runPhases can drive a real allocator.
 */
import seedrandom from 'seedrandom';
import type { OpSink, RunState } from '../../src/engine/generators/sink.ts';
import { LiveSet } from '../../src/engine/live-set.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import type { Footprint, MeteredPlatform } from '../../src/engine/metered-platform.ts';

export class RecordingSink implements OpSink {
  chunk = -1;
  id = -1;
  readonly ops: string[] = [];
  private next = 0;
  private script: number[];

  /** `fail(id)` says which calls fail; `script` feeds random() before falling back to a seed */
  constructor(
    private readonly fail: (id: number) => boolean = () => false,
    script: number[] = [],
    private readonly seeded: () => number = seedrandom('harness'),
  ) {
    this.script = [...script];
  }

  /** the obj_cgroup set_active_memcg named last, and the accounted calls made, as `objcg:size` */
  activeMemcg = 0;
  readonly accounted: string[] = [];

  setActiveMemcg(objcg: number): void {
    this.activeMemcg = objcg;
  }

  alloc(size: number, align: number, atomic: boolean, reserved: boolean, accounted = false): number {
    this.id = this.next++;
    if (accounted) this.accounted.push(`${this.activeMemcg}:${size}`);
    const flags = `${atomic ? ' atomic' : ''}${reserved ? ' reserved' : ''}`;
    if (this.fail(this.id)) {
      this.ops.push(`alloc#${this.id} ${size}/${align}${flags} -> fail`);
      return -1;
    }
    this.chunk = 0;
    this.ops.push(`alloc#${this.id} ${size}/${align}${flags}`);
    return this.id * 16;
  }

  free(chunk: number, off: number, id: number): void {
    if (chunk !== 0 || off !== id * 16) throw new Error(`free#${id} of ${chunk}:${off}, which alloc#${id} did not return`);
    this.ops.push(`free#${id}`);
  }

  badFree(): void {
    this.ops.push('bad free');
  }

  balance(): void {
    this.ops.push('balance');
  }

  random(): number {
    return this.script.length > 0 ? this.script.shift()! : this.seeded();
  }
}

export function newState(nrNodes = 1, pageSize = 4096): RunState {
  return { live: new LiveSet(), runRandom: seedrandom('run'), nrNodes, pageSize, maps: new Map(), groups: new Map(), memcg: null, verifications: [] };
}

/** SimplePlatform with a clock that never moves: decisions only, as `sim conform` runs them */
export class DecisionPlatform extends SimplePlatform implements MeteredPlatform {
  readonly modeledNs = 0;
  setActingCpu(_cpu: number): void {}
  chargeOp(_op: 'alloc' | 'free' | 'balance' | 'none'): number {
    return 0;
  }
  footprint(): Footprint {
    return { metadata_bytes: 0, populated_pages: this.pagesInUse, vmalloc_bytes: 0 };
  }
}
