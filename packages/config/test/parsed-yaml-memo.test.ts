import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParsedYamlMemo, parseYaml, positionOf } from '../src/index.js';

const TEXT = `# a component
name: livy
namespace: livy
syncWave: 20
anchors:
  base: &base { replicas: 1, enabled: true }
  copy: *base
merged:
  <<: *base
  replicas: 2
weird: [-0, .nan, 0x1f, "no", no]
`;

// ADR 0064: values of configuration files that parsed cleanly are memoised across runs by their text.
describe('the parsed-YAML memo', () => {
  const dirs: string[] = [];
  const cacheDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airspark-parsed-memo-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const ok = (parsed: ReturnType<typeof parseYaml>) => {
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
    return parsed.source;
  };

  it('a later run gets the same value, and the same positions from a tree parsed on demand', () => {
    const dir = cacheDir();
    const plain = ok(parseYaml('c.yaml', TEXT));
    const first = ParsedYamlMemo.in(dir);
    expect(ok(parseYaml('c.yaml', TEXT, first)).value).toEqual(plain.value);
    first.save();
    const later = ok(parseYaml('c.yaml', TEXT, ParsedYamlMemo.in(dir)));
    expect(later.value).toEqual(plain.value);
    // Shared objects stay shared, as toJS makes them (an alias is the anchored object itself).
    const value = later.value as { anchors: { base: object; copy: object } };
    const fresh = plain.value as typeof value;
    expect(value.anchors.copy === value.anchors.base).toBe(fresh.anchors.copy === fresh.anchors.base);
    expect(Object.is((later.value as { weird: unknown[] }).weird[0], -0)).toBe(true);
    for (const at of [['syncWave'], ['merged', 'replicas'], ['weird', '4'], ['no', 'such']])
      expect(positionOf(later, at)).toEqual(positionOf(plain, at));
    expect(positionOf(later, ['namespace'], { key: true })).toEqual({ line: 3, column: 1 });
  });

  it('answers from the memo: a stored value is what a later run gets', () => {
    const dir = cacheDir();
    const memo = ParsedYamlMemo.in(dir);
    parseYaml('c.yaml', TEXT, memo);
    memo.save();
    const file = path.join(dir, 'parsed-yaml.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    const [key] = Object.keys(stored.entries) as [string];
    // Put another value under the same key: only a memo that is read would return it.
    const other = ParsedYamlMemo.in(cacheDir());
    parseYaml('c.yaml', 'name: from-the-memo\n', other);
    other.save();
    const otherStored = JSON.parse(readFileSync(path.join(dirs[1] as string, 'parsed-yaml.json'), 'utf8'));
    stored.entries[key] = Object.values(otherStored.entries)[0];
    writeFileSync(file, JSON.stringify(stored));
    expect(ok(parseYaml('c.yaml', TEXT, ParsedYamlMemo.in(dir))).value).toEqual({ name: 'from-the-memo' });
  });

  it('a changed text is parsed again; a text with a problem is never stored and always reported', () => {
    const dir = cacheDir();
    const memo = ParsedYamlMemo.in(dir);
    parseYaml('c.yaml', TEXT, memo);
    const changed = TEXT.replace('syncWave: 20', 'syncWave: 21');
    expect(ok(parseYaml('c.yaml', changed, memo)).value).toMatchObject({ syncWave: 21 });
    const broken = `${TEXT}name: again\n`;
    for (let run = 0; run < 2; run++) {
      const parsed = parseYaml('c.yaml', broken, memo);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.findings[0]?.rule).toBe('config/duplicate-key');
    }
    memo.save();
    expect(
      Object.keys(JSON.parse(readFileSync(path.join(dir, 'parsed-yaml.json'), 'utf8')).entries),
    ).toHaveLength(2);
  });

  it('every caller gets its own copy; a damaged entry or memo file is parsed again', () => {
    const dir = cacheDir();
    const memo = ParsedYamlMemo.in(dir);
    parseYaml('c.yaml', TEXT, memo);
    memo.save();
    const again = ParsedYamlMemo.in(dir);
    (ok(parseYaml('c.yaml', TEXT, again)).value as { name: string }).name = 'changed by a caller';
    expect(ok(parseYaml('c.yaml', TEXT, again)).value).toMatchObject({ name: 'livy' });
    const file = path.join(dir, 'parsed-yaml.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    for (const key of Object.keys(stored.entries)) stored.entries[key] = 'not a serialization';
    writeFileSync(file, JSON.stringify(stored));
    expect(ok(parseYaml('c.yaml', TEXT, ParsedYamlMemo.in(dir))).value).toMatchObject({ name: 'livy' });
    writeFileSync(file, '{ not json');
    expect(ok(parseYaml('c.yaml', TEXT, ParsedYamlMemo.in(dir))).value).toMatchObject({ name: 'livy' });
  });
});
