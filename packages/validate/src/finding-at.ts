import type { Finding, Severity } from '@airspark/findings';
import { type ObjectPath, type RenderedObject, resourceName, type SourceLocation } from './model.js';
import type { Rule } from './rules.js';

/**
 * The source position of a value inside a rendered object: the renderer's answer for the path, or
 * for its nearest ancestor it knows, or where the object as a whole came from. An object rendered
 * from an upstream chart's template is reported at the last repository file that configures it (the
 * environment's values file): that is the file a user can change.
 */
export function locationOf(rendered: RenderedObject, path: ObjectPath): SourceLocation {
  if (rendered.locate) {
    for (let length = path.length; length >= 0; length--) {
      const found = rendered.locate(path.slice(0, length));
      if (found) return found;
    }
  }
  const configuredBy = rendered.configuredBy?.at(-1);
  if (rendered.source.inRepository === false && configuredBy)
    return { file: configuredBy, line: 0, column: 0 };
  const { file, line, column } = rendered.source;
  return { file, line, column };
}

/** Renders `['spec', 'containers', 0, 'image']` as `spec.containers[0].image`. */
export function dottedPath(path: ObjectPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(the object)' : out;
}

export interface FindingSpec {
  rule: Rule;
  message: string;
  /** Where in the object; decides the source line through `locate`. */
  path?: ObjectPath;
  /** Overrides the rule's default severity. */
  severity?: Severity;
}

/** A finding about a rendered object, pointing at the source that produced the offending value. */
export function findingAt(rendered: RenderedObject, spec: FindingSpec): Finding {
  const at = locationOf(rendered, spec.path ?? []);
  // Name the upstream template too when the finding points at the values file that configures it.
  const template =
    at.file !== rendered.source.file && rendered.source.inRepository === false
      ? ` [template ${rendered.source.file}]`
      : '';
  return {
    severity: spec.severity ?? spec.rule.severity,
    rule: spec.rule.id,
    message: `${spec.message}${template}`,
    file: at.file,
    line: at.line,
    column: at.column,
    env: rendered.env,
    app: rendered.app,
    resource: resourceName(rendered.object),
  };
}
