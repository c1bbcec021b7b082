import { describe, expect, it } from 'vitest';
import { takeRepeatedOption } from '../../src/cli/repeated-option.ts';

describe('options given more than once', () => {
  it('takes FLAG V and FLAG=V in order and leaves the rest as it was', () => {
    expect(takeRepeatedOption(['s.json5', '--grid', 'cpus=4,8', '--out', 'd', '--grid=nodes=1,2'], '--grid', 'NAME=V1,V2,...')).toEqual({
      values: ['cpus=4,8', 'nodes=1,2'],
      rest: ['s.json5', '--out', 'd'],
    });
    expect(takeRepeatedOption(['s.json5', '--gridlock'], '--grid', 'x')).toEqual({ values: [], rest: ['s.json5', '--gridlock'] });
  });
  it('names the flag and what a value looks like when one is missing', () => {
    expect(() => takeRepeatedOption(['s.json5', '--tolerance'], '--tolerance', 'NAME=VALUE, e.g. modeled=0.02')).toThrow(
      '--tolerance needs a value (NAME=VALUE, e.g. modeled=0.02)',
    );
  });
});
