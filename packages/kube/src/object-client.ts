import {
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
} from '@kubernetes/client-node';
import type { KubeObject } from './kubernetes-object.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  readonly fieldManager: string;
  readonly fieldValidation: FieldValidation;
  readonly dryRun: boolean;
}

/**
 * The generic object client of @kubernetes/client-node (discovery, URL paths, auth), with writes
 * that send the object exactly as given. KubernetesObjectApi.create/patch serialize built-in
 * kinds through client-node's typed models, which silently drops fields the model does not know:
 * a Deployment with a misspelt field would reach the server already "fixed" and pass. A validator
 * must send the bytes it was given. They also take no fieldValidation parameter.
 */
export class ObjectClient extends KubernetesObjectApi {
  constructor(kubeConfig: KubeConfig, defaultNamespace: string) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeConfig has no current cluster');
    super(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: kubeConfig },
      }),
    );
    this.defaultNamespace = defaultNamespace;
  }

  /** POST the object as is. */
  async createExact(object: KubeObject, options: WriteOptions): Promise<unknown> {
    return this.write(object, 'create', HttpMethod.POST, 'application/json', options);
  }

  /** Server-side apply of the object as is (force: the field manager takes over conflicts). */
  async applyExact(object: KubeObject, options: WriteOptions): Promise<unknown> {
    return this.write(object, 'patch', HttpMethod.PATCH, PatchStrategy.ServerSideApply, options, {
      force: 'true',
    });
  }

  /** Whether discovery lists `kind` in `apiVersion` (false while a new CRD is not yet served). */
  async servesKind(apiVersion: string, kind: string): Promise<boolean> {
    try {
      return (await this.resource(apiVersion, kind)) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * The URL path of the object (collection path for create). Built here rather than with
   * specUriPath, which lower-cases the whole path, names included (`MyRole` becomes `myrole`).
   * Fills in a missing namespace of a namespaced kind, as kubectl does.
   */
  private async objectPath(object: KubeObject, action: 'create' | 'patch'): Promise<string> {
    const resource = await this.resource(object.apiVersion, object.kind);
    if (!resource) throw new Error(`Unrecognized API version and kind: ${object.apiVersion} ${object.kind}`);
    object.metadata ??= {};
    if (resource.namespaced && !object.metadata.namespace) object.metadata.namespace = this.defaultNamespace;
    const parts = [object.apiVersion.includes('/') ? 'apis' : 'api', object.apiVersion];
    if (resource.namespaced) parts.push('namespaces', encodeURIComponent(object.metadata.namespace ?? ''));
    parts.push(resource.name);
    if (action === 'patch') parts.push(encodeURIComponent(object.metadata.name ?? ''));
    return `/${parts.join('/')}`;
  }

  private async write(
    object: KubeObject,
    action: 'create' | 'patch',
    method: HttpMethod,
    contentType: string,
    options: WriteOptions,
    extraQuery: Record<string, string> = {},
  ): Promise<unknown> {
    const request = this.configuration.baseServer.makeRequestContext(
      await this.objectPath(object, action),
      method,
    );
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', contentType);
    request.setQueryParam('fieldManager', options.fieldManager);
    request.setQueryParam('fieldValidation', options.fieldValidation);
    if (options.dryRun) request.setQueryParam('dryRun', 'All');
    for (const [key, value] of Object.entries(extraQuery)) request.setQueryParam(key, value);
    // JSON is valid YAML, so the same body serves the apply-patch+yaml content type.
    request.setBody(JSON.stringify(object));
    return this.requestPromise(request);
  }
}
