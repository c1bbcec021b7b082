import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadJson5File } from '../../src/input/json5-file.ts';
import { locateValues } from '../../src/input/json5-locate.ts';

const dir = mkdtempSync(join(tmpdir(), 'json5-'));
const put = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const schema = z.strictObject({
  name: z.string(),
  workload: z.array(z.strictObject({ size: z.number().int().positive(), align: z.number().optional() })),
});

describe('locateValues', () => {
  it('finds nested values past comments and quoted keys', () => {
    const text = "{\n  // c\n  'a': [1, {b: 'x,}'}],\n  /* ] */ c: 2,\n}";
    const at = locateValues(text);
    expect(at.get('a[1].b')).toEqual({ line: 3, column: 16 });
    expect(at.get('c')).toEqual({ line: 4, column: 14 });
  });
});

describe('loadJson5File', () => {
  it('names file, line, column, field and received value for a schema error', () => {
    const f = put('s.json5', "{\n  name: 'x',\n  workload: [\n    {size: 4},\n    {size: -4},\n  ],\n}\n");
    expect(() => loadJson5File(f, schema)).toThrow(`${f}:5:12: workload[1].size: Too small: expected number to be >0, received -4`);
  });
  it('names an unknown key at its own line', () => {
    const f = put('u.json5', "{\n  name: 'x',\n  workload: [],\n  wrokload: 1,\n}\n");
    expect(() => loadJson5File(f, schema)).toThrow(`${f}:4:13: wrokload: unknown key`);
  });
  it('passes syntax errors through with line and column', () => {
    const f = put('bad.json5', "{\n  name: 'x',,\n}\n");
    expect(() => loadJson5File(f, schema)).toThrow(new RegExp(`^${f}:2:13: syntax error`));
  });
  it('rejects empty, binary, missing files and directories by name', () => {
    expect(() => loadJson5File(put('e.json5', '  \n'), schema)).toThrow(/e\.json5: empty file/);
    expect(() => loadJson5File(put('b.json5', 'a\u0000b'), schema)).toThrow(/b\.json5: binary data/);
    expect(() => loadJson5File(join(dir, 'missing.json5'), schema)).toThrow(/missing\.json5: no such file/);
    expect(() => loadJson5File(dir, schema)).toThrow(/is a directory/);
  });
});
