import { describe, expect, it } from 'vitest';
import { checkApiVersion } from '../src/api-versions.js';
import { loadKubernetesApi, SchemaCatalog } from '../src/schema/catalog.js';
import { objectsFromYaml, ruleIds, validate } from './helpers.js';

const one = (apiVersion: string, kind: string) =>
  objectsFromYaml(
    'apps/x/o.yaml',
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: o, namespace: default}\n`,
  );

describe('deprecated and removed APIs (Kubernetes 1.35)', () => {
  it('api/removed names the release that removed it and the replacement', () => {
    const findings = validate(one('policy/v1beta1', 'PodDisruptionBudget'));
    expect(ruleIds(findings)).toEqual(['api/removed']);
    expect(findings[0]?.message).toBe(
      'policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25. Use apiVersion policy/v1 instead.',
    );
    expect(findings[0]?.line).toBe(1);
  });

  it('api/removed for a version that never existed suggests a served one', () => {
    expect(validate(one('apps/v2', 'Deployment'))[0]?.message).toContain('Use apiVersion apps/v1');
  });

  it('api/not-enabled for pre-release APIs the API server does not serve by default', () => {
    const findings = validate(one('networking.k8s.io/v1beta1', 'IPAddress'));
    expect(ruleIds(findings)).toContain('api/not-enabled');
  });

  it('api/removed-next-minor and api/deprecated warn ahead of an upgrade', () => {
    const api = loadKubernetesApi('1.35');
    if (!api) throw new Error('1.35 schemas missing');
    const withoutConfigMapNext = {
      ...api,
      nextMinorResources: (api.nextMinorResources ?? []).filter((r) => r.kind !== 'ConfigMap'),
      lifecycle: [
        ...api.lifecycle,
        { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', deprecated: '1.35' },
      ],
    };
    const catalog = new SchemaCatalog(withoutConfigMapNext, []);
    const [configMap] = one('v1', 'ConfigMap');
    if (!configMap) throw new Error('no object');
    expect(checkApiVersion(configMap, catalog).map((f) => [f.rule, f.severity])).toEqual([
      ['api/removed-next-minor', 'warning'],
    ]);
    const [hpa] = one('autoscaling/v2', 'HorizontalPodAutoscaler');
    if (!hpa) throw new Error('no object');
    // GA versions are never reported as deprecated by the pre-release lifecycle.
    expect(checkApiVersion(hpa, catalog)).toEqual([]);
    const beta = {
      ...withoutConfigMapNext,
      lifecycle: [...api.lifecycle, { group: 'apps', version: 'v1', kind: 'Deployment' }],
    };
    expect(checkApiVersion(one('apps/v1', 'Deployment')[0] as never, new SchemaCatalog(beta, []))).toEqual(
      [],
    );
  });

  it('a served GA kind passes', () => {
    expect(
      checkApiVersion(
        one('v1', 'ConfigMap')[0] as never,
        new SchemaCatalog(loadKubernetesApi('1.35') as never, []),
      ),
    ).toEqual([]);
  });
});

describe('a kind the group never had', () => {
  it('is schema/unknown-kind with the closest kind suggested, not a removed API', () => {
    const findings = validate(one('apps/v1', 'Deploymnet'));
    expect(ruleIds(findings)).toEqual(['schema/unknown-kind']);
    expect(findings[0]?.message).toContain('Did you mean Deployment?');
  });
});
