import { type LoadedEnvironment, positionOf, systemNodeGroupOf } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { loadExternalResources } from './crossref/external-resources.js';
import type { RenderedObject } from './model.js';
import { loadSparkTemplates } from './spark/dag-templates.js';
import type { EnvironmentValidator } from './validate.js';

/**
 * The I/O edge for one environment of a repository: reads what validation needs besides the rendered
 * objects (the DAG bundle's Spark templates, clusters/<env>/external-resources.yaml) and validates.
 */
export async function validateRenderedEnvironment(
  validator: EnvironmentValidator,
  root: string,
  loaded: LoadedEnvironment,
  objects: readonly RenderedObject[],
  options: {
    incompleteApps?: readonly string[];
    unjudgedKinds?: readonly string[];
    bootstrapApps?: readonly string[];
  } = {},
): Promise<Finding[]> {
  const [templates, external] = await Promise.all([
    loadSparkTemplates(root),
    loadExternalResources(root, loaded.name),
  ]);
  const at = positionOf(loaded.source, ['cluster', 'kubernetesVersion']);
  const findings = validator.validateEnvironment({
    env: loaded.name,
    kubernetesVersion: loaded.environment.cluster.kubernetesVersion,
    kubernetesVersionSource: { file: loaded.file, ...at },
    objects,
    sparkTemplates: templates.templates,
    systemNodeGroup: systemNodeGroupOf(loaded.environment),
    externalResources: external.resources,
    ...(options.incompleteApps ? { incompleteApps: options.incompleteApps } : {}),
    ...(options.unjudgedKinds ? { unjudgedKinds: options.unjudgedKinds } : {}),
    ...(options.bootstrapApps ? { bootstrapApps: options.bootstrapApps } : {}),
    // A local cluster has no Karpenter (it launches EC2 instances); Spark placement is advisory there.
    ...(loaded.environment.cluster.provider === 'local'
      ? { noKarpenterReason: 'a local cluster: Karpenter needs EC2' }
      : {}),
  });
  return [...templates.findings.map((f) => ({ ...f, env: loaded.name })), ...external.findings, ...findings];
}
