import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedYaml } from '../src/hydrate/serialize.js';
import { FileYamlMemo } from '../src/hydrate/yaml-memo.js';

const app = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { project: 'dev', source: { helm: { values: 'a: 1\nb: no\n' } }, ...extra },
});

// ADR 0064: generated YAML is memoised across runs by the exact value of each document.
describe('the generated-YAML memo', () => {
  const dirs: string[] = [];
  const memoFile = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airspark-yaml-memo-'));
    dirs.push(dir);
    return path.join(dir, 'cache', 'generated-yaml.json');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the text generatedYaml prints without a memo, from the memo on a later run', () => {
    const file = memoFile();
    const docs = [app('livy'), app('spark-operator', { syncPolicy: { automated: { prune: true } } })];
    const plain = generatedYaml('test', docs);
    const first = FileYamlMemo.open(file);
    expect(generatedYaml('test', docs, first)).toBe(plain);
    first.save();
    // The next run answers from the file: a memo that printed nothing proves it.
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    for (const key of Object.keys(stored.entries)) stored.entries[key] = `memo:${stored.entries[key]}`;
    writeFileSync(file, JSON.stringify(stored));
    expect(generatedYaml('test', docs, FileYamlMemo.open(file))).toBe(
      plain.replace('apiVersion', 'memo:apiVersion').replace('---\napiVersion', '---\nmemo:apiVersion'),
    );
  });

  it('a changed document is printed again: value, type, key order and -0 are part of the key', () => {
    const file = memoFile();
    const memo = FileYamlMemo.open(file);
    const variants = [
      { a: 1, b: 'x' },
      { a: 2, b: 'x' },
      { a: '1', b: 'x' },
      { b: 'x', a: 1 },
      { a: -0, b: 'x' },
      { a: 1, b: 'x', c: null },
      { a: 1, b: 'x', c: undefined },
    ];
    for (const v of variants) expect(memo.text(v, 'o', () => JSON.stringify(v))).toBe(JSON.stringify(v));
    memo.save();
    const again = FileYamlMemo.open(file);
    for (const v of variants) expect(again.text(v, 'o', () => 'printed again')).toBe(JSON.stringify(v));
    // Other options are another key.
    expect(again.text(variants[0], 'other options', () => 'printed again')).toBe('printed again');
  });

  it('a missing, corrupt or foreign memo file is an empty memo; a document that is not data has none', () => {
    const file = memoFile();
    expect(FileYamlMemo.open(file).text({ a: 1 }, 'o', () => 'printed')).toBe('printed');
    mkdirSync(path.dirname(file), { recursive: true });
    for (const text of ['{not json', JSON.stringify({ format: 'other', entries: { k: 'v' } }), '[]']) {
      const memo = FileYamlMemo.open(file);
      memo.save(); // nothing added: nothing written
      writeFileSync(file, text);
      expect(FileYamlMemo.open(file).text({ a: 1 }, 'o', () => 'printed')).toBe('printed');
    }
    const withFunction = { a: () => 1 };
    const memo = FileYamlMemo.open(file);
    expect(memo.text(withFunction, 'o', () => 'printed')).toBe('printed');
    expect(memo.text(withFunction, 'o', () => 'printed twice')).toBe('printed twice');
  });

  it('an unwritable cache costs speed, not the run', () => {
    const file = memoFile();
    writeFileSync(path.dirname(file), 'a file where the folder should be');
    const memo = FileYamlMemo.open(file);
    expect(memo.text({ a: 1 }, 'o', () => 'printed')).toBe('printed');
    expect(() => memo.save()).not.toThrow();
  });
});
