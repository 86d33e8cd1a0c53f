import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileMemo } from '../src/index.js';

// ADR 0064: the memo file is read whole on every run, so it keeps what the last run used and a few others.
describe('FileMemo', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const memoFile = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airspark-file-memo-'));
    dirs.push(dir);
    return path.join(dir, 'memo.json');
  };
  const stored = (file: string) => Object.keys(JSON.parse(readFileSync(file, 'utf8')).entries);

  it('keeps the entries a run used and only the most recent others', () => {
    const file = memoFile();
    const first = new FileMemo(file, 'f', 1);
    for (const key of ['a', 'b', 'c']) first.set(key, key);
    first.save();
    expect(stored(file)).toEqual(['a', 'b', 'c']);
    // The next run uses a and adds d: of the unused b and c, only the more recent (c) stays.
    const next = new FileMemo(file, 'f', 1);
    expect(next.get('a')).toBe('a');
    next.set('d', 'd');
    next.save();
    expect(stored(file).sort()).toEqual(['a', 'c', 'd']);
  });

  it('writes nothing when a run added nothing, and reads no file of another format', () => {
    const file = memoFile();
    const memo = new FileMemo(file, 'f');
    memo.set('a', 'x');
    memo.save();
    const unchanged = new FileMemo(file, 'f');
    unchanged.set('a', 'x'); // the same value: nothing new
    unchanged.save();
    expect(stored(file)).toEqual(['a']);
    expect(new FileMemo(file, 'another format').get('a')).toBeUndefined();
    expect(FileMemo.key('ab', 'c')).not.toBe(FileMemo.key('a', 'bc'));
  });
});
