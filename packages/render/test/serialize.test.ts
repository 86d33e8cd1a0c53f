import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedYaml } from '../src/hydrate/serialize.js';

describe('generated YAML for YAML 1.1 readers (Argo CD, Helm, kubectl)', () => {
  it('quotes every string a YAML 1.1 reader would read as another type', () => {
    const text = generatedYaml('test', [
      { country: 'no', mode: 'off', flag: 'y', octal: '0755', sexagesimal: '1:20', ok: 'plain', real: true },
    ]);
    for (const line of ['country: "no"', 'mode: "off"', 'flag: "y"', 'octal: "0755"', 'sexagesimal: "1:20"'])
      expect(text).toContain(line);
    expect(text).toContain('ok: plain');
    expect(text).toContain('real: true');
    // Read as YAML 1.1 (what Argo CD does), the strings stay strings.
    expect(parse(text, { version: '1.1' })).toMatchObject({ country: 'no', octal: '0755', real: true });
  });
});
