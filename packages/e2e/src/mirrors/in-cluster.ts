// How pods reach the servers on the host: a Service without a selector per mirror, whose
// EndpointSlice points at the node's address and the server's port. The local environment's
// mirrors name these Services (clusters/local/environment.yaml), so its files never carry a port.
import type { KubeObject } from '@airspark/kube';

export const MIRRORS_NAMESPACE = 'airspark-mirrors';

export interface HostEndpoint {
  /** The Service's name: `charts` or `git`. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export function mirrorServiceObjects(endpoints: readonly HostEndpoint[]): KubeObject[] {
  const labels = { 'app.kubernetes.io/part-of': 'airspark-e2e' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MIRRORS_NAMESPACE, labels } },
    ...endpoints.flatMap((e): KubeObject[] => [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: e.name, namespace: MIRRORS_NAMESPACE, labels },
        spec: { ports: [{ name: 'http', port: 80, targetPort: e.port, protocol: 'TCP' }] },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${e.name}-host`,
          namespace: MIRRORS_NAMESPACE,
          labels: { ...labels, 'kubernetes.io/service-name': e.name },
        },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: e.port, protocol: 'TCP' }],
        endpoints: [{ addresses: [e.address], conditions: { ready: true } }],
      },
    ]),
  ];
}
