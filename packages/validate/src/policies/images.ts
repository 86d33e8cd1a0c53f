import type { Finding } from '@airspark/findings';
import { findingAt } from '../finding-at.js';
import { isRecord, type ObjectPath, type RenderedObject } from '../model.js';
import { rules } from '../rules.js';
import { isTemplated } from '../spark/jinja.js';
import { containersOf, podSpecOf } from './workloads.js';

export interface ImageReference {
  /** Registry and repository, e.g. `docker.io/apache/spark`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits `registry:5000/repo/name:tag@sha256:…`; the tag is after the last `:` of the last path part. */
export function parseImage(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const out: ImageReference = { repository: rest };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** Why an image reference is not pinned; undefined when it is. */
export function unpinnedReason(image: string): string | undefined {
  const ref = parseImage(image);
  if (ref.digest) return undefined;
  if (ref.tag === undefined || ref.tag === '') return 'has no tag, so it means `latest`';
  if (ref.tag === 'latest') return 'is tagged `latest`';
  return undefined;
}

interface ImageSite {
  image: string;
  path: ObjectPath;
  what: string;
}

function sparkImages(object: Record<string, unknown>): ImageSite[] {
  let spec: unknown = object.spec;
  let base: ObjectPath = ['spec'];
  if (object.kind === 'ScheduledSparkApplication') {
    spec = isRecord(spec) ? spec.template : undefined;
    base = ['spec', 'template'];
  }
  if (!isRecord(spec)) return [];
  const sites: ImageSite[] = [];
  if (typeof spec.image === 'string')
    sites.push({ image: spec.image, path: [...base, 'image'], what: 'spec.image' });
  for (const role of ['driver', 'executor']) {
    const pod = spec[role];
    if (isRecord(pod) && typeof pod.image === 'string')
      sites.push({ image: pod.image, path: [...base, role, 'image'], what: `the ${role} image` });
  }
  return sites;
}

function imagesOf(object: Record<string, unknown>): ImageSite[] {
  if (object.kind === 'SparkApplication' || object.kind === 'ScheduledSparkApplication')
    return sparkImages(object);
  const site = podSpecOf(object);
  if (!site) return [];
  return containersOf(site).flatMap((c) =>
    typeof c.container.image === 'string'
      ? [{ image: c.container.image, path: [...c.path, 'image'], what: `container "${c.name}"` }]
      : [],
  );
}

/** policy/pinned-image: every image names a version (tag other than `latest`) or a digest. */
export function checkPinnedImages(rendered: RenderedObject): Finding[] {
  const findings: Finding[] = [];
  for (const site of imagesOf(rendered.object)) {
    if (isTemplated(site.image)) continue;
    const reason = unpinnedReason(site.image);
    if (!reason) continue;
    findings.push(
      findingAt(rendered, {
        rule: rules.pinnedImage,
        message: `${site.what} uses image "${site.image}", which ${reason}; pin a version tag (or a digest) so that every sync runs the same code.`,
        path: site.path,
      }),
    );
  }
  return findings;
}
