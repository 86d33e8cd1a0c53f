import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript of the bin script, without type declarations
import { buildsFileOf, digestOf, freshBundle } from '../lib/fresh-bundle.js';

const bundle = 'packages/cli/dist/airspark.bundle.mjs';

/** A repository with the bundle, two packages' build info and the list of builds the bundle holds. */
function repo(): {
  dir: string;
  write: (file: string, text: string) => void;
  touch: (file: string, s: number) => void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airspark-fresh-bundle-'));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  const touch = (file: string, seconds: number) => {
    const at = new Date(1_800_000_000_000 + seconds * 1000);
    utimesSync(path.join(dir, file), at, at);
  };
  write('packages/cli/dist/.tsbuildinfo', '{"cli":1}');
  write('packages/validate/dist/.tsbuildinfo', '{"validate":1}');
  write(bundle, '');
  const digest = (pkg: string) =>
    digestOf(readFileSync(path.join(dir, 'packages', pkg, 'dist/.tsbuildinfo')));
  write(
    buildsFileOf(bundle),
    JSON.stringify({ builds: { cli: digest('cli'), validate: digest('validate') } }),
  );
  return { dir, write, touch };
}

describe('bin/airspark.js runs the bundle only while it holds the current build', () => {
  afterEach(() => {
    delete process.env.AIRSPARK_NO_BUNDLE;
  });

  it('uses the bundle while every bundled package has the build it was made from', () => {
    expect(freshBundle(repo().dir)).toBe(true);
  });

  it('still uses it when a cached build is restored with newer times than the bundle (turbo)', () => {
    const { dir, touch } = repo();
    touch(bundle, 0);
    touch('packages/validate/dist/.tsbuildinfo', 20);
    touch('packages/cli/dist/.tsbuildinfo', 30);
    expect(freshBundle(dir)).toBe(true);
  });

  it('falls back to the modules when a bundled package was built again with other content', () => {
    const { dir, write } = repo();
    write('packages/validate/dist/.tsbuildinfo', '{"validate":2}');
    expect(freshBundle(dir)).toBe(false);
  });

  it('falls back when a bundled package has no build, or the list of builds is missing or empty', () => {
    const gone = repo();
    rmSync(path.join(gone.dir, 'packages/validate/dist/.tsbuildinfo'));
    expect(freshBundle(gone.dir)).toBe(false);
    const unlisted = repo();
    rmSync(path.join(unlisted.dir, buildsFileOf(bundle)));
    expect(freshBundle(unlisted.dir)).toBe(false);
    const empty = repo();
    empty.write(buildsFileOf(bundle), '{"builds":{}}');
    expect(freshBundle(empty.dir)).toBe(false);
  });

  it('falls back when there is no bundle, or when AIRSPARK_NO_BUNDLE=1', () => {
    const { dir } = repo();
    process.env.AIRSPARK_NO_BUNDLE = '1';
    expect(freshBundle(dir)).toBe(false);
    delete process.env.AIRSPARK_NO_BUNDLE;
    expect(freshBundle(mkdtempSync(path.join(os.tmpdir(), 'airspark-no-bundle-')))).toBe(false);
    const noBundle = repo();
    rmSync(path.join(noBundle.dir, bundle));
    expect(freshBundle(noBundle.dir)).toBe(false);
  });
});
