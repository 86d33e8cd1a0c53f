import {
  type Block,
  blocks,
  elements,
  isBlock,
  type SynthesizedStack,
  stringList,
  type TerraformElement,
} from './synthesized-stack.js';

/** One IAM policy statement, normalised from either policy JSON or an `aws_iam_policy_document`. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  /** `NotAction` / `not_actions` present: the statement covers every action but those listed. */
  notActions: boolean;
  /** Undefined in trust policies, which name principals instead of resources. */
  resources?: string[];
  /** `NotResource` / `not_resources` present. */
  notResources: boolean;
  /** Flattened conditions: `{ "Bool": { "aws:SecureTransport": "false" } }` → operator, key, values. */
  conditions: Condition[];
  /** 0-based position in its document, for messages when there is no Sid. */
  index: number;
}

export interface Condition {
  operator: string;
  key: string;
  values: string[];
}

const conditionValues = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map((v) => String(v));

/** A policy found in a stack: where it is, and its statements or why they cannot be read. */
export interface PolicyDocumentSite {
  element: TerraformElement;
  /** `policy`, `assume_role_policy`, `inline_policy[0].policy`, or `statement` for a data document. */
  attribute: string;
  /** Key policies (KMS) use Resource "*" to mean "this key"; a wildcard there is not a wildcard. */
  resourceIsSelf: boolean;
  statements: Statement[];
  /** Set when the policy is an expression the checks cannot evaluate. */
  unreadable?: string;
}

const keyPolicyTypes = new Set(['aws_kms_key', 'aws_kms_replica_key', 'aws_kms_external_key']);

function statementFromJson(raw: Block, index: number): Statement {
  const has = (key: string) => raw[key] !== undefined;
  const conditions: Condition[] = [];
  if (isBlock(raw.Condition)) {
    for (const [operator, keys] of Object.entries(raw.Condition)) {
      if (!isBlock(keys)) continue;
      for (const [key, value] of Object.entries(keys))
        conditions.push({ operator, key, values: conditionValues(value) });
    }
  }
  return {
    ...(typeof raw.Sid === 'string' && raw.Sid !== '' ? { sid: raw.Sid } : {}),
    effect: raw.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: stringList(raw.Action ?? raw.NotAction),
    notActions: has('NotAction'),
    ...(has('Resource') || has('NotResource')
      ? { resources: stringList(raw.Resource ?? raw.NotResource) }
      : {}),
    notResources: has('NotResource'),
    conditions,
    index,
  };
}

function statementFromDataDocument(raw: Block, index: number): Statement {
  const has = (key: string) => raw[key] !== undefined;
  return {
    ...(typeof raw.sid === 'string' && raw.sid !== '' ? { sid: raw.sid } : {}),
    // aws_iam_policy_document defaults `effect` to Allow.
    effect: raw.effect === 'Deny' ? 'Deny' : 'Allow',
    actions: stringList(raw.actions ?? raw.not_actions),
    notActions: has('not_actions'),
    ...(has('resources') || has('not_resources')
      ? { resources: stringList(raw.resources ?? raw.not_resources) }
      : {}),
    notResources: has('not_resources'),
    conditions: blocks(raw.condition).map((c) => ({
      operator: String(c.test),
      key: String(c.variable),
      values: stringList(c.values),
    })),
    index,
  };
}

/** Parses policy JSON text; an interpolation such as `${jsonencode(...)}` cannot be checked and says so. */
function readPolicyText(
  value: unknown,
): { statements: Statement[] } | { unreadable: string } | { dataDocument: true } {
  if (
    typeof value === 'string' &&
    /^\$\{data\.aws_iam_policy_document\.[A-Za-z0-9_-]+\.json\}$/.test(value)
  ) {
    return { dataDocument: true };
  }
  if (typeof value !== 'string') return { unreadable: 'the policy is not a JSON string' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {
      unreadable: `the policy is the expression ${value.length > 80 ? `${value.slice(0, 77)}...` : value}, not JSON`,
    };
  }
  if (!isBlock(parsed)) return { unreadable: 'the policy JSON is not an object' };
  return { statements: blocks(parsed.Statement).map(statementFromJson) };
}

const memo = new WeakMap<SynthesizedStack, PolicyDocumentSite[]>();

/**
 * Every policy document of a stack: policy attributes of resources, and IAM policy data sources.
 * Several rules read them; a stack is parsed once.
 */
export function policyDocuments(stack: SynthesizedStack): PolicyDocumentSite[] {
  const known = memo.get(stack);
  if (known) return known;
  const sites = findPolicyDocuments(stack);
  memo.set(stack, sites);
  return sites;
}

function findPolicyDocuments(stack: SynthesizedStack): PolicyDocumentSite[] {
  const sites: PolicyDocumentSite[] = [];
  for (const element of elements(stack, 'resource')) {
    const resourceIsSelf = keyPolicyTypes.has(element.type);
    const candidates: Array<[string, unknown]> = [];
    for (const attribute of ['policy', 'assume_role_policy']) {
      if (element.body[attribute] !== undefined) candidates.push([attribute, element.body[attribute]]);
    }
    blocks(element.body.inline_policy).forEach((inline, i) => {
      if (inline.policy !== undefined) candidates.push([`inline_policy[${i}].policy`, inline.policy]);
    });
    for (const [attribute, value] of candidates) {
      const read = readPolicyText(value);
      if ('dataDocument' in read) continue; // checked where the data source is defined
      sites.push({
        element,
        attribute,
        resourceIsSelf,
        statements: 'statements' in read ? read.statements : [],
        ...('unreadable' in read ? { unreadable: read.unreadable } : {}),
      });
    }
  }
  for (const element of elements(stack, 'data', 'aws_iam_policy_document')) {
    sites.push({
      element,
      attribute: 'statement',
      resourceIsSelf: false,
      statements: blocks(element.body.statement).map(statementFromDataDocument),
    });
    for (const attribute of ['source_policy_documents', 'override_policy_documents']) {
      stringList(element.body[attribute]).forEach((text, i) => {
        const read = readPolicyText(text);
        if ('dataDocument' in read) return;
        sites.push({
          element,
          attribute: `${attribute}[${i}]`,
          resourceIsSelf: false,
          statements: 'statements' in read ? read.statements : [],
          ...('unreadable' in read ? { unreadable: read.unreadable } : {}),
        });
      });
    }
  }
  return sites;
}

/** How a message names a statement: by Sid when it has one. */
export function describeStatement(statement: Statement): string {
  return statement.sid ? `statement "${statement.sid}"` : `statement #${statement.index + 1} (no Sid)`;
}
