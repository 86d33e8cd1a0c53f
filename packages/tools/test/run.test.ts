import { describe, expect, it } from 'vitest';
import { run } from '../src/index.js';

describe('run', () => {
  it('passes input to the program and collects its output and exit code', async () => {
    const r = await run('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'hello' });
    expect(r).toEqual({ code: 3, stdout: 'hello', stderr: 'err\n' });
  });

  it('resolves with the exit code when the program exits without reading a large input (EPIPE)', async () => {
    const input = 'x'.repeat(8 * 1024 * 1024);
    for (let i = 0; i < 5; i++) {
      const r = await run('sh', ['-c', 'exit 7'], { input });
      expect(r.code).toBe(7);
    }
  });
});
