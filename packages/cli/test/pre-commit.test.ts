import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitEnv, repoCopy, repoRoot, run } from './repo-copy.js';

const DEV = 'clusters/dev/environment.yaml';
const PROD = 'clusters/prod/environment.yaml';

describe('airspark pre-commit', () => {
  let repo: Awaited<ReturnType<typeof repoCopy>>;
  beforeEach(async () => {
    repo = await repoCopy();
  });
  afterEach(async () => repo.cleanup());

  const hook = () => run(['pre-commit'], repo.root, { NO_COLOR: '1' });
  /** validate's closing line for a clean run of exactly these environments (warnings allowed). */
  const cleanRunOf = (...envs: string[]) => {
    const what = `${envs.length} environment${envs.length === 1 ? '' : 's'}`;
    const list = `\\(${envs.join(', ')}\\)`;
    return new RegExp(
      `(${what} valid ${list}|no errors in what was checked of ${what} ${list}|✖ 0 errors, \\d+ warnings? in ${what} ${list})`,
    );
  };
  /** What a user does after editing environment.yaml: re-hydrate the Applications, stage everything. */
  const hydrateAndStage = async (env: string) => {
    expect((await run(['render', '--hydrate-only', '--env', env], repo.root)).code).toBe(0);
    repo.git('add', '--all');
  };

  it('does nothing when nothing is staged, or nothing staged is an environment input', async () => {
    expect(await hook()).toEqual({ code: 0, stdout: '', stderr: '' });
    await writeFile(path.join(repo.root, 'NOTES.md'), 'notes\n');
    repo.git('add', 'NOTES.md');
    expect(await hook()).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('validates the staged environment and those promoted from it, not the others', async () => {
    await repo.edit(DEV, (t) => t.replace('refreshIntervalSeconds: 120', 'refreshIntervalSeconds: 90'));
    await hydrateAndStage('dev');
    const { code, stderr } = await hook();
    expect(stderr).toMatch(cleanRunOf('dev', 'staging', 'prod'));
    expect(code).toBe(0);

    repo.git('commit', '--quiet', '-m', 'dev');
    await repo.edit(PROD, (t) => t.replace('natGateways: perZone', 'natGateways: single'));
    await hydrateAndStage('prod');
    expect((await hook()).stderr).toMatch(cleanRunOf('prod'));
  });

  it("a file outside apps/ that a component reads counts as its environments' input", async () => {
    // the Livy component gets an extra source folder at the top of the repository
    await mkdir(path.join(repo.root, 'shared/livy'), { recursive: true });
    await writeFile(
      path.join(repo.root, 'shared/livy/extra.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra }\n',
    );
    await repo.edit(
      'apps/livy/component.yaml',
      (t) => `${t.trimEnd()}\nextraSources:\n  - path: shared/livy\n`,
    );
    for (const env of ['dev', 'local', 'staging', 'prod']) await hydrateAndStage(env);
    repo.git('commit', '--quiet', '-m', 'livy reads shared/livy');
    await writeFile(
      path.join(repo.root, 'shared/livy/extra.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra2 }\n',
    );
    repo.git('add', '--all');
    const { code, stderr } = await hook();
    expect(stderr).toMatch(cleanRunOf('dev', 'local', 'staging', 'prod'));
    expect(code).toBe(0);
  });

  it('stops the commit on a finding, with file, line and the way out', async () => {
    await repo.edit(PROD, (t) => t.replace('    chartVersion: 1.14.1', '    chartVersion: 1.15.0'));
    repo.git('add', PROD);
    const { code, stderr } = await hook();
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /clusters\/prod\/environment\.yaml:\d+:19 {2}error {2}components\.karpenter\.chartVersion is "1\.15\.0" in prod/,
    );
    expect(stderr).toContain('commit stopped by the findings above');
    expect(stderr).toContain('git commit --no-verify');
  });

  it('says when it validates working-tree content that is not what is staged', async () => {
    await repo.edit(DEV, (t) => t.replace('refreshIntervalSeconds: 120', 'refreshIntervalSeconds: 90'));
    repo.git('add', DEV);
    await repo.edit(DEV, (t) => t.replace('refreshIntervalSeconds: 90', 'refreshIntervalSeconds: 60'));
    expect((await hook()).stderr).toContain(
      `${DEV} has unstaged changes too; validating the files as they are in the working tree.`,
    );
  });
});

describe('the git hook as pnpm install sets it (simple-git-hooks, real git commit)', () => {
  let repo: Awaited<ReturnType<typeof repoCopy>>;
  const commit = (message: string) =>
    spawnSync('git', ['commit', '-m', message], {
      cwd: repo.root,
      encoding: 'utf8',
      env: { ...process.env, ...gitEnv, NO_COLOR: '1' },
    });

  beforeEach(async () => {
    repo = await repoCopy();
    // The repository's hook configuration and toolchain, as in a clone after `pnpm install`.
    await copyFile(
      path.join(repoRoot, '.simple-git-hooks.json'),
      path.join(repo.root, '.simple-git-hooks.json'),
    );
    await symlink(path.join(repoRoot, 'packages'), path.join(repo.root, 'packages'));
    await symlink(path.join(repoRoot, 'node_modules'), path.join(repo.root, 'node_modules'));
    await writeFile(path.join(repo.root, '.gitignore'), 'packages\nnode_modules\n');
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/simple-git-hooks/cli.js')], {
      cwd: repo.root,
      env: { ...process.env, SKIP_INSTALL_SIMPLE_GIT_HOOKS: '' },
      stdio: 'ignore',
    });
  });
  afterEach(async () => repo.cleanup());

  it('is installed as .git/hooks/pre-commit running airspark pre-commit', async () => {
    const installed = await readFile(path.join(repo.root, '.git/hooks/pre-commit'), 'utf8');
    expect(installed).toContain('node packages/cli/bin/airspark.js pre-commit');
  });

  it('refuses with what to do, not a stack trace, in a checkout without pnpm install', async () => {
    await rm(path.join(repo.root, 'node_modules'));
    await repo.edit(DEV, (t) => `${t}\n`);
    repo.git('add', '--all');
    const refused = commit('no install');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('run pnpm install in it first');
    expect(refused.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(repo.git('log', '--format=%s')).toBe('start\n');
  });

  it('refuses a commit that puts staging ahead of dev, and lets the fixed one through', async () => {
    await repo.edit('clusters/staging/environment.yaml', (t) =>
      t.replace('    chartVersion: 2.5.2', '    chartVersion: 2.6.0'),
    );
    repo.git('add', '--all');
    const refused = commit('staging ahead');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('[promotion/ahead-of-source]');
    expect(repo.git('log', '--format=%s')).toBe('start\n');

    await repo.edit('clusters/staging/environment.yaml', (t) =>
      t.replace('    chartVersion: 2.6.0', '    chartVersion: 2.5.2'),
    );
    await repo.edit(DEV, (t) => t.replace('    chartVersion: 2.5.2', '    chartVersion: 2.6.0'));
    expect((await run(['render', '--hydrate-only', '--env', 'dev'], repo.root)).code).toBe(0);
    repo.git('add', '--all');
    const accepted = commit('dev moves first');
    expect(accepted.stderr).toContain('[promotion/drift]'); // a warning: staging is now behind dev
    expect(accepted.status).toBe(0);
    expect(repo.git('log', '-1', '--format=%s')).toBe('dev moves first\n');
  });
});
