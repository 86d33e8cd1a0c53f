import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Component,
  component,
  ENVIRONMENTS,
  environment,
  ROOT,
  resolveExpression,
} from './support/repo.js';

const folders = (await readdir(path.join(ROOT, 'apps'), { withFileTypes: true }))
  .filter((entry) => entry.isDirectory() && existsSync(path.join(ROOT, 'apps', entry.name, 'component.yaml')))
  .map((entry) => entry.name)
  .sort();

const all = new Map<string, Component>(
  await Promise.all(folders.map(async (f) => [f, await component(f)] as const)),
);

function expressionsOf(comp: Component): string[] {
  return [
    ...(comp.enabledBy ? [comp.enabledBy] : []),
    ...(comp.source.versionFrom ? [comp.source.versionFrom] : []),
    ...(comp.extraNamespaces ?? []).filter((n) => n.includes('.')),
    ...Object.values(comp.values?.fromEnvironment ?? {}),
  ];
}

describe('component declarations', () => {
  it('cover every platform component', () => {
    expect(folders).toEqual([
      'airflow',
      'airflow-ingress',
      'airflow-metadata-db',
      'airflow-secrets',
      'argocd',
      'aws-load-balancer-controller',
      'external-secrets',
      'karpenter',
      'karpenter-nodepools',
      'livy',
      'spark-history-server',
      'spark-operator',
      'spark-teams',
      'storage',
    ]);
  });

  it.each(folders)('%s: is named after its folder and points at files that exist', (folder) => {
    const comp = all.get(folder) as Component;
    expect(comp.name).toBe(folder);
    const paths = [comp.source.path, comp.values?.schema, ...(comp.values?.files ?? [])].filter(
      (p): p is string => p !== undefined,
    );
    for (const p of paths) expect(existsSync(path.join(ROOT, p)), p).toBe(true);
    if (comp.source.type === 'helm-local') {
      expect(existsSync(path.join(ROOT, comp.source.path ?? '', 'Chart.yaml'))).toBe(true);
      expect(comp.values?.schema).toBe(`${comp.source.path}/values.schema.json`);
    } else {
      expect(comp.source.type).toBe('helm-upstream');
      expect(comp.source.versionFrom).toBeDefined();
      // Upstream charts get a strict schema of the keys we set, next to their values.
      expect(comp.values?.schema).toBe(`apps/${folder}/values.schema.json`);
    }
  });

  it.each(folders)('%s: every expression names something in every environment', async (folder) => {
    const comp = all.get(folder) as Component;
    for (const env of ENVIRONMENTS) {
      const data = await environment(env);
      for (const expression of expressionsOf(comp)) {
        expect(() => resolveExpression(expression, data), `${env}: ${expression}`).not.toThrow();
      }
    }
  });

  it('orders namespaces and storage before controllers, controllers before workloads and custom resources', () => {
    const wave = (name: string) => (all.get(name) as Component).syncWave;
    expect(wave('spark-teams')).toBeLessThan(wave('storage'));
    expect(wave('storage')).toBeLessThan(wave('livy'));
    for (const controller of ['karpenter', 'spark-operator', 'argocd']) {
      expect(wave('spark-teams')).toBeLessThan(wave(controller));
      expect(wave(controller)).toBeLessThan(wave('karpenter-nodepools'));
    }
    expect(wave('spark-operator')).toBeLessThan(wave('airflow'));
    expect(wave('karpenter')).toBeLessThan(wave('karpenter-nodepools'));
  });

  it('makes the Airflow Secrets after the External Secrets Operator and before Airflow, and the load balancer controller before the Ingress', () => {
    const wave = (name: string) => (all.get(name) as Component).syncWave;
    for (const secrets of ['airflow-secrets', 'airflow-metadata-db']) {
      expect(wave('external-secrets')).toBeLessThan(wave(secrets));
      expect(wave(secrets)).toBeLessThan(wave('airflow'));
    }
    expect(wave('aws-load-balancer-controller')).toBeLessThan(wave('airflow-ingress'));
  });

  it('applies CRD-carrying charts server-side', () => {
    for (const comp of all.values()) {
      if (comp.clusterResources?.includes('apiextensions.k8s.io/CustomResourceDefinition')) {
        expect(comp.syncOptions, comp.name).toContain('ServerSideApply=true');
      }
    }
  });

  it('declares every team namespace it writes to', () => {
    for (const name of ['livy', 'spark-teams', 'storage', 'spark-operator']) {
      expect((all.get(name) as Component).extraNamespaces, name).toContain('spark.teams[*].namespace');
    }
  });
});
