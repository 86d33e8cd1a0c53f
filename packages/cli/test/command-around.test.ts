import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { filesystemRefusal } from '../src/main.js';
import { repoRoot, run } from './repo-copy.js';

const exec = promisify(execFile);
const SLOW = 180_000;

/** The shell around the command: pnpm's own errors, machine output, refusals with reasons. */
describe('the command around airspark', () => {
  it(
    '`pnpm <typo>` says what is wrong instead of exiting 254 in silence',
    async () => {
      const failed = await exec('pnpm', ['valdiate'], { cwd: repoRoot }).catch((e) => e);
      expect(failed.code).not.toBe(0);
      expect(`${failed.stdout}${failed.stderr}`).toMatch(/valdiate/);
    },
    SLOW,
  );

  it(
    '`pnpm -s validate --format json` prints nothing but JSON',
    async () => {
      // Exit 0 or 1 depends on the machine's chart cache; the output is JSON either way.
      const r = await exec('pnpm', ['-s', 'validate', '--format', 'json', '--env', 'dev'], {
        cwd: repoRoot,
      }).catch((e) => e);
      expect([0, 1, undefined]).toContain(r.code);
      expect(JSON.parse(r.stdout).summary.environments).toEqual(['dev']);
    },
    SLOW,
  );

  it(
    '--output writes the report to a file, whole, and keeps stdout free of it',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'airspark-output-'));
      const file = path.join(dir, 'sub', 'report.json');
      const r = await run(['validate', '--env', 'dev', '--format', 'json', '--output', file], repoRoot);
      expect([0, 1]).toContain(r.code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`report written to ${file}`);
      expect(JSON.parse(await readFile(file, 'utf8')).summary.environments).toEqual(['dev']);
      await rm(dir, { recursive: true, force: true });
    },
    SLOW,
  );

  it('a read-only checkout or a full disk is a refusal with its reason, not a bug report', () => {
    const readOnly = Object.assign(
      new Error("EROFS: read-only file system, open 'clusters/dev/apps/x.yaml'"),
      {
        code: 'EROFS',
        syscall: 'open',
        path: 'clusters/dev/apps/x.yaml',
      },
    );
    expect(filesystemRefusal(readOnly)).toBe(
      'cannot open clusters/dev/apps/x.yaml: the file system is read-only. Run it in a writable checkout (or set AIRSPARK_CACHE_DIR to a writable folder when the cache is the problem).',
    );
    expect(
      filesystemRefusal(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'mkdir', path: '/o' })),
    ).toMatch(/^cannot mkdir \/o: permission denied/);
    expect(filesystemRefusal(new Error('something else'))).toBeUndefined();
  });
});
