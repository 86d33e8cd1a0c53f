import { type CompileRequest, configSchema, schemaRequest } from '@airspark/config';
import { externalResourcesSchema } from '../crossref/external-resources.js';
import { availableKubernetesVersions, loadKubernetesApi, loadPinnedCrds, SchemaCatalog } from './catalog.js';
import { bundleRequest } from './compile.js';

/**
 * Every schema of this package that is pinned in the repository, as compile requests, each with a
 * stable id: the built-in kinds of each committed Kubernetes version, each pinned CRD (compiled with
 * that version's ObjectMeta), and external-resources.yaml. The build generates their code into
 * dist/precompiled (scripts/precompile-validators.mjs).
 */
export function pinnedSchemaRequests(schemasDir?: string): { id: string; request: CompileRequest }[] {
  const crds = loadPinnedCrds(schemasDir);
  const out = [{ id: 'external-resources', request: schemaRequest(configSchema(externalResourcesSchema)) }];
  for (const minor of availableKubernetesVersions(schemasDir)) {
    const api = loadKubernetesApi(minor, schemasDir);
    if (!api) continue;
    const catalog = new SchemaCatalog(api, crds);
    out.push({ id: `${minor}/builtin`, request: bundleRequest(catalog.builtinBundle()) });
    for (const crd of catalog.crdsList())
      out.push({
        id: `${minor}/crd/${crd.group}/${crd.kind}`,
        request: bundleRequest(catalog.crdBundle(crd)),
      });
  }
  return out;
}
