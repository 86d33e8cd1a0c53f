import { isRecord, type ObjectPath } from '../model.js';
import { containersOf, podSpecOf } from './workloads.js';

/** One container of a pod as the security checks see it, with where it is written. */
export interface ContainerView {
  name: string;
  securityContext: Record<string, unknown>;
  /** Path of the container's securityContext in the object. */
  securityContextPath: ObjectPath;
}

/**
 * A pod as the pod-security checks see it, whether a workload's pod template or a Spark driver or
 * executor that the Spark Operator will create from a SparkApplication (DAG templates included):
 * the same Pod Security Standard applies to both in the team namespaces.
 */
export interface PodView {
  /** `pod`, `driver`, `executor`: for messages. */
  role: string;
  podSecurityContext: Record<string, unknown>;
  podSecurityContextPath: ObjectPath;
  containers: ContainerView[];
  volumes: { volume: Record<string, unknown>; path: ObjectPath }[];
  /** hostNetwork / hostPID / hostIPC flags set to true. */
  hostNamespaces: { field: string; path: ObjectPath }[];
}

const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

function volumesAt(list: unknown, base: ObjectPath): PodView['volumes'] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((volume, index) => (isRecord(volume) ? [{ volume, path: [...base, index] }] : []));
}

/** The pod of a built-in workload (Deployment, Job, ...). */
function workloadView(object: Record<string, unknown>): PodView | undefined {
  const site = podSpecOf(object);
  if (!site) return undefined;
  return {
    role: 'pod',
    podSecurityContext: record(site.spec.securityContext),
    podSecurityContextPath: [...site.path, 'securityContext'],
    containers: containersOf(site).map((c) => ({
      name: c.name,
      securityContext: record(c.container.securityContext),
      securityContextPath: [...c.path, 'securityContext'],
    })),
    volumes: volumesAt(site.spec.volumes, [...site.path, 'volumes']),
    hostNamespaces: ['hostNetwork', 'hostPID', 'hostIPC']
      .filter((f) => site.spec[f] === true)
      .map((field) => ({ field, path: [...site.path, field] })),
  };
}

/** The driver and executor pods of a SparkApplication (or a ScheduledSparkApplication's template). */
function sparkViews(object: Record<string, unknown>): PodView[] {
  const scheduled = object.kind === 'ScheduledSparkApplication';
  const base: ObjectPath = scheduled ? ['spec', 'template'] : ['spec'];
  const spec = scheduled ? record(record(object.spec).template) : record(object.spec);
  // spec.volumes are mounted into driver and executor alike (volumeMounts decide which use them).
  const volumes = volumesAt(spec.volumes, [...base, 'volumes']);
  return (['driver', 'executor'] as const).map((role) => {
    const pod = record(spec[role]);
    const at = [...base, role];
    const containers: ContainerView[] = [
      {
        name: role,
        securityContext: record(pod.securityContext),
        securityContextPath: [...at, 'securityContext'],
      },
    ];
    for (const list of ['initContainers', 'sidecars']) {
      const entries = pod[list];
      if (!Array.isArray(entries)) continue;
      entries.forEach((c, index) => {
        if (!isRecord(c)) return;
        containers.push({
          name: typeof c.name === 'string' ? c.name : `${list}[${index}]`,
          securityContext: record(c.securityContext),
          securityContextPath: [...at, list, index, 'securityContext'],
        });
      });
    }
    return {
      role,
      podSecurityContext: record(pod.podSecurityContext),
      podSecurityContextPath: [...at, 'podSecurityContext'],
      containers,
      volumes,
      hostNamespaces:
        pod.hostNetwork === true ? [{ field: 'hostNetwork', path: [...at, 'hostNetwork'] }] : [],
    };
  });
}

export function isSparkApplication(object: Record<string, unknown>): boolean {
  return (
    (object.kind === 'SparkApplication' || object.kind === 'ScheduledSparkApplication') &&
    typeof object.apiVersion === 'string' &&
    object.apiVersion.startsWith('sparkoperator.k8s.io/')
  );
}

/** Every pod an object makes: a workload's pod template, or a SparkApplication's driver and executor. */
export function podViewsOf(object: Record<string, unknown>): PodView[] {
  if (isSparkApplication(object)) return sparkViews(object);
  const view = workloadView(object);
  return view ? [view] : [];
}
