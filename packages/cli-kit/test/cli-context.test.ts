import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliContext, processContext, wantsColor } from '../src/index.js';

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

describe('processContext', () => {
  const saved = process.env.INIT_CWD;
  afterEach(() => {
    if (saved === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = saved;
  });
  it('takes the folder the user typed the pnpm command in', () => {
    process.env.INIT_CWD = '/somewhere/clusters/dev';
    expect(processContext().cwd).toBe('/somewhere/clusters/dev');
    delete process.env.INIT_CWD;
    expect(processContext().cwd).toBe(process.cwd());
  });
});
