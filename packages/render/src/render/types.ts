import type { Finding } from '@airspark/findings';
import type { KubeObject } from './manifests.js';

/** Where a rendered object came from. */
export interface Provenance {
  /**
   * The file that produced the object: repository-relative for our own charts, kustomizations
   * and manifests; `<chart>-<version>.tgz#<chart>/templates/x.yaml` for upstream chart templates.
   */
  file: string;
  line: number;
  column: number;
  /** Whether `file` is a file of this repository (an editor can open it). */
  inRepository: boolean;
}

export type ObjectPath = readonly (string | number)[];

export interface SourceObject {
  object: KubeObject;
  source: Provenance;
  /** The object's YAML exactly as helm (or kustomize) wrote it, when known (see SplitObject.text). */
  text?: string;
  /**
   * Where a field inside the object is written, for objects that come from a YAML file of this
   * repository as they are (plain manifests, kustomize resources before patches); undefined for
   * templates, whose text is not the object.
   */
  locate?: (path: ObjectPath) => { file: string; line: number; column: number } | undefined;
}

export interface SourceRender {
  objects: SourceObject[];
  findings: Finding[];
}
