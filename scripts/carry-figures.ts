/**
 * `npm run carry-figures`: after a re-fit, writes the fitted figures into the presets that have
 * no measurements of their own, converted to each one's clock and code speed: seed-2017's
 * kernel call overhead (a booted kernel's, kept in reference cycles), host-zen4-vm's in-cache
 * copy bandwidth, store buffer and line cost (seed-2017 takes the line cost too: its table
 * cannot pin it). Only those numbers change; test/calibration/carried-figures.test.ts checks them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadMachine, resolveMachinePath } from '../src/hw/machine-config.ts';
import { withNumbers } from '../src/calibrate/write-back.ts';

const UNMEASURED = ['xeon-2s-2024', 'epyc-4n', 'arm64-64k', 'laptop', 'big-1024'];

const host = loadMachine('host-zen4-vm');
const refClock = host.cpu.clockGHz * host.cpu.codeSpeed;
const cyclesOf = (name: string): number => {
  const m = loadMachine(name);
  return m.cpu.clockGHz * m.cpu.codeSpeed;
};
const write = (name: string, values: [(string | number)[], number][]): void => {
  const file = resolveMachinePath(name);
  writeFileSync(file, withNumbers(file, readFileSync(file, 'utf8'), values));
  process.stdout.write(`${name}: ${values.map(([p, v]) => `${p.join('.')} ${v.toPrecision(4)}`).join(', ')}\n`);
};

write('seed-2017', [[['cost', 'countsModeLineNs'], (host.cost.countsModeLineNs * refClock) / cyclesOf('seed-2017')]]);
const seed = loadMachine('seed-2017');
const seedCycles = cyclesOf('seed-2017');
for (const name of UNMEASURED) {
  const k = cyclesOf(name);
  write(name, [
    ...(['alloc', 'free', 'balance'] as const).map((kind): [(string | number)[], number] => [['cost', 'callOverheadNs', kind], (seed.cost.callOverheadNs[kind] * seedCycles) / k]),
    [['cost', 'copyBandwidthGBs'], (host.cost.copyBandwidthGBs * k) / refClock],
    [['cost', 'storeBufferBytes'], host.cost.storeBufferBytes],
    [['cost', 'countsModeLineNs'], (host.cost.countsModeLineNs * refClock) / k],
  ]);
}
