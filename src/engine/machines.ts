/** Turns a scenario's machine reference into a MachineSetup on the modeled machine (src/hw/). */
import { loadMachine, machineFirstChunk, machineTopology } from '../hw/machine-config.ts';
import { MachinePlatform } from '../hw/machine-platform.ts';
import type { MachineRef } from '../scenario/load.ts';
import type { MachineSetup } from './execute.ts';

export function loadMachineSetup(ref: MachineRef): MachineSetup {
  const machine = loadMachine(ref.preset, ref.overrides);
  return {
    name: machine.name,
    topology: machineTopology(machine),
    firstChunk: machineFirstChunk(machine),
    newPlatform: (allocator, costModel) => new MachinePlatform(machine, { allocator, costModel }),
  };
}
