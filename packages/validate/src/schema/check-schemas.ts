import type { Finding } from '@airspark/findings';
import { closest } from 'fastest-levenshtein';
import { findingAt } from '../finding-at.js';
import { apiVersionOf, gvkOf, metadataOf, type RenderedObject } from '../model.js';
import { rules } from '../rules.js';
import { isTemplated } from '../spark/jinja.js';
import type { SchemaCatalog, SchemaMatch } from './catalog.js';
import type { SchemaBundle, ValidatorCache } from './compile.js';
import { describeErrors } from './describe-errors.js';
import { declaredFieldsAt, findDuplicateListEntries, type ListMapPlan, listMapPlan } from './schema-walk.js';

/** Validates rendered objects against their schemas; one instance per environment and catalog. */
export class SchemaChecker {
  private readonly plans = new Map<string, ListMapPlan | undefined>();

  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly cache: ValidatorCache,
  ) {}

  private bundleOf(match: SchemaMatch): SchemaBundle {
    return match.source === 'builtin' ? this.catalog.builtinBundle() : this.catalog.crdBundle(match.crd);
  }

  private planOf(match: SchemaMatch, bundle: SchemaBundle): ListMapPlan | undefined {
    const key = `${match.bundle}\0${match.entry}`;
    if (!this.plans.has(key))
      this.plans.set(key, listMapPlan(bundle.entries[match.entry], bundle.definitions));
    return this.plans.get(key);
  }

  /**
   * `ignoreTemplated`: skip problems at values that are Jinja placeholders (DAG templates, whose
   * values Airflow fills in at run time).
   */
  check(rendered: RenderedObject, options: { ignoreTemplated?: boolean } = {}): Finding[] {
    const { object } = rendered;
    const gvk = gvkOf(object);
    if (!gvk) {
      return [
        findingAt(rendered, {
          rule: rules.schemaMissingType,
          message: 'object has no apiVersion or kind; every Kubernetes object needs both.',
        }),
      ];
    }
    const findings: Finding[] = [];
    const metadata = metadataOf(object);
    if (!metadata.name && !(object.metadata as { generateName?: string } | undefined)?.generateName) {
      findings.push(
        findingAt(rendered, {
          rule: rules.schemaMissingType,
          message: `${object.kind} has no metadata.name.`,
          path: ['metadata'],
        }),
      );
    }
    const match = this.catalog.find(gvk);
    if (!match) {
      // A kind the API knows in another version, or a CRD's kind in a version it does not serve, is the
      // API check's to report (removed, not served); only a kind nobody knows is reported here.
      if (this.catalog.knowsKind(gvk.group, gvk.kind)) return findings;
      const known = this.catalog.kindsOfGroup(gvk.group);
      const suggestion = known.length > 0 ? closest(gvk.kind, known) : undefined;
      const hint = suggestion ? ` Did you mean ${suggestion}?` : '';
      findings.push(
        findingAt(rendered, {
          rule: rules.schemaUnknownKind,
          message: `no schema for ${gvk.kind} (${apiVersionOf(gvk)}): neither a Kubernetes ${this.catalog.api.minor} kind nor a CRD rendered in this environment or pinned in packages/validate/schemas.${hint} Otherwise render the chart that ships its CRD, or add the CRD's release to schemas/sources.json.`,
          path: ['kind'],
        }),
      );
      return findings;
    }
    const bundle = this.bundleOf(match);
    const validate = this.cache.get(bundle)[match.entry];
    if (validate && !validate(object)) {
      const entrySchema = bundle.entries[match.entry];
      const problems = describeErrors(validate.errors ?? [], object, (path) =>
        declaredFieldsAt(entrySchema, path, bundle.definitions),
      );
      for (const problem of problems) {
        if (options.ignoreTemplated && isTemplated(valueAt(object, problem.path))) continue;
        findings.push(
          findingAt(rendered, {
            rule: problem.kind === 'unknown-field' ? rules.schemaUnknownField : rules.schemaInvalid,
            message: `${problem.message} (${gvk.kind} ${apiVersionOf(gvk)}, ${describeSource(match, this.catalog)})`,
            path: problem.path,
          }),
        );
      }
    }
    for (const duplicate of findDuplicateListEntries(object, this.planOf(match, bundle))) {
      findings.push(
        findingAt(rendered, {
          rule: rules.schemaDuplicateKey,
          message: `entry ${duplicate.key} appears twice in this list (first at index ${duplicate.firstIndex}); the API server rejects or merges duplicates. Remove one.`,
          path: duplicate.path,
        }),
      );
    }
    return findings;
  }
}

function describeSource(match: SchemaMatch, catalog: SchemaCatalog): string {
  return match.source === 'builtin' ? `Kubernetes ${catalog.api.release}` : `CRD from ${match.crd.origin}`;
}

function valueAt(object: unknown, path: readonly (string | number)[]): unknown {
  let node = object;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
