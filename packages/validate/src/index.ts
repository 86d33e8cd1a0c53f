/**
 * @airspark/validate: checks an environment's rendered Kubernetes objects against the schemas of
 * its Kubernetes version and of its CRDs, the platform's policies, and each other.
 */
export { checkApiVersion } from './api-versions.js';
export { globMatch, permitted } from './crossref/argocd.js';
export { externalResourcesFile, loadExternalResources } from './crossref/external-resources.js';
export { type ExternalResource, IMPLICIT_NAMESPACES } from './crossref/inventory.js';
export { dottedPath, locationOf } from './finding-at.js';
export { type ParsedManifest, type ParsedStream, parseManifests } from './manifests.js';
export {
  type GroupVersionKind,
  type ObjectPath,
  type RenderedObject,
  resourceName,
  type SourceLocation,
} from './model.js';
export { parseImage, unpinnedReason } from './policies/images.js';
export { validateRenderedEnvironment } from './repository.js';
export { allRules, type Rule, ruleById, rules } from './rules.js';
export {
  availableKubernetesVersions,
  loadKubernetesApi,
  loadPinnedCrdManifests,
  loadPinnedCrds,
  SchemaCatalog,
} from './schema/catalog.js';
export { compileBundleSource, loadBundleSource, type SchemaBundle } from './schema/compile.js';
export { type CrdSchemas, crdSchemasFrom } from './schema/crd.js';
export { findingsFromServer, parseFieldPath, type ServerVerdict } from './server-rejections.js';
export { scanRepositorySources } from './source-scan/scan-repository.js';
export { scanSourceText, yaml11Difference } from './source-scan/scan-text.js';
export { DAG_TEMPLATES_APP, loadSparkTemplates, SPARK_TEMPLATES_DIR } from './spark/dag-templates.js';
export { parseSparkDefaults } from './spark/spark-pods.js';
export { MIN_REASON_LENGTH, parseSuppressions, SUPPRESS_ANNOTATION } from './suppress.js';
export {
  defaultCacheDir,
  type EnvironmentInput,
  EnvironmentValidator,
  inDestinationNamespaces,
  type ValidatorOptions,
} from './validate.js';
