import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CliContext, invocationDirectory, processContext, wantsColor } from '../src/index.js';

const stream = (isTTY: boolean) => Object.assign(new PassThrough(), { isTTY });
const ctx = (env: NodeJS.ProcessEnv): CliContext => ({
  cwd: '/',
  env,
  stdout: stream(true),
  stderr: stream(false),
});

describe('wantsColor', () => {
  it('colours a terminal only', () => {
    expect(wantsColor(ctx({}), stream(true))).toBe(true);
    expect(wantsColor(ctx({}), stream(false))).toBe(false);
  });
  it('NO_COLOR wins over a terminal, FORCE_COLOR over a pipe', () => {
    expect(wantsColor(ctx({ NO_COLOR: '1' }), stream(true))).toBe(false);
    expect(wantsColor(ctx({ NO_COLOR: '' }), stream(true))).toBe(true);
    expect(wantsColor(ctx({ FORCE_COLOR: '1' }), stream(false))).toBe(true);
    expect(wantsColor(ctx({ FORCE_COLOR: '0' }), stream(false))).toBe(false);
  });
});

describe('invocationDirectory', () => {
  const script = { npm_package_json: '/repo/package.json', INIT_CWD: '/repo/clusters/dev' };

  it('takes the folder the user typed `pnpm <script>` in', () => {
    expect(invocationDirectory(script, '/repo')).toBe('/repo/clusters/dev');
  });

  it('ignores an INIT_CWD inherited by a process working elsewhere (a hook, a test, a benchmark)', () => {
    expect(invocationDirectory(script, '/tmp/other-repo')).toBe('/tmp/other-repo');
  });

  it('uses the working directory outside pnpm scripts', () => {
    expect(invocationDirectory({}, '/somewhere')).toBe('/somewhere');
    expect(invocationDirectory({ INIT_CWD: '/elsewhere' }, '/somewhere')).toBe('/somewhere');
  });

  it('processContext applies it to the real process', () => {
    expect(processContext().cwd).toBe(invocationDirectory(process.env, process.cwd()));
  });
});
