import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { COMMENT_MARKER } from '@airspark/diff';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './repo-copy.js';

const workflowsDir = path.join(repoRoot, '.github/workflows');
const files = (await readdir(workflowsDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (file: string) => readFile(path.join(workflowsDir, file), 'utf8');

interface Step {
  uses?: string;
  run?: string;
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; permissions?: Record<string, string> }>;
  permissions?: unknown;
}

describe('GitHub workflows', () => {
  it('are the pull-request and the image workflows', () => {
    expect(files).toEqual(['images.yml', 'pull-request.yml']);
  });

  it.each(files)('%s is valid against the GitHub workflow schema (@action-validator/core)', async (file) => {
    const { errors } = validateWorkflow(await read(file));
    expect(errors).toEqual([]);
  });

  it('the schema check does catch a broken workflow', () => {
    const { errors } = validateWorkflow('on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n');
    expect(errors.length).toBeGreaterThan(0);
  });

  it.each(files)('%s pins every action to a full commit SHA with the tag it came from', async (file) => {
    const text = await read(file);
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, rest] of uses) {
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(rest, ref).toMatch(/# v\d+\.\d+\.\d+$/);
    }
  });

  it.each(files)('%s grants no permission at the top and only what each job needs', async (file) => {
    const workflow = parse(await read(file)) as Workflow;
    expect(workflow.permissions).toEqual({});
    for (const job of Object.values(workflow.jobs)) expect(job.permissions).toBeDefined();
  });

  it('the pull-request workflow uses the pinned pnpm and uv of the repository and existing scripts', async () => {
    const workflow = parse(await read('pull-request.yml')) as Workflow;
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
      packageManager: string;
      scripts: Record<string, string>;
    };
    expect(`pnpm@${workflow.env?.PNPM_VERSION}`).toBe(pkg.packageManager);
    const ciRun = await readFile(path.join(repoRoot, '.ci/run'), 'utf8');
    expect(ciRun).toContain(`PNPM_VERSION=${workflow.env?.PNPM_VERSION}`);
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    const scripts = runs.flatMap((r) => [...r.matchAll(/pnpm (?:-s )?(\w+)/g)].map((m) => m[1] as string));
    for (const script of scripts.filter((s) => !['install'].includes(s))) {
      expect(Object.keys(pkg.scripts), script).toContain(script);
    }
    expect(scripts).toEqual(expect.arrayContaining(['validate', 'charts', 'diff']));
    expect(runs).toContain('bash .ci/run'); // every test, exactly as the project's own CI runs them
  });

  it('the diff comment is found again by the marker pnpm diff writes', async () => {
    expect(await read('pull-request.yml')).toContain(`marker='${COMMENT_MARKER}'`);
  });
});
