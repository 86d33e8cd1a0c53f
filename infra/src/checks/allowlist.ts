import path from 'node:path';
import { checkAgainstSchema, createAjv, parseYaml, positionOf, readSourceText } from '@airspark/config';
import type { Finding } from '@airspark/findings';
import type { FromSchema } from 'json-schema-to-ts';

/** Repository-relative path of the allow-list the security checks read. */
export const ALLOWLIST_FILE = 'infra/security-allowlist.yaml';

const reason = {
  type: 'string',
  minLength: 20,
  description: 'Why this exception is safe: what the permission is for and why it cannot be narrower.',
} as const;

export const allowlistSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'airspark infra security allow-list',
  type: 'object',
  additionalProperties: false,
  properties: {
    wildcardResources: {
      type: 'array',
      description:
        'Allow statements with Resource "*" and no Condition, by Sid and the actions they may hold.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sid', 'actions', 'reason'],
        properties: {
          sid: { type: 'string', pattern: '^[A-Za-z0-9]+$' },
          actions: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { type: 'string', pattern: '^[a-z0-9-]+:[A-Za-z0-9]+$', description: 'No wildcards.' },
          },
          reason,
        },
      },
    },
    managedPolicies: {
      type: 'array',
      description: 'Managed policies (not defined in the stack, so not inspectable) that roles may attach.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['policy', 'reason'],
        properties: {
          policy: {
            type: 'string',
            pattern: '^[A-Za-z0-9+=,.@_/-]+$',
            description: 'What follows `:policy/` in the ARN, e.g. `service-role/AmazonEBSCSIDriverPolicy`.',
          },
          reason,
        },
      },
    },
  },
} as const;

type AllowlistDocument = FromSchema<typeof allowlistSchema>;

export interface WildcardResourceEntry {
  sid: string;
  actions: string[];
  reason: string;
  line: number;
  column: number;
}

export interface ManagedPolicyEntry {
  policy: string;
  reason: string;
  line: number;
  column: number;
}

export interface Allowlist {
  file: string;
  wildcardResources: WildcardResourceEntry[];
  managedPolicies: ManagedPolicyEntry[];
}

export const emptyAllowlist = (file = ALLOWLIST_FILE): Allowlist => ({
  file,
  wildcardResources: [],
  managedPolicies: [],
});

/** Pure: the allow-list from its text, or findings that name the line to fix. */
export function parseAllowlist(file: string, text: string): { allowlist?: Allowlist; findings: Finding[] } {
  const parsed = parseYaml(file, text);
  if (!parsed.ok) return { findings: parsed.findings };
  const findings = checkAgainstSchema(parsed.source, createAjv().compile(allowlistSchema), 'infra/allowlist');
  if (findings.length > 0) return { findings };
  const document = parsed.source.value as AllowlistDocument;
  const at = (p: string[]) => positionOf(parsed.source, p);
  return {
    allowlist: {
      file,
      wildcardResources: (document.wildcardResources ?? []).map((e, i) => ({
        sid: e.sid,
        actions: [...e.actions],
        reason: e.reason,
        ...at(['wildcardResources', String(i)]),
      })),
      managedPolicies: (document.managedPolicies ?? []).map((e, i) => ({
        policy: e.policy,
        reason: e.reason,
        ...at(['managedPolicies', String(i)]),
      })),
    },
    findings: [],
  };
}

/** Reads the repository's allow-list; a missing file is an empty list (every exception then fails). */
export async function readAllowlist(root: string): Promise<{ allowlist?: Allowlist; findings: Finding[] }> {
  const text = await readSourceText(path.join(root, ALLOWLIST_FILE), ALLOWLIST_FILE);
  if (!text.ok) {
    return text.finding.rule === 'config/file-missing'
      ? { allowlist: emptyAllowlist(), findings: [] }
      : { findings: [text.finding] };
  }
  return parseAllowlist(ALLOWLIST_FILE, text.text);
}
