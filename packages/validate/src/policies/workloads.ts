import { isRecord, type ObjectPath } from '../model.js';

/** A pod spec inside a workload object, and where it sits. */
export interface PodSpecSite {
  spec: Record<string, unknown>;
  path: ObjectPath;
}

/** Where each workload kind keeps its pod spec. */
const podSpecPaths: Record<string, readonly string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function at(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const segment of path) {
    if (!isRecord(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/** The pod spec of a built-in workload; undefined for other kinds. */
export function podSpecOf(object: Record<string, unknown>): PodSpecSite | undefined {
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const path = podSpecPaths[kind];
  if (!path) return undefined;
  const spec = at(object, path);
  return isRecord(spec) ? { spec, path } : undefined;
}

/** The pod template's metadata (for annotations on pods), when the workload has a template. */
export function podTemplateAnnotations(object: Record<string, unknown>): Record<string, unknown> | undefined {
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const path = podSpecPaths[kind];
  if (!path || path.length < 2) return undefined;
  const annotations = at(object, [...path.slice(0, -1), 'metadata', 'annotations']);
  return isRecord(annotations) ? annotations : undefined;
}

export interface ContainerSite {
  container: Record<string, unknown>;
  path: ObjectPath;
  name: string;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  list: string;
}

/** Every container of a pod spec, init containers included. */
export function containersOf(site: PodSpecSite): ContainerSite[] {
  const out: ContainerSite[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const containers = site.spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, index) => {
      if (!isRecord(container)) return;
      out.push({
        container,
        path: [...site.path, list, index],
        name: typeof container.name === 'string' ? container.name : `#${index}`,
        list,
      });
    });
  }
  return out;
}
