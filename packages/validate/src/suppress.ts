import type { Finding } from '@airspark/findings';
import { findingAt } from './finding-at.js';
import { isRecord, metadataOf, type ObjectPath, type RenderedObject } from './model.js';
import { podTemplateAnnotations } from './policies/workloads.js';
import { ruleById, rules } from './rules.js';

/**
 * The one way to accept a policy finding: an annotation on the object (or on its pod template, for
 * charts that only let you annotate pods) with one `rule: reason` per line, e.g.
 *
 *   airspark.dev/suppress: |
 *     policy/read-only-root-fs: Livy writes spark-submit scratch files under /opt/livy/work
 */
export const SUPPRESS_ANNOTATION = 'airspark.dev/suppress';

/** A reason shorter than this says nothing ("ok", "todo", "n/a"). */
export const MIN_REASON_LENGTH = 10;

export interface Suppression {
  rule: string;
  reason: string;
}

export interface ParsedSuppressions {
  suppressions: Suppression[];
  problems: string[];
}

export function parseSuppressions(value: string): ParsedSuppressions {
  const suppressions: Suppression[] = [];
  const problems: string[] = [];
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const match = /^([a-z0-9-]+\/[a-z0-9-]+)\s*:\s*(.*)$/.exec(line);
    if (!match) {
      problems.push(
        `"${line}" is not of the form "<rule>: <reason>" (e.g. "policy/read-only-root-fs: <why>").`,
      );
      continue;
    }
    const [, id = '', reason = ''] = match;
    const rule = ruleById(id);
    if (!rule) {
      problems.push(`"${id}" is no rule; see docs/validation.md for the rule ids.`);
    } else if (!rule.suppressible) {
      problems.push(`${id} cannot be suppressed; fix the cause instead.`);
    } else if (reason.trim().length < MIN_REASON_LENGTH) {
      problems.push(
        `suppressing ${id} needs a reason of at least ${MIN_REASON_LENGTH} characters that says why the policy does not apply.`,
      );
    } else {
      suppressions.push({ rule: id, reason: reason.trim() });
    }
  }
  return { suppressions, problems };
}

function annotationOf(rendered: RenderedObject): { value: string; path: ObjectPath } | undefined {
  const own = metadataOf(rendered.object).annotations;
  if (isRecord(own) && typeof own[SUPPRESS_ANNOTATION] === 'string') {
    return { value: own[SUPPRESS_ANNOTATION], path: ['metadata', 'annotations', SUPPRESS_ANNOTATION] };
  }
  const template = podTemplateAnnotations(rendered.object);
  if (template && typeof template[SUPPRESS_ANNOTATION] === 'string') {
    // The path is only used to locate the source line; the pod template's annotations are under it.
    return {
      value: template[SUPPRESS_ANNOTATION],
      path: ['spec', 'template', 'metadata', 'annotations', SUPPRESS_ANNOTATION],
    };
  }
  return undefined;
}

/**
 * Removes the findings of one object that its annotation suppresses, and reports suppressions that
 * are malformed (no reason, unknown or unsuppressible rule) or suppress nothing.
 */
export function applySuppressions(rendered: RenderedObject, findings: readonly Finding[]): Finding[] {
  const annotation = annotationOf(rendered);
  if (!annotation) return [...findings];
  const { suppressions, problems } = parseSuppressions(annotation.value);
  const out: Finding[] = problems.map((message) =>
    findingAt(rendered, {
      rule: rules.suppressionInvalid,
      message: `${SUPPRESS_ANNOTATION}: ${message}`,
      path: annotation.path,
    }),
  );
  const suppressed = new Set(suppressions.map((s) => s.rule));
  const used = new Set<string>();
  for (const finding of findings) {
    if (suppressed.has(finding.rule)) used.add(finding.rule);
    else out.push(finding);
  }
  for (const s of suppressions) {
    if (used.has(s.rule)) continue;
    out.push(
      findingAt(rendered, {
        rule: rules.suppressionUnused,
        message: `${SUPPRESS_ANNOTATION} suppresses ${s.rule}, which does not fire here any more; remove the line.`,
        path: annotation.path,
      }),
    );
  }
  return out;
}
