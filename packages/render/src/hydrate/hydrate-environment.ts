import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type ComponentLoadResult,
  type ExpressionScope,
  type LoadedEnvironment,
  loadComponents,
  platformNames,
  positionOf,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { type HydratedComponent, hydrateComponent } from './application.js';
import { applicationFile, infraOutputsFile, projectFile, rootFile } from './argo.js';
import { buildProject, buildRoot } from './project.js';
import { generatedYaml } from './serialize.js';
import type { YamlMemo } from './yaml-memo.js';

export interface Hydration {
  env: string;
  /** Repository-relative path -> exact file content, for every generated file of the environment. */
  files: Map<string, string>;
  components: HydratedComponent[];
  findings: Finding[];
}

/** Reads clusters/<env>/infra-outputs.json; absent is normal before the first infrastructure deploy. */
export async function readInfraOutputs(
  root: string,
  env: string,
): Promise<{ outputs?: Record<string, unknown>; findings: Finding[] }> {
  const file = infraOutputsFile(env);
  let text: string;
  try {
    text = await readFile(path.join(root, file), 'utf8');
  } catch {
    return { findings: [] };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return { outputs: value as Record<string, unknown>, findings: [] };
  } catch (error) {
    return {
      findings: [
        {
          severity: 'error',
          rule: 'render/infra-outputs',
          message: `${file} is not a JSON object (${(error as Error).message}); it is written by the infrastructure deploy, regenerate it.`,
          file,
          line: 1,
          column: 1,
          env,
        },
      ],
    };
  }
}

/** mirrors.images entries that name an image no component declares (a typo would silently do nothing). */
function unknownImageOverrides(env: LoadedEnvironment, loaded: ComponentLoadResult): Finding[] {
  const declared = new Set(loaded.components.flatMap((c) => Object.keys(c.component.images ?? {})));
  return Object.keys(env.environment.mirrors?.images ?? {})
    .filter((name) => !declared.has(name))
    .map((name) => ({
      severity: 'error' as const,
      rule: 'render/image-override',
      message: `mirrors.images.${name}: no component declares an image "${name}" (component.yaml \`images\`; declared: ${[...declared].sort().join(', ') || 'none'}).`,
      file: env.file,
      ...positionOf(env.source, ['mirrors', 'images', name], { key: true }),
      env: env.name,
    }));
}

export interface HydrateOptions {
  /** Generated YAML printed by earlier runs (ADR 0064); without it every document is printed. */
  yamlMemo?: YamlMemo;
}

/**
 * Computes every generated file of one environment in memory. Pure apart from reading the
 * infrastructure hand-off and probing which per-environment values files exist.
 */
export async function hydrateEnvironment(
  root: string,
  env: LoadedEnvironment,
  loaded: ComponentLoadResult,
  options: HydrateOptions = {},
): Promise<Hydration> {
  const memo = options.yamlMemo;
  const infra = await readInfraOutputs(root, env.name);
  const scope: ExpressionScope = {
    environment: env.environment,
    names: platformNames(env.environment),
    infra: infra.outputs,
  };
  const findings: Finding[] = [...infra.findings];
  const components: HydratedComponent[] = [];
  const fileExists = (file: string) => existsSync(path.join(root, file));
  for (const component of loaded.components) {
    const outcome = hydrateComponent(component, { env, scope, fileExists });
    findings.push(...outcome.findings);
    if (outcome.status === 'enabled') components.push(outcome.hydrated);
  }
  components.sort((a, b) => a.name.localeCompare(b.name));
  findings.push(...unknownImageOverrides(env, loaded));
  const files = new Map<string, string>();
  for (const c of components) {
    files.set(
      applicationFile(env.name, c.name),
      generatedYaml(`${c.component.file} + ${env.file}`, [c.application], memo),
    );
  }
  files.set(
    projectFile(env.name),
    generatedYaml(`apps/*/component.yaml + ${env.file}`, [buildProject(env, components)], memo),
  );
  files.set(rootFile(env.name), generatedYaml(env.file, buildRoot(env), memo));
  return { env: env.name, files, components, findings };
}

/** Convenience: load the components once and hydrate one environment. */
export async function hydrate(root: string, env: LoadedEnvironment): Promise<Hydration> {
  return hydrateEnvironment(root, env, await loadComponents(root));
}
