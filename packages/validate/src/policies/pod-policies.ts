import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, type RenderedObject } from '../model.js';
import { rules } from '../rules.js';
import { type ContainerSite, containersOf, type PodSpecSite, podSpecOf } from './workloads.js';

function securityContext(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function forEachContainer(
  rendered: RenderedObject,
  check: (site: PodSpecSite, container: ContainerSite) => Finding | undefined,
  lists: readonly string[] = ['initContainers', 'containers'],
): Finding[] {
  const site = podSpecOf(rendered.object);
  if (!site) return [];
  return containersOf(site)
    .filter((c) => lists.includes(c.list))
    .flatMap((c) => check(site, c) ?? []);
}

/** policy/resources: CPU and memory requests (for scheduling) and a memory limit (against OOM sprawl). */
export function checkResources(rendered: RenderedObject): Finding[] {
  return forEachContainer(rendered, (_site, c) => {
    const resources = isRecord(c.container.resources) ? c.container.resources : {};
    const requests = isRecord(resources.requests) ? resources.requests : {};
    const limits = isRecord(resources.limits) ? resources.limits : {};
    const missing = [
      requests.cpu === undefined && 'requests.cpu',
      requests.memory === undefined && 'requests.memory',
      limits.memory === undefined && 'limits.memory',
    ].filter((m): m is string => typeof m === 'string');
    if (missing.length === 0) return undefined;
    return findingAt(rendered, {
      rule: rules.resources,
      message: `container "${c.name}" sets no ${missing.join(', ')}; without requests the scheduler and Karpenter size nodes blindly, without a memory limit one leak starves its neighbours.`,
      path: [...c.path, 'resources'],
    });
  });
}

/** policy/run-as-non-root: runAsNonRoot true, or a non-zero runAsUser, for every container. */
export function checkRunAsNonRoot(rendered: RenderedObject): Finding[] {
  return forEachContainer(rendered, (site, c) => {
    const pod = securityContext(site.spec.securityContext);
    const own = securityContext(c.container.securityContext);
    const nonRoot = own.runAsNonRoot ?? pod.runAsNonRoot;
    const user = own.runAsUser ?? pod.runAsUser;
    if (user === 0) {
      return findingAt(rendered, {
        rule: rules.runAsNonRoot,
        message: `container "${c.name}" runs as user 0 (root); set runAsUser to the image's unprivileged user and runAsNonRoot: true.`,
        path: [...c.path, 'securityContext'],
      });
    }
    if (nonRoot === true || (typeof user === 'number' && user > 0)) return undefined;
    return findingAt(rendered, {
      rule: rules.runAsNonRoot,
      message: `container "${c.name}" may run as root: set securityContext.runAsNonRoot: true (pod or container) so the kubelet refuses a root image.`,
      path: [...c.path, 'securityContext'],
    });
  });
}

/** policy/privileged: no container runs privileged. */
export function checkPrivileged(rendered: RenderedObject): Finding[] {
  return forEachContainer(
    rendered,
    (_site, c) =>
      securityContext(c.container.securityContext).privileged === true
        ? findingAt(rendered, {
            rule: rules.privileged,
            message: `container "${c.name}" is privileged: it has every capability and the host's devices. Remove privileged and grant only the capabilities it needs.`,
            path: [...c.path, 'securityContext', 'privileged'],
          })
        : undefined,
    ['initContainers', 'containers', 'ephemeralContainers'],
  );
}

/** policy/privilege-escalation: allowPrivilegeEscalation is explicitly false (its default is true). */
export function checkPrivilegeEscalation(rendered: RenderedObject): Finding[] {
  return forEachContainer(rendered, (_site, c) =>
    securityContext(c.container.securityContext).allowPrivilegeEscalation === false
      ? undefined
      : findingAt(rendered, {
          rule: rules.privilegeEscalation,
          message: `container "${c.name}" does not set securityContext.allowPrivilegeEscalation: false; setuid binaries could gain privileges.`,
          path: [...c.path, 'securityContext'],
        }),
  );
}

/** policy/read-only-root-fs: readOnlyRootFilesystem true; writable paths come from volumes. */
export function checkReadOnlyRootFs(rendered: RenderedObject): Finding[] {
  return forEachContainer(rendered, (_site, c) =>
    securityContext(c.container.securityContext).readOnlyRootFilesystem === true
      ? undefined
      : findingAt(rendered, {
          rule: rules.readOnlyRootFs,
          message: `container "${c.name}" has a writable root filesystem; set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it writes, or suppress with the reason it cannot.`,
          path: [...c.path, 'securityContext'],
        }),
  );
}

/** policy/host-namespaces: no hostNetwork, hostPID or hostIPC. */
export function checkHostNamespaces(rendered: RenderedObject): Finding[] {
  const site = podSpecOf(rendered.object);
  if (!site) return [];
  return (['hostNetwork', 'hostPID', 'hostIPC'] as const)
    .filter((field) => site.spec[field] === true)
    .map((field) =>
      findingAt(rendered, {
        rule: rules.hostNamespaces,
        message: `pod sets ${field}: true and shares the node's ${field.slice(4)} namespace; remove it.`,
        path: [...site.path, field],
      }),
    );
}

/** policy/host-path: no hostPath volumes. */
export function checkHostPath(rendered: RenderedObject): Finding[] {
  const site = podSpecOf(rendered.object);
  if (!site || !Array.isArray(site.spec.volumes)) return [];
  const findings: Finding[] = [];
  site.spec.volumes.forEach((volume, index) => {
    if (!isRecord(volume) || volume.hostPath === undefined) return;
    const hostPath = isRecord(volume.hostPath) ? String(volume.hostPath.path ?? '') : '';
    findings.push(
      findingAt(rendered, {
        rule: rules.hostPath,
        message: `volume "${String(volume.name ?? index)}" mounts the node's ${hostPath || 'filesystem'} (hostPath); use an emptyDir, a PVC or a projected volume.`,
        path: [...site.path, 'volumes', index, 'hostPath'],
      }),
    );
  });
  return findings;
}
