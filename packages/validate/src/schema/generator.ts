/** What scripts/update-schemas.mjs uses to turn upstream files into committed schemas. */
export { type ApiLifecycle, groupNameOf, parseLifecycleFile } from './api-lifecycle.js';
export { type CrdSchemas, crdSchemasFrom } from './crd.js';
export { type BuiltinSchemas, builtinSchemasFrom } from './kubernetes-spec.js';
