// The statistics and process timing the `pnpm bench` pieces share (scripts/bench/lib.mjs), tested
// here beside the other repository scripts: the figures in docs/benchmarks.md are only as right as these.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchRuns, median, timedProcess, wallAndCpu } from '../../../scripts/bench/lib.mjs';

describe('bench lib', () => {
  it('takes the middle sample, or the mean of the two middle ones, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('runs 10 times by default, 3 with --quick or BENCH_QUICK=1, and BENCH_RUNS wins', () => {
    expect(benchRuns([], {})).toBe(10);
    expect(benchRuns(['--quick'], {})).toBe(3);
    expect(benchRuns([], { BENCH_QUICK: '1' })).toBe(3);
    expect(benchRuns(['--quick'], { BENCH_RUNS: '7' })).toBe(7);
  });

  it('summarises wall and CPU seconds as median, minimum and maximum', () => {
    const samples = [
      { wall: 1, cpu: 2 },
      { wall: 3, cpu: 1 },
      { wall: 2, cpu: 4 },
    ];
    expect(wallAndCpu(samples)).toEqual({
      runs: 3,
      wallSecondsMedian: 2,
      wallSecondsMin: 1,
      wallSecondsMax: 3,
      cpuSecondsMedian: 2,
      cpuSecondsMin: 1,
      cpuSecondsMax: 4,
    });
  });

  it('says what to install when /usr/bin/time is missing', () => {
    expect(() => timedProcess(process.execPath, ['-e', ''], {}, '/nonexistent/time')).toThrow(
      'the benchmarks time whole processes with /nonexistent/time: install it (Debian: apt-get install time)',
    );
  });

  // Debian's `time` package: on machines that lack it the benchmarks refuse to run (above).
  const hasTime = existsSync('/usr/bin/time');

  it.runIf(hasTime)('times a whole process, children included, and keeps its stderr', () => {
    const run = timedProcess(process.execPath, [
      '-e',
      'let x = 0; for (let i = 0; i < 3e7; i++) x += i; console.error("done")',
    ]);
    expect(run.wall).toBeGreaterThan(0);
    expect(run.cpu).toBeGreaterThan(0);
    expect(run.stderr).toContain('done');
  });

  it.runIf(hasTime)(
    'accepts exit 1 (findings) and refuses any other failure with the command and its stderr',
    () => {
      expect(() => timedProcess(process.execPath, ['-e', 'process.exit(1)'])).not.toThrow();
      expect(() => timedProcess(process.execPath, ['-e', 'console.error("boom"); process.exit(3)'])).toThrow(
        /exited 3: .*boom/s,
      );
    },
  );
});
