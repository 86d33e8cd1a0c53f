// Runs the repository's own `airspark` CLI (what `pnpm bootstrap`, `pnpm render` run), streaming
// its progress into the e2e's log and keeping the output for the report.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export function airsparkRunner(root: string, log: (line: string) => void) {
  const bin = path.join(root, 'node_modules', '.bin', 'airspark');
  return (args: readonly string[], cwd = root): Promise<{ code: number; output: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, args, {
        cwd,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          lines.push(line);
          log(`    │ ${line}`);
        });
      }
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, output: lines.slice(-40).join('\n') }));
    });
}
