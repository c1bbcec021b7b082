import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempFiles } from './temp-files.ts';
import { conformFile, expandInputs } from '../../src/conform/conform.ts';
import { firstDifference } from '../../src/conform/first-difference.ts';

const { dir, put } = tempFiles('conform-');

describe('firstDifference', () => {
  it('names the first differing nested field', () => {
    const d = firstDifference({ a: 1, b: { c: [1, 2, 3] } }, { a: 1, b: { c: [1, 5, 3] } });
    expect(d).toEqual({ path: 'b.c[1]', expected: 2, got: 5 });
  });
  it('treats null as matching only null', () => {
    expect(firstDifference({ x: null }, { x: 0 })?.path).toBe('x');
    expect(firstDifference({ x: null }, { x: null })).toBeNull();
    expect(firstDifference({ x: null }, {})?.path).toBe('x');
  });
  it('reports a length mismatch after equal prefixes', () => {
    expect(firstDifference([1, 2], [1, 2, 3])).toEqual({ path: '.length', expected: 2, got: 3 });
  });
});

describe('conform never crashes on bad files', () => {
  it('counts a missing file as one failed case', () => {
    const r = conformFile(join(dir, 'nope.jsonl'), { check: false });
    expect(r).toHaveLength(1);
    expect(r[0]!.failure?.reason).toBe('no such file');
  });
  it('reports the line of a JSON syntax error', () => {
    const r = conformFile(put('bad.jsonl', '{"format":"percpu-trace/1"}\n{oops\n'), { check: false });
    expect(r[0]!.failure?.line).toBe(2);
    expect(r[0]!.failure?.reason).toMatch(/^not JSON/);
  });
  it('reports a truncated gzip', () => {
    const gz = gzipSync(Buffer.from('{"a":1}\n'.repeat(100)));
    const r = conformFile(put('trunc.jsonl.gz', gz.subarray(0, gz.length - 10)), { check: false });
    expect(r[0]!.failure?.reason).toMatch(/^cannot decompress/);
  });
  it('reports an empty file and a directory', () => {
    expect(conformFile(put('empty.jsonl', ''), { check: false })[0]!.failure?.reason).toBe('empty file');
    mkdirSync(join(dir, 'd.jsonl'));
    expect(conformFile(join(dir, 'd.jsonl'), { check: false })[0]!.failure?.reason).toMatch(/directory/);
  });
  it('reports a header field of the wrong type, naming it', () => {
    const r = conformFile(put('hdr.jsonl', JSON.stringify({ format: 'percpu-trace/1', name: 'x', kernel: 'v6.12', allocator: 'bitmap', machine: { page_size: 'big' } }) + '\n'), { check: false });
    expect(r[0]!.failure?.reason).toMatch(/header\.machine\.page_size/);
  });
  it('names an unknown allocator as the reason', () => {
    const header = {
      format: 'percpu-trace/1', name: 'x', kernel: 'v9', allocator: 'slab',
      machine: { page_size: 4096, nr_cpus: 1, cpu_to_node: [0], node_distance: [[10]] },
      first_chunk: { static_size: 0, reserved_size: 0, dyn_size: 20480, atom_size: 4096 },
      balance: 'eager', page_limit: null,
    };
    const r = conformFile(put('alloc.jsonl', JSON.stringify(header) + '\n'), { check: false });
    expect(r[0]!.failure?.reason).toMatch(/unknown allocator or kernel version "slab" \(known: .*areamap.*v5\.10/);
  });
  it('expands directories recursively to trace files only', () => {
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    put('sub/a.jsonl', '');
    put('sub/deeper/b.jsonl.gz', '');
    put('sub/readme.txt', '');
    expect(expandInputs([join(dir, 'sub')]).map((p) => p.slice(dir.length + 1))).toEqual(['sub/a.jsonl', 'sub/deeper/b.jsonl.gz']);
  });
});
