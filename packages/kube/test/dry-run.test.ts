import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DryRunResult, dryRunObjects, startTestCluster, type TestCluster } from '../src/index.js';
import { deployment, namespace, widget, widgetCrd } from './fixtures.js';

// One real etcd + kube-apiserver for the whole file.
let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ mode: 'envtest' });
});
afterAll(async () => {
  await cluster?.stop();
});

function only(results: DryRunResult[], index: number): DryRunResult {
  const result = results.find((r) => r.index === index);
  if (!result) throw new Error(`no result for index ${index}`);
  return result;
}

describe('dryRunObjects against a real kube-apiserver', () => {
  it('applies a CRD for real and accepts a custom resource of it in the same batch', async () => {
    const results = await dryRunObjects(cluster.kubeConfig, [
      namespace('crd-batch'),
      widgetCrd(),
      widget('small', 'crd-batch', { size: 2, colour: 'blue' }),
    ]);

    expect(results.map((r) => [r.object.kind, r.action, r.ok])).toEqual([
      ['Namespace', 'applied', true],
      ['CustomResourceDefinition', 'applied', true],
      ['Widget', 'dry-run', true],
    ]);
    // Dry-run means nothing persisted: the Widget does not exist, the CRD and namespace do.
    const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    const widgets = await custom.listNamespacedCustomObject({
      group: 'test.airspark.dev',
      version: 'v1',
      namespace: 'crd-batch',
      plural: 'widgets',
    });
    expect((widgets as { items: unknown[] }).items).toEqual([]);
  });

  it("rejects a custom resource that breaks its CRD's schema, naming the fields", async () => {
    const results = await dryRunObjects(cluster.kubeConfig, [
      namespace('crd-schema'),
      widgetCrd(),
      widget('too-small', 'crd-schema', { size: 0 }),
      widget('unknown-field', 'crd-schema', { size: 1, flavour: 'lime' }),
    ]);

    const tooSmall = only(results, 2);
    expect(tooSmall).toMatchObject({ ok: false, statusCode: 422, reason: 'Invalid' });
    expect(tooSmall.causes).toContainEqual(expect.objectContaining({ field: 'spec.size' }));

    const unknownField = only(results, 3);
    expect(unknownField).toMatchObject({ ok: false, statusCode: 400, reason: 'BadRequest' });
    expect(unknownField.causes).toEqual([
      expect.objectContaining({ field: 'spec.flavour', reason: 'UnknownField' }),
    ]);
  });

  it('accepts a valid Deployment', async () => {
    const [result] = await dryRunObjects(cluster.kubeConfig, [deployment('web', 'default')]);
    expect(result).toEqual({
      index: 0,
      object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' },
      action: 'dry-run',
      ok: true,
      causes: [],
    });
  });

  it('rejects unknown fields of a built-in kind with their paths (fieldValidation Strict)', async () => {
    const [result] = await dryRunObjects(cluster.kubeConfig, [
      deployment('typo', 'default', { spec: { replica: 3 }, container: { imagePullPolicyy: 'Always' } }),
    ]);
    expect(result).toMatchObject({ ok: false, statusCode: 400, reason: 'BadRequest' });
    // The server lists every unknown field, in an order of its own.
    expect(result?.causes.map((c) => c.field).sort()).toEqual([
      'spec.replica',
      'spec.template.spec.containers[0].imagePullPolicyy',
    ]);
  });

  it('rejects a value of the wrong type with its path', async () => {
    const [result] = await dryRunObjects(cluster.kubeConfig, [
      deployment('wrong-type', 'default', { spec: { replicas: 'three' } }),
    ]);
    expect(result).toMatchObject({ ok: false, statusCode: 400 });
    expect(result?.causes).toEqual([
      expect.objectContaining({ field: 'spec.replicas', reason: 'FieldValueTypeInvalid' }),
    ]);
  });

  it('reports validation errors with the structured causes the server gives', async () => {
    const [result] = await dryRunObjects(cluster.kubeConfig, [
      deployment('bad-policy', 'default', { container: { imagePullPolicy: 'Sometimes' } }),
    ]);
    expect(result).toMatchObject({ ok: false, statusCode: 422, reason: 'Invalid' });
    expect(result?.causes).toEqual([
      expect.objectContaining({
        field: 'spec.template.spec.containers[0].imagePullPolicy',
        reason: 'FieldValueNotSupported',
      }),
    ]);
  });

  it('accepts objects in a namespace created by the same batch, listed after them', async () => {
    const results = await dryRunObjects(cluster.kubeConfig, [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'same-batch' },
        data: { a: '1' },
      },
      deployment('api', 'same-batch'),
      namespace('same-batch'),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(only(results, 2).action).toBe('applied');
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await expect(core.readNamespace({ name: 'same-batch' })).resolves.toMatchObject({
      metadata: { name: 'same-batch' },
    });
    await expect(
      core.readNamespacedConfigMap({ name: 'settings', namespace: 'same-batch' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('rejects an object whose namespace nobody creates', async () => {
    const [result] = await dryRunObjects(cluster.kubeConfig, [deployment('orphan', 'no-such-namespace')]);
    expect(result).toMatchObject({
      ok: false,
      statusCode: 404,
      reason: 'NotFound',
      message: 'namespaces "no-such-namespace" not found',
    });
  });

  it('creates the extra namespaces it is asked for (Argo CD CreateNamespace)', async () => {
    const [result] = await dryRunObjects(cluster.kubeConfig, [deployment('placed', 'argo-creates-me')], {
      createNamespaces: ['argo-creates-me'],
    });
    expect(result?.ok).toBe(true);
  });

  it('throws when a namespace the caller asked for cannot be created (not an object under test)', async () => {
    await expect(
      dryRunObjects(cluster.kubeConfig, [], { createNamespaces: ['Not_A_Valid_Name'] }),
    ).rejects.toThrow(
      /could not create namespace "Not_A_Valid_Name" \(createNamespaces\): .*Invalid value: "Not_A_Valid_Name"/,
    );
  });

  it('reports a kind that no API or CRD serves as NotFound instead of throwing', async () => {
    const results = await dryRunObjects(cluster.kubeConfig, [
      {
        apiVersion: 'nowhere.airspark.dev/v1',
        kind: 'Gadget',
        metadata: { name: 'g', namespace: 'default' },
      },
      { apiVersion: 'apps/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' } },
    ]);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, statusCode: 404, reason: 'NotFound' });
      expect(result.message).toContain('no matches for kind "Gadget"');
    }
  });

  it('puts namespaced objects without a namespace into defaultNamespace', async () => {
    const [result] = await dryRunObjects(
      cluster.kubeConfig,
      [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } }],
      { createNamespaces: ['destination'], defaultNamespace: 'destination' },
    );
    expect(result).toMatchObject({ ok: true, object: { namespace: 'destination' } });
  });

  it('checks an object that already exists for real as an update (a reused kind cluster), keeping its name as is', async () => {
    // RBAC names are path segments: capitals and colons are allowed, and must survive the URL.
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'Airspark:Reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    };
    await cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api).createClusterRole({ body: role });
    const [updated, broken] = await dryRunObjects(cluster.kubeConfig, [
      { ...role, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
      { ...role, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], colour: 'red' }] },
    ]);
    expect(updated).toMatchObject({ ok: true, object: { name: 'Airspark:Reader' } });
    expect(broken).toMatchObject({ ok: false });
    expect(broken?.causes).toContainEqual(
      expect.objectContaining({ field: 'rules[0].colour', reason: 'UnknownField' }),
    );
  });

  it("leaves the caller's objects untouched", async () => {
    const objects = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'untouched' }, data: {} }];
    const before = structuredClone(objects);
    await dryRunObjects(cluster.kubeConfig, objects);
    expect(objects).toEqual(before);
  });

  it('reports a CRD the server refuses as a rejected apply', async () => {
    const broken = widgetCrd();
    (broken.spec as { scope: string }).scope = 'Galactic';
    broken.metadata = { name: 'gizmos.test.airspark.dev' };
    (broken.spec as { names: Record<string, string> }).names = { plural: 'gizmos', kind: 'Gizmo' };
    const [result] = await dryRunObjects(cluster.kubeConfig, [broken]);
    expect(result).toMatchObject({ action: 'applied', ok: false, statusCode: 422, reason: 'Invalid' });
    expect(result?.causes).toContainEqual(expect.objectContaining({ field: 'spec.scope' }));
  });
});
