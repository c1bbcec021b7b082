import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/cli/validate-command.ts';
import { calibrateCommand, parseFree } from '../../src/cli/calibrate-command.ts';
import { withCalibrationBlock, withNumbers, withRecord, BLOCK_BEGIN } from '../../src/calibrate/write-back.ts';
import { loadMeasurements } from '../../src/calibrate/measurements.ts';
import { InputError } from '../../src/input/input-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'percpu-cal-'));
const machine = { cpus: 4, pageSize: 4096, firstChunk: { staticSize: 208896, reservedSize: 8192, dynSize: 28672, atomSize: 2097152 } };
const put = (name: string, lines: object[]): string => {
  const f = join(dir, name);
  writeFileSync(f, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return f;
};

describe('sim validate', () => {
  it('compares measured phases, predicts unmeasured lines, and writes percpu-sim/validate/1', () => {
    const f = put('two.jsonl', [
      { id: 'a', allocator: 'bitmap', machine, workload: { count: 4000, size: 1024, align: 8, free: 'inorder' }, measured: { alloc_ms: 2, free_ms: 0.5 } },
      { id: 'b', allocator: 'areamap', machine, workload: { count: 2000, size: 16, align: 8, free: 'worst' } },
    ]);
    const json = join(dir, 'v.json');
    const out: string[] = [];
    expect(validateCommand(f, { machine: 'host-zen4-vm', json, costModels: ['counts'] }, (s) => out.push(s), () => {})).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/a +alloc [0-9.]+ ms \/ 2\.00 ms = [0-9.]+x {3}free/);
    expect(text).toMatch(/b +predicted: alloc [0-9.]+ ms, free/);
    expect(text).toMatch(/summary \(counts\): 2 cells/);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.schema).toBe('percpu-sim/validate/1');
    expect(doc.points.map((p: { id: string }) => p.id)).toEqual(['a', 'b']);
    for (const p of doc.points) {
      expect(p.phases.alloc.modeled_ms).toBeGreaterThan(0);
      expect(p.phases.free.modeled_ms).toBeGreaterThan(0);
    }
    expect(doc.points[0].phases.alloc.measured_ms).toBe(2);
  });

  it('leaves the balance work out of a phase timed on a kworker', () => {
    // 1 KiB objects: frees empty chunks, and the kworker destroys them
    const w = { count: 3000, size: 1024, align: 8, free: 'inorder' };
    const f = put('bal.jsonl', [
      { id: 'in', allocator: 'bitmap', machine, workload: w, balance: 'in-phase' },
      { id: 'kw', allocator: 'bitmap', machine, workload: w, balance: 'kworker' },
    ]);
    const json = join(dir, 'b.json');
    validateCommand(f, { machine: 'host-zen4-vm', json, costModels: ['counts'] }, () => {}, () => {});
    const [inPhase, kworker] = JSON.parse(readFileSync(json, 'utf8')).points;
    expect(inPhase.phases.free.modeled_ms).toBeGreaterThan(kworker.phases.free.modeled_ms);
  });

  it('names the file, the line and the field of a bad measurement', () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(f, `${JSON.stringify({ id: 'x', allocator: 'bitmap', workload: { count: 1, size: 4, align: 4, free: 'inorder' } })}\n{"id": "y", "allocator": "bitmap", "workload": {"count": -1, "size": 4, "align": 4, "free": "inorder"}}\n`);
    expect(() => loadMeasurements(f)).toThrow(InputError);
    expect(() => loadMeasurements(f)).toThrow(/bad\.jsonl:2: workload\.count/);
  });
});

describe('sim calibrate', () => {
  it('fits a machine on a small data file and writes nothing with --dry-run', () => {
    const lines = [4, 64, 1024].map((size) => ({
      id: `s${size}`,
      allocator: 'bitmap',
      machine,
      workload: { count: 3000, size, align: 8, free: 'inorder' },
      measured: { alloc_ms: 0.5 + size / 512, free_ms: 0.3 },
    }));
    const f = put('fit.jsonl', lines);
    const out: string[] = [];
    const before = readFileSync('config/host-zen4-vm.json5', 'utf8');
    calibrateCommand([f], { machine: 'host-zen4-vm', fit: 'machine', costModel: 'counts', crossValidate: false, dryRun: true }, (s) => out.push(s), () => {});
    expect(readFileSync('config/host-zen4-vm.json5', 'utf8')).toBe(before);
    const text = out.join('\n');
    expect(text).toMatch(/5 free parameters, 6 measured cells/);
    expect(text).toMatch(/machine\.writeBandwidthGBs +[0-9.]+ GB\/s/);
    expect(text).toMatch(/in sample: 6 cells/);
    expect(text).not.toMatch(/machine\.codeSpeed/);

    // --free adds a machine figure the fit would otherwise keep (here the code speed)
    const freed: string[] = [];
    calibrateCommand([f], { machine: 'host-zen4-vm', fit: 'machine', costModel: 'counts', crossValidate: false, dryRun: true, free: parseFree('codeSpeed') }, (s) => freed.push(s), () => {});
    expect(freed.join('\n')).toMatch(/6 free parameters, 6 measured cells/);
    expect(freed.join('\n')).toMatch(/machine\.codeSpeed +[0-9.]+ reference cycles per cycle/);
  });

  it('refuses an unknown --free figure, naming the known ones', () => {
    expect(() => parseFree('codeSpeed,clock')).toThrow(/--free: unknown machine figure "clock"; known: codeSpeed, /);
  });

  it("refuses to fit the reference machine's code speed, which is 1 by definition", () => {
    const f = put('one.jsonl', [{ id: 'x', allocator: 'bitmap', machine, workload: { count: 100, size: 8, align: 8, free: 'inorder' }, measured: { alloc_ms: 0.1 } }]);
    expect(() => calibrateCommand([f], { machine: 'host-zen4-vm', fit: 'code', costModel: 'counts', crossValidate: false, dryRun: true, free: ['codeSpeed'] }, () => {}, () => {})).toThrow(/--free codeSpeed needs --fit machine/);
  });
});

describe('writing a fit back', () => {
  const text = `// head\n{\n  name: 'x',\n  memory: { writeBandwidthGBs: { '10': 8.5, '21': 6 } },\n  cpu: {\n    codeSpeed: 1, // fitted\n  },\n}\n`;

  it('changes only the numbers at the fitted paths, keeping their comments', () => {
    const t = withNumbers('x.json5', text, [
      [['cpu', 'codeSpeed'], 0.681234],
      [['memory', 'writeBandwidthGBs', '21'], 7.25],
    ]);
    expect(t).toContain('    codeSpeed: 0.6812, // fitted');
    expect(t).toContain("writeBandwidthGBs: { '10': 8.5, '21': 7.25 }");
  });

  it('keeps one calibration block and one record, replaced on every write', () => {
    const rec = { data: 'd.jsonl', cells: 10, parameters: 5, inSampleMedian: 1.19, inSampleWorst: 1.29, heldOutMedian: 1.4, heldOutWorst: 2.53 };
    const once = withCalibrationBlock(withRecord(text, rec), ['first']);
    const twice = withCalibrationBlock(withRecord(once, { ...rec, cells: 12 }), ['second']);
    expect(twice.split(BLOCK_BEGIN).length).toBe(2);
    expect(twice).toContain('// second');
    expect(twice).not.toContain('// first');
    expect(twice.match(/calibration: \{/g)).toHaveLength(1);
    expect(twice).toContain('cells: 12,');
    expect(twice.indexOf('calibration: {')).toBeLessThan(twice.indexOf('cpu: {'));
  });
});
