import type { KubeObject } from '../src/index.js';

/** A small CRD in the shape upstream charts ship (structural schema, one served version). */
export function widgetCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.test.airspark.dev' },
    spec: {
      group: 'test.airspark.dev',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: { size: { type: 'integer', minimum: 1 }, colour: { type: 'string' } },
                },
              },
            },
          },
        },
      ],
    },
  };
}

export function widget(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'test.airspark.dev/v1', kind: 'Widget', metadata: { name, namespace }, spec };
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** A valid Deployment; `patch` replaces parts of it to make it invalid. */
export function deployment(
  name: string,
  namespaceName: string,
  patch: { spec?: Record<string, unknown>; container?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: namespaceName },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'registry.example/web:1.4.2',
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
              ...patch.container,
            },
          ],
        },
      },
      ...patch.spec,
    },
  };
}
