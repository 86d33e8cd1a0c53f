import path from 'node:path';
import {
  CLUSTERS_DIR,
  checkAgainstSchema,
  createAjv,
  parseYaml,
  positionOf,
  readSourceText,
  type YamlSource,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import { closest } from 'fastest-levenshtein';
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq } from 'yaml';
import type { PromotablePin } from './promotable-pins.js';

/**
 * The release log: for every pin ordered by `recorded` order, the values that entered the promotion
 * chain, oldest first. `pnpm promote` appends to it; see docs/adr/promotion-order.md for why the
 * order is recorded in a file rather than read from git history or from the tags themselves.
 */
export const RELEASE_LOG_FILE = `${CLUSTERS_DIR}/releases.yaml`;

export interface ReleaseLog {
  /** Repository-relative path. */
  file: string;
  /** Whether the file exists; an absent log is an empty one. */
  present: boolean;
  releases: ReadonlyMap<string, readonly string[]>;
  source?: YamlSource;
}

export const emptyReleaseLog: ReleaseLog = { file: RELEASE_LOG_FILE, present: false, releases: new Map() };

const releaseLogSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'releases'],
  properties: {
    apiVersion: { const: 'airspark.dev/v1alpha1' },
    kind: { const: 'ReleaseLog' },
    releases: {
      type: 'object',
      description: 'Pin path → the values released through the promotion chain, oldest first.',
      additionalProperties: {
        type: 'array',
        items: { type: 'string', minLength: 1, description: 'Quote values YAML would read as numbers.' },
      },
    },
  },
} as const;

let validator: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

/** Pure: the release log in a text, checked against its schema and against the pins it may name. */
export function parseReleaseLog(
  text: string,
  pins: readonly PromotablePin[],
  file = RELEASE_LOG_FILE,
): { log: ReleaseLog; findings: Finding[] } {
  const parsed = parseYaml(file, text);
  if (!parsed.ok) return { log: { ...emptyReleaseLog, file, present: true }, findings: parsed.findings };
  validator ??= createAjv().compile(releaseLogSchema);
  const schemaFindings = checkAgainstSchema(parsed.source, validator, 'promotion/release-log');
  if (schemaFindings.length > 0) {
    return { log: { ...emptyReleaseLog, file, present: true }, findings: schemaFindings };
  }
  const findings: Finding[] = [];
  const recordedPins = pins.filter((p) => p.order === 'recorded').map((p) => p.id);
  const semverPins = new Set(pins.filter((p) => p.order === 'semver').map((p) => p.id));
  const releases = new Map<string, string[]>();
  const value = parsed.source.value as { releases: Record<string, string[]> };
  for (const [pin, values] of Object.entries(value.releases)) {
    const at = positionOf(parsed.source, ['releases', pin], { key: true });
    if (semverPins.has(pin)) {
      findings.push({
        severity: 'warning',
        rule: 'promotion/release-log',
        message: `${pin} is ordered by semantic version, so its release list is ignored; remove it.`,
        file,
        ...at,
      });
      continue;
    }
    if (!recordedPins.includes(pin)) {
      const hint = recordedPins.length > 0 ? ` Did you mean "${closest(pin, recordedPins)}"?` : '';
      findings.push({
        severity: 'error',
        rule: 'promotion/release-log',
        message: `"${pin}" is not a promotable pin ordered by release.${hint} Pins: ${recordedPins.join(', ')}.`,
        file,
        ...at,
      });
      continue;
    }
    const seen = new Set<string>();
    values.forEach((v, index) => {
      if (seen.has(v)) {
        findings.push({
          severity: 'error',
          rule: 'promotion/release-log',
          message: `"${v}" is listed twice under ${pin}, so its place in the order is ambiguous; keep only the first.`,
          file,
          ...positionOf(parsed.source, ['releases', pin, String(index)]),
        });
      }
      seen.add(v);
    });
    releases.set(pin, values);
  }
  return { log: { file, present: true, releases, source: parsed.source }, findings };
}

/** Reads clusters/releases.yaml; an absent file is an empty log, not a problem. */
export async function loadReleaseLog(
  root: string,
  pins: readonly PromotablePin[],
): Promise<{ log: ReleaseLog; findings: Finding[]; text?: string }> {
  const read = await readSourceText(path.join(root, RELEASE_LOG_FILE), RELEASE_LOG_FILE);
  if (!read.ok) {
    if (read.finding.rule === 'config/file-missing') return { log: emptyReleaseLog, findings: [] };
    return { log: emptyReleaseLog, findings: [read.finding] };
  }
  return { ...parseReleaseLog(read.text, pins), text: read.text };
}

/** Position of a value in the log (0 = oldest), or undefined when it was never recorded. */
export function recordedIndex(log: ReleaseLog, pin: string, value: string): number | undefined {
  const index = log.releases.get(pin)?.indexOf(value) ?? -1;
  return index === -1 ? undefined : index;
}

const header = `# The release log: for each promotable pin ordered by release (image tags, the DAG revision, the AMI
# alias: what the schema does not order by semantic version), the values released through the
# promotion chain, oldest first. \`pnpm promote\` appends to it; the
# promotion check in \`pnpm validate\` reads it to tell whether an environment is ahead of the one it
# is promoted from. Append only; see docs/promotion.md.
apiVersion: airspark.dev/v1alpha1
kind: ReleaseLog
releases: {}
`;

export interface Release {
  pin: string;
  value: string;
}

/**
 * Pure: the text of the log with `additions` appended (each at the end of its pin's list), comments
 * kept. `text` undefined starts a new log.
 */
export function appendReleases(text: string | undefined, additions: readonly Release[]): string {
  const doc = parseDocument(text ?? header);
  if (doc.errors.length > 0) throw new Error(`${RELEASE_LOG_FILE} does not parse: ${doc.errors[0]?.message}`);
  let releases = doc.get('releases', true);
  if (!isMap(releases)) {
    doc.set('releases', doc.createNode({}));
    releases = doc.get('releases', true);
  }
  if (isMap(releases) && releases.items.length === 0) releases.flow = false;
  for (const { pin, value } of additions) {
    let list = doc.getIn(['releases', pin], true);
    if (!isSeq(list)) {
      list = new YAMLSeq();
      doc.setIn(['releases', pin], list);
    }
    if (isSeq(list) && !list.items.some((item) => isScalar(item) && String(item.value) === value)) {
      list.add(doc.createNode(value));
    }
  }
  return doc.toString();
}
