import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import type { RenderedObject } from '../model.js';
import { rules } from '../rules.js';
import { isSparkApplication, type PodView, podViewsOf } from './pod-views.js';

/**
 * Capabilities the Pod Security Standard "restricted" lets a container add (the team namespaces
 * enforce it): only NET_BIND_SERVICE. Anything else is refused at admission, or, in a namespace
 * that does not enforce it, widens what a compromised container can do to the node.
 */
const ALLOWED_ADDED_CAPABILITIES = new Set(['NET_BIND_SERVICE']);

/** policy/capabilities: no container adds a capability beyond NET_BIND_SERVICE (workloads and Spark pods). */
export function checkAddedCapabilities(rendered: RenderedObject): Finding[] {
  const findings: Finding[] = [];
  for (const pod of podViewsOf(rendered.object)) {
    for (const c of pod.containers) {
      const capabilities = c.securityContext.capabilities;
      const add =
        capabilities &&
        typeof capabilities === 'object' &&
        Array.isArray((capabilities as { add?: unknown }).add)
          ? ((capabilities as { add: unknown[] }).add.map(String) as string[])
          : [];
      const extra = add.filter((cap) => !ALLOWED_ADDED_CAPABILITIES.has(cap.replace(/^CAP_/, '')));
      if (extra.length === 0) continue;
      findings.push(
        findingAt(rendered, {
          rule: rules.capabilities,
          message: `container "${c.name}"${where(pod)} adds capabilities ${extra.join(', ')}; the restricted Pod Security Standard allows only NET_BIND_SERVICE. Drop the capability or suppress with the reason.`,
          path: [...c.securityContextPath, 'capabilities', 'add'],
        }),
      );
    }
  }
  return findings;
}

function where(pod: PodView): string {
  return pod.role === 'pod' ? '' : ` of the Spark ${pod.role}`;
}

/**
 * The pod-security policies for the driver and executor pods of SparkApplications and DAG templates:
 * privileged, host namespaces, host paths and root users. The Spark Operator creates these pods in
 * the team namespaces, whose Pod Security admission would reject them at run time, long after merge.
 */
export function checkSparkPodSecurity(rendered: RenderedObject): Finding[] {
  if (!isSparkApplication(rendered.object)) return [];
  const findings: Finding[] = [];
  const hostPathsReported = new Set<string>();
  for (const pod of podViewsOf(rendered.object)) {
    const role = `the Spark ${pod.role}`;
    for (const c of pod.containers) {
      if (c.securityContext.privileged === true)
        findings.push(
          findingAt(rendered, {
            rule: rules.privileged,
            message: `container "${c.name}" of ${role} is privileged: it has every capability and the host's devices, and the team namespace's Pod Security admission rejects it. Remove privileged.`,
            path: [...c.securityContextPath, 'privileged'],
          }),
        );
      const user = c.securityContext.runAsUser ?? pod.podSecurityContext.runAsUser;
      const nonRoot = c.securityContext.runAsNonRoot ?? pod.podSecurityContext.runAsNonRoot;
      if (user === 0 || nonRoot === false)
        findings.push(
          findingAt(rendered, {
            rule: rules.runAsNonRoot,
            message: `container "${c.name}" of ${role} runs as root (${user === 0 ? 'runAsUser: 0' : 'runAsNonRoot: false'}); the Spark images run as user 185: set runAsUser: 185 and runAsNonRoot: true.`,
            path:
              c.securityContext.runAsUser === 0 || c.securityContext.runAsNonRoot === false
                ? c.securityContextPath
                : pod.podSecurityContextPath,
          }),
        );
      else if (nonRoot !== true && !(typeof user === 'number' && user > 0))
        findings.push(
          findingAt(rendered, {
            rule: rules.runAsNonRoot,
            message: `container "${c.name}" of ${role} may run as root: set securityContext.runAsNonRoot: true (the team namespaces enforce the restricted Pod Security Standard).`,
            path: c.securityContextPath,
          }),
        );
    }
    for (const h of pod.hostNamespaces)
      findings.push(
        findingAt(rendered, {
          rule: rules.hostNamespaces,
          message: `${role} sets ${h.field}: true and shares the node's namespace; remove it.`,
          path: h.path,
        }),
      );
    for (const { volume, path } of pod.volumes) {
      if (volume.hostPath === undefined) continue;
      const key = path.join('.');
      if (hostPathsReported.has(key)) continue; // spec.volumes are shared by driver and executor
      hostPathsReported.add(key);
      findings.push(
        findingAt(rendered, {
          rule: rules.hostPath,
          message: `volume "${String(volume.name ?? '')}" of the SparkApplication mounts the node's filesystem (hostPath); use an emptyDir, a PVC or a projected volume.`,
          path: [...path, 'hostPath'],
        }),
      );
    }
  }
  return findings;
}
