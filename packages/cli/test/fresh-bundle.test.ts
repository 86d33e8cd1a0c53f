import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript of the bin script, without type declarations
import { freshBundle } from '../lib/fresh-bundle.js';

/** A repository with packages/cli/dist/airspark.bundle.mjs and two packages' build info. */
function repo(): { dir: string; setTimes: (file: string, seconds: number) => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airspark-fresh-bundle-'));
  for (const pkg of ['cli', 'validate']) {
    mkdirSync(path.join(dir, 'packages', pkg, 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'packages', pkg, 'dist', '.tsbuildinfo'), '{}');
  }
  writeFileSync(path.join(dir, 'packages/cli/dist/airspark.bundle.mjs'), '');
  const setTimes = (file: string, seconds: number) => {
    const at = new Date(1_800_000_000_000 + seconds * 1000);
    utimesSync(path.join(dir, file), at, at);
  };
  setTimes('packages/cli/dist/.tsbuildinfo', 0);
  setTimes('packages/validate/dist/.tsbuildinfo', 0);
  setTimes('packages/cli/dist/airspark.bundle.mjs', 10);
  return { dir, setTimes };
}

describe('bin/airspark.js runs the bundle only while it holds the current build', () => {
  afterEach(() => {
    delete process.env.AIRSPARK_NO_BUNDLE;
  });

  it('uses the bundle when it is newer than every package build', () => {
    expect(freshBundle(repo().dir)).toBe(true);
  });

  it('falls back to the modules when a package was built after the bundle', () => {
    const { dir, setTimes } = repo();
    setTimes('packages/validate/dist/.tsbuildinfo', 20);
    expect(freshBundle(dir)).toBe(false);
  });

  it('falls back when there is no bundle, or when AIRSPARK_NO_BUNDLE=1', () => {
    const { dir } = repo();
    process.env.AIRSPARK_NO_BUNDLE = '1';
    expect(freshBundle(dir)).toBe(false);
    delete process.env.AIRSPARK_NO_BUNDLE;
    expect(freshBundle(mkdtempSync(path.join(os.tmpdir(), 'airspark-no-bundle-')))).toBe(false);
  });
});
