/**
 * Turns a scenario's machine reference into a MachineSetup. (Interim: a fixed two-socket
 * topology on the cost-free platform until the modeled machine lands.)
 */
import { SimplePlatform } from '../hw/simple-platform.ts';
import type { MachineRef } from '../scenario/load.ts';
import type { MachineSetup } from './execute.ts';
import type { MeteredPlatform } from './metered-platform.ts';

class CountsOnlyPlatform extends SimplePlatform implements MeteredPlatform {
  readonly modeledNs = 0;
  setActingCpu(_cpu: number): void {}
  chargeOp(): void {}
  footprint() {
    return { metadata_bytes: 0, populated_pages: this.pagesInUse, vmalloc_bytes: 0 };
  }
}

export function loadMachineSetup(ref: MachineRef): MachineSetup {
  const nrCpus = 56;
  return {
    name: ref.preset,
    topology: {
      pageSize: 4096,
      nrCpus,
      cpuToNode: Array.from({ length: nrCpus }, (_, i) => (i < nrCpus / 2 ? 0 : 1)),
      nodeDistance: [
        [10, 21],
        [21, 10],
      ],
    },
    firstChunk: { staticSize: 200_000, reservedSize: 8192, dynSize: 28672, atomSize: 2 << 20 },
    newPlatform: () => new CountsOnlyPlatform(),
  };
}
