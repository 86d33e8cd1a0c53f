import { describe, expect, it } from 'vitest';
import { run } from '../src/run.js';

describe('run', () => {
  it('resolves with the exit code when the child exits without reading its input', async () => {
    // 8 MiB: more than a pipe buffers, so the write fails with EPIPE once `true` has exited.
    const result = await run('true', [], { input: 'x'.repeat(8 * 1024 * 1024) });
    expect(result.code).toBe(0);
  });
});
