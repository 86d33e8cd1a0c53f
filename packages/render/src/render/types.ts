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

export interface SourceObject {
  object: KubeObject;
  source: Provenance;
}

export interface SourceRender {
  objects: SourceObject[];
  findings: Finding[];
}
