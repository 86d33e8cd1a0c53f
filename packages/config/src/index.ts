export { ajvCompiler } from './compiled-schema/ajv-compiler.js';
export {
  type CacheStatistics,
  CompiledSchemaCache,
  type CompileRequest,
  compiledSchemaKey,
  defaultCacheDir,
  sealCompiledSource,
  unsealCompiledSource,
  writeCompiledSource,
  writePrecompiledDir,
} from './compiled-schema/compiled-schema-cache.js';
export {
  registerPrecompiledDir,
  type SchemaSpec,
  schemaKey,
  schemaRequest,
  schemaValidator,
  sharedSchemaCache,
} from './compiled-schema/schema-validator.js';
export {
  APPS_DIR,
  COMPONENT_FILE,
  type Component,
  type ComponentSourceType,
  componentFile,
  componentValidator,
} from './component.js';
export {
  type ExpressionScope,
  parseExpression,
  type Resolved,
  resolveExpression,
  setIn,
  splitValuesPath,
} from './component-expressions.js';
export {
  type ComponentLoadResult,
  checkComponentShape,
  type LoadedComponent,
  type LoadOptions,
  listComponentNames,
  loadComponent,
  loadComponents,
} from './component-loader.js';
export { componentSchema } from './component-schema.js';
export type { Environment } from './environment.js';
export { environmentValidator } from './environment.js';
export { environmentSchema } from './environment-schema.js';
export { FileMemo } from './file-memo.js';
export {
  checkPromotionChain,
  type LoadedEnvironment,
  type LoadResult,
  loadEnvironment,
  loadEnvironments,
  orderByPromotion,
} from './load-environments.js';
export { CONFIG_PRECOMPILED_DIR, configPinnedSchemas, pinnedSchemaValidator } from './pinned-schemas.js';
export {
  awsPartition,
  type PlatformNames,
  type PodIdentityBinding,
  platformNames,
  roleArn,
  type S3Location,
  s3Url,
} from './platform-names.js';
export {
  CLUSTERS_DIR,
  ENVIRONMENT_FILE,
  environmentFile,
  findRepositoryRoot,
  listEnvironmentNames,
  UsageError,
} from './repository.js';
export { checkAgainstSchema, configSchema, createAjv } from './schema-check.js';
export {
  escapesRepository,
  MAX_SOURCE_BYTES,
  type ReadSourceOptions,
  readSourceText,
  realRootOf,
  type SourceText,
} from './source-file.js';
export {
  DEFAULT_SYSTEM_NODE_GROUP,
  isArmInstanceType,
  PLATFORM_NODE_SELECTOR,
  SYSTEM_NODE_LABELS,
  type SystemNodeGroup,
  systemNodeGroupOf,
} from './system-node-group.js';
export {
  type ParsedYaml,
  ParsedYamlMemo,
  type Position,
  parseYaml,
  pointerToPath,
  positionOf,
  type YamlSource,
} from './yaml-document.js';
export { type YamlSegment, yamlSegments } from './yaml-segments.js';
