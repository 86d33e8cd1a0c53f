import { parseLines } from 'dot-properties';
import { isRequirement, type Toleration } from '../crossref/node-pools.js';
import type { NodeSelectorRequirement } from '../crossref/node-requirements.js';
import { isRecord, type ObjectPath, type RenderedObject } from '../model.js';
import { isTemplated } from './jinja.js';

export type SparkRole = 'driver' | 'executor';

/** Where a Spark driver or executor pod will be placed, whichever way it is configured. */
export interface SparkPodPlacement {
  role: SparkRole;
  /** What configures it, for messages: `SparkApplication spark-team-a/pi`, `Livy spark-defaults.conf`. */
  origin: string;
  rendered: RenderedObject;
  /** Path of the configuration in the object (for the source line). */
  path: ObjectPath;
  nodeSelector: Record<string, string>;
  /** Required node affinity: any one term (its expressions all together) must hold. */
  requiredTerms?: NodeSelectorRequirement[][];
  tolerations: Toleration[];
}

const SELECTOR_PREFIXES: Record<string, SparkRole[]> = {
  'spark.kubernetes.node.selector.': ['driver', 'executor'],
  'spark.kubernetes.driver.node.selector.': ['driver'],
  'spark.kubernetes.executor.node.selector.': ['executor'],
};

/** Node selectors that Spark's own configuration (`spark.kubernetes.*.node.selector.*`) sets. */
export function selectorsFromSparkConf(
  conf: Record<string, unknown>,
): Record<SparkRole, Record<string, string>> {
  const out: Record<SparkRole, Record<string, string>> = { driver: {}, executor: {} };
  // The generic prefix first, so that the role-specific ones win (Spark merges them the same way).
  const ordered = Object.entries(conf).sort(([a], [b]) => a.length - b.length);
  for (const [key, value] of ordered) {
    for (const [prefix, roles] of Object.entries(SELECTOR_PREFIXES)) {
      if (!key.startsWith(prefix)) continue;
      const label = key.slice(prefix.length);
      if (label === '' || prefix.length < longestMatchingPrefix(key)) continue;
      for (const role of roles) out[role][label] = String(value);
    }
  }
  return out;
}

function longestMatchingPrefix(key: string): number {
  return Math.max(...Object.keys(SELECTOR_PREFIXES).map((p) => (key.startsWith(p) ? p.length : 0)));
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

function requiredTermsOf(affinity: unknown): NodeSelectorRequirement[][] | undefined {
  if (!isRecord(affinity) || !isRecord(affinity.nodeAffinity)) return undefined;
  const required = affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (!isRecord(required) || !Array.isArray(required.nodeSelectorTerms)) return undefined;
  return required.nodeSelectorTerms.map((term) =>
    isRecord(term) && Array.isArray(term.matchExpressions) ? term.matchExpressions.filter(isRequirement) : [],
  );
}

function tolerationsOf(value: unknown): Toleration[] {
  return Array.isArray(value) ? (value.filter(isRecord) as Toleration[]) : [];
}

/** Drops constraints whose value is a Jinja expression: they are decided at run time. */
function withoutTemplated(selector: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(selector).filter(([k, v]) => !isTemplated(k) && !isTemplated(v)));
}

/** Driver and executor placement of a SparkApplication (or a ScheduledSparkApplication's template). */
export function sparkApplicationPlacements(rendered: RenderedObject, origin: string): SparkPodPlacement[] {
  const o = rendered.object;
  let spec: unknown = o.spec;
  let base: ObjectPath = ['spec'];
  if (o.kind === 'ScheduledSparkApplication') {
    spec = isRecord(spec) ? spec.template : undefined;
    base = ['spec', 'template'];
  }
  if (!isRecord(spec)) return [];
  const conf = isRecord(spec.sparkConf)
    ? selectorsFromSparkConf(spec.sparkConf)
    : { driver: {}, executor: {} };
  const common = stringMap(spec.nodeSelector);
  return (['driver', 'executor'] as const).map((role) => {
    const pod = isRecord(spec[role]) ? spec[role] : {};
    // Point at what decides placement: the pod's nodeSelector, else its affinity, else the pod block.
    const decisive =
      pod.nodeSelector !== undefined ? ['nodeSelector'] : pod.affinity !== undefined ? ['affinity'] : [];
    const placement: SparkPodPlacement = {
      role,
      origin,
      rendered,
      path: [...base, role, ...decisive],
      nodeSelector: withoutTemplated({ ...conf[role], ...common, ...stringMap(pod.nodeSelector) }),
      tolerations: tolerationsOf(pod.tolerations),
    };
    const terms = requiredTermsOf(pod.affinity);
    if (terms) placement.requiredTerms = terms;
    return placement;
  });
}

export const SPARK_DEFAULTS_KEY = 'spark-defaults.conf';

/** Driver and executor placement that a Livy ConfigMap's spark-defaults.conf imposes on batches. */
export function sparkDefaultsPlacements(rendered: RenderedObject): SparkPodPlacement[] {
  const data = isRecord(rendered.object.data) ? rendered.object.data : {};
  const text = data[SPARK_DEFAULTS_KEY];
  if (typeof text !== 'string') return [];
  const conf = parseSparkDefaults(text);
  const selectors = selectorsFromSparkConf(conf);
  const name = `${rendered.object.kind} ${(rendered.object.metadata as { name?: string } | undefined)?.name ?? ''}`;
  return (['driver', 'executor'] as const).map((role) => ({
    role,
    origin: `${SPARK_DEFAULTS_KEY} of ${name}`,
    rendered,
    path: ['data', SPARK_DEFAULTS_KEY],
    nodeSelector: selectors[role],
    tolerations: [],
  }));
}

/**
 * spark-defaults.conf is a Java properties file (Spark loads it with java.util.Properties): keys and
 * values separated by whitespace, `=` or `:`.
 */
export function parseSparkDefaults(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of parseLines(text)) {
    if (Array.isArray(line) && line[0] !== undefined) out[line[0]] = line[1] ?? '';
  }
  return out;
}
