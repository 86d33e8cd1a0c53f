import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, main } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'packages/cli/bin/airspark.js');

/** Runs the CLI in-process with captured output streams. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}, tty = false) {
  const capture = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    return { stream: Object.assign(stream, { isTTY: tty }), text: () => chunks.join('') };
  };
  const out = capture();
  const err = capture();
  const ctx: CliContext = { cwd: repoRoot, env, stdout: out.stream, stderr: err.stream };
  const code = await main(args, ctx);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('airspark validate', () => {
  let broken: string;
  /** Line of the broken value, found in the file rather than hard-coded (the file grows). */
  let natLine: number;
  beforeAll(async () => {
    broken = await mkdtemp(path.join(tmpdir(), 'airspark-cli-'));
    await cp(path.join(repoRoot, 'clusters'), path.join(broken, 'clusters'), { recursive: true });
    // The components too: validate renders every environment, and hydration needs them.
    await cp(path.join(repoRoot, 'apps'), path.join(broken, 'apps'), { recursive: true });
    await writeFile(path.join(broken, 'pnpm-workspace.yaml'), 'packages: []\n');
    await cp(path.join(repoRoot, 'charts.lock.yaml'), path.join(broken, 'charts.lock.yaml'));
    const file = path.join(broken, 'clusters/dev/environment.yaml');
    const text = (await readFile(file, 'utf8')).replace('natGateways: single', 'natGateways: some');
    natLine = text.split('\n').findIndex((line) => line.includes('natGateways: some')) + 1;
    await writeFile(file, text);
  });
  afterAll(() => rm(broken, { recursive: true, force: true }));

  it('reports the four environments without errors, exit 0', async () => {
    const { code, stdout } = await run(['validate']);
    expect(code).toBe(0);
    // Offline checkouts warn about upstream charts that are not cached; errors there are none.
    expect(stdout).toMatch(
      /✔ 4 environments valid \(dev, local, staging, prod\)|✔ no errors in what was checked of 4 environments \(dev, local, staging, prod\)|✖ 0 errors, \d+ warnings? in 4 environments/,
    );
  });

  it('says what was not checked instead of claiming the environments valid', async () => {
    const { stdout } = await run(['validate', '--root', broken, '--env', 'staging'], {
      AIRSPARK_CACHE_DIR: path.join(broken, '.empty-cache'),
    });
    // No chart is in this empty cache: the upstream components are named as not checked.
    expect(stdout).toMatch(/! not checked \(\d+\):/);
    expect(stdout).toContain('airflow: chart not obtainable here (not in the chart cache) (staging)');
    expect(stdout).not.toContain('✔ 1 environment valid');
  });

  it('--format json has the documented shape', async () => {
    const { code, stdout } = await run(['validate', '--format', 'json', '--root', broken]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['findings', 'summary']);
    expect(report.summary).toMatchObject({ environments: ['dev', 'local', 'staging', 'prod'], errors: 1 });
    expect(Object.keys(report.summary)).toEqual(['environments', 'errors', 'warnings', 'files']);
    expect(report.findings.filter((f: { severity: string }) => f.severity === 'error')[0]).toEqual({
      severity: 'error',
      rule: 'config/schema',
      message: 'network.natGateways must be one of "single", "perZone", not "some".',
      file: 'clusters/dev/environment.yaml',
      line: natLine,
      column: 16,
      env: 'dev',
    });
  });

  it('text output groups by file and colours only when asked to', async () => {
    const plain = await run(['validate', '--root', broken, '--env', 'dev']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(
      new RegExp(`^clusters/dev/environment.yaml\n {2}clusters/dev/environment.yaml:${natLine}:16 {2}error`),
    );
    expect(plain.stdout).not.toContain('\u001b[');
    const tty = await run(['validate', '--root', broken, '--env', 'dev'], {}, true);
    expect(tty.stdout).toContain('\u001b[');
    const noColor = await run(['validate', '--root', broken, '--env', 'dev'], { NO_COLOR: '1' }, true);
    expect(noColor.stdout).not.toContain('\u001b[');
  });

  it('--format junit and --format sarif report the same finding for CI views', async () => {
    const junit = await run(['validate', '--format', 'junit', '--root', broken]);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toMatch(/^<\?xml/);
    expect(junit.stdout).toContain('<testsuite name="clusters/dev/environment.yaml"');
    expect(junit.stdout).toContain('classname="config/schema"');
    const sarif = await run(['validate', '--format', 'sarif', '--root', broken]);
    expect(sarif.code).toBe(1);
    const result = JSON.parse(sarif.stdout).runs[0].results.find(
      (r: { level: string }) => r.level === 'error',
    );
    expect(result).toMatchObject({ ruleId: 'config/schema', level: 'error' });
    expect(result.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: 'clusters/dev/environment.yaml' },
      region: { startLine: natLine },
    });
  });

  it('--env is repeatable and limits the report', async () => {
    const { code, stdout } = await run(['validate', '--root', broken, '--env', 'staging', '--env', 'prod']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /✔ 2 environments valid \(staging, prod\)|✔ no errors in what was checked of 2 environments \(staging, prod\)|✖ 0 errors, \d+ warnings? in 2 environments \(staging, prod\)/,
    );
  });

  it.each([
    [['validate', '--env', 'qa'], /no environment "qa": clusters\/qa does not exist/],
    [['validate', '--format', 'xml'], /unknown --format "xml"; choose one of/],
    [['validate', '--bogus'], /Unknown option '--bogus'. Run `airspark validate --help`/],
    [['validate', '--root', '/'], /not inside an airspark repository/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /Usage: airspark <command>/],
  ])('usage errors exit 2 with a message and no stack trace: %j', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--debug adds the stack trace of a usage error', async () => {
    const { stderr } = await run(['validate', '--env', 'qa', '--debug']);
    expect(stderr).toMatch(/\n\s+at /);
  });

  it('the installed command exits with the code the report implies', async () => {
    const exec = promisify(execFile);
    const clean = await exec(process.execPath, [bin, 'validate', '--format', 'json'], { cwd: repoRoot });
    expect(JSON.parse(clean.stdout).summary.errors).toBe(0);
    const failed = await exec(process.execPath, [bin, 'validate', '--root', broken], { cwd: repoRoot }).catch(
      (e) => e,
    );
    expect(failed.code).toBe(1);
    // Progress lines may go to stderr (a cold result cache renders); never a stack trace.
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  });
});
